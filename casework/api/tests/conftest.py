"""Fixtures for the agency API tests: tokens made as the system administrator makes them, and
clients that send them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework.api import services
from casework.api.models import Scope

ALL_SCOPES = [s.value for s in Scope]


def make_token(cast, organisation=None, *, scopes=None, name="Northshire Police case system"):
    return services.token_create(
        by=cast.sysadmin,
        organisation=organisation or cast.organisation,
        name=name,
        scopes=ALL_SCOPES if scopes is None else scopes,
        expires_on=timezone.localdate() + dt.timedelta(days=30),
    )


def api_client(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def token(cast):
    return make_token(cast)


@pytest.fixture
def api(token):
    return api_client(token.secret)


@pytest.fixture
def other_api(cast):
    return api_client(make_token(cast, cast.other_organisation, name="Southshire Probation").secret)


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"
