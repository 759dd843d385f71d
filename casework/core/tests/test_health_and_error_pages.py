"""``/healthz`` names the check that failed; error pages are the service's own even when the
layout's dependencies (the static manifest, the database) fail."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from casework.core import health

ROOT = Path(__file__).resolve().parents[3]
MANIFEST_STORAGE = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}


@pytest.fixture
def no_static_manifest(settings, tmp_path):
    """The production storage over a folder collectstatic never wrote: the layout's assets are missing."""
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": MANIFEST_STORAGE}


def test_healthz_lists_the_checks_it_passed(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "static_assets": "ok", "keys": "ok"}}


def test_healthz_answers_503_when_the_layouts_static_files_are_missing(client, db, no_static_manifest):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert set(body["failed"]) == {"static_assets"}
    assert "missing from the static manifest" in body["failed"]["static_assets"]
    assert str(ROOT) not in response.content.decode()


@pytest.fixture
def extra_check():
    """``extra_check(name, check)`` adds a check to /healthz for one test."""
    before = list(health.CHECKS)
    yield health.register
    health.CHECKS[:] = before


def test_another_part_of_the_service_can_add_a_check(client, db, extra_check):
    extra_check("field_keys", lambda: "the field keys cannot decrypt the sentinel")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == {"field_keys": "the field keys cannot decrypt the sentinel"}


def test_a_check_that_raises_is_a_failed_check_and_says_only_what_kind_of_error(client, db, extra_check):
    def broken():
        raise RuntimeError("secret-looking detail")

    extra_check("broken", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["failed"] == {"broken": "the check failed (RuntimeError)"}


def test_the_not_found_page_falls_back_when_the_layout_cannot_render(client, db, no_static_manifest):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "static" not in page


def test_the_forbidden_page_falls_back_when_the_layout_cannot_render(cast, client_for, no_static_manifest):
    # A clinician may not use the staff administration pages.
    response = client_for(cast.clinician).get("/staff/")
    assert response.status_code == 403
    assert "<h1>You do not have permission to do this</h1>" in response.content.decode()


def test_a_csrf_failure_is_the_services_own_page(db):
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"email": "a@b.example", "password": "x"})
    assert response.status_code == 403
    assert "Sorry, this form has expired" in response.content.decode()


def test_a_csrf_failure_falls_back_when_the_layout_cannot_render(db, no_static_manifest):
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"email": "a@b.example", "password": "x"})
    assert response.status_code == 403
    assert "<h1>Sorry, this form has expired</h1>" in response.content.decode()


def _against_a_database_that_refuses_connections(code: str) -> list[str]:
    """Run ``code`` (with Django set up and ``Client`` imported) against PostgreSQL on a port where
    nothing listens; the printed lines are returned."""
    prelude = (
        "import django; django.setup(); from django.test import Client; import json; from django.conf import settings; "
    )
    env = {
        **os.environ,
        "CASEWORK_ENV": "test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "DJANGO_SETTINGS_MODULE": "casework.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", prelude + code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()


def test_when_the_database_refuses_connections_pages_answer_the_services_own_503():
    lines = _against_a_database_that_refuses_connections(
        "c = Client(raise_request_exception=False); c.cookies[settings.SESSION_COOKIE_NAME] = 'x' * 32; "
        "r = c.get('/'); print(r.status_code); print(json.dumps(r.content.decode())); "
        "h = Client().get('/healthz'); print(h.status_code); print(h.content.decode())"
    )
    status, page, health_status, health_body = lines
    assert status == "503"
    assert "Sorry, the service is unavailable" in json.loads(page)
    assert health_status == "503"
    assert json.loads(health_body)["failed"] == {"database": "the database cannot be reached"}
