"""Fixtures for the staff-side referral tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    """Uploaded documents go to a temporary directory, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"
