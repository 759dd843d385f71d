"""Pages render under the production static storage, after a real ``collectstatic``.

The manifest storage resolves only files it collected: a ``static()`` call naming a folder, or a
file that was never built, raises ``ValueError`` while the page renders (every page answered 500 in
production while the tests, on the plain storage, passed). These tests collect into a temporary
folder with the production backend and render the pages that share the layout.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STATIC = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """``collectstatic --noinput`` with the production backend, once per test session."""
    root = tmp_path_factory.mktemp("staticfiles")
    with override_settings(STATIC_ROOT=str(root), STORAGES=PRODUCTION_STATIC):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


@pytest.fixture
def manifest_static(collected_static, settings):
    settings.STATIC_ROOT = str(collected_static)
    settings.STORAGES = {**settings.STORAGES, "staticfiles": PRODUCTION_STATIC["staticfiles"]}
    return collected_static


def test_the_sign_in_page_renders_with_hashed_asset_urls(manifest_static, client, db):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    page = response.content.decode()
    # The layout's assets are named by their hashed names, which the manifest knows.
    assert "/static/vendor/nhsuk/nhsuk-frontend.min." in page
    assert "nhsuk-frontend.min.css" not in page
    assert "/static/vendor/nhsuk/assets/images/favicon." in page


def test_the_error_pages_render_under_the_manifest(manifest_static, client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_signed_in_pages_render_under_the_manifest(manifest_static, cast, client_for):
    client = client_for(cast.clinical_lead)
    for url in ("/", "/privacy/", "/referrals/", "/cases/", "/people/"):
        response = client.get(url)
        assert response.status_code == 200, url
