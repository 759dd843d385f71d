"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
``live_server``.

Chromium is Debian's (/usr/bin/chromium: ``apt-get install chromium chromium-driver``); Playwright's
own browser download is not used. ``make test`` installs it where it can (as root with apt-get) and
otherwise stops and says how; without it these tests fail, they never skip.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def chromium():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"The browser tests need Chromium at {CHROMIUM} (apt-get install chromium chromium-driver)", pytrace=False
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an asyncio event loop in the test thread, and Django refuses
    # database work from a thread with a running loop unless told it is safe. It is here: the
    # loop only drives the browser. The variable is set only while the browser runs, because
    # other tests start subprocesses (``manage.py check --deploy``) that must not inherit it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


# --- The append-only audit log and the flush after a live-server test --------------------------------
#
# A live_server test runs with transactional_db, which empties every table afterwards with a flush.
# The audit table refuses DELETE and TRUNCATE (casework/audit/migrations/0002), by design. For the
# flush only, the triggers are dropped; when the flush is done (it sends post_migrate) they are put
# back, with the sealed chain head that migration 0003 makes, so later tests see the database as
# migrated.

_TRIGGERS = importlib.import_module("casework.audit.migrations.0002_append_only_triggers")
_SEAL = importlib.import_module("casework.audit.migrations.0003_chain_head_seal_and_indexes")
_RESTORE_UID = "casework-system-tests-restore-audit-triggers"


class _SchemaEditorShim:
    def __init__(self, conn) -> None:
        self.connection = conn

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def _restore_audit_log(sender, using="default", **kwargs) -> None:
    post_migrate.disconnect(dispatch_uid=_RESTORE_UID)
    _TRIGGERS.forwards(apps, _SchemaEditorShim(connection))
    _SEAL.seal_head(apps, None)


@pytest.fixture
def audit_log_flushable(transactional_db):
    """Depends on transactional_db, so this teardown runs just before its flush."""
    yield
    _TRIGGERS.backwards(apps, _SchemaEditorShim(connection))
    post_migrate.connect(_restore_audit_log, dispatch_uid=_RESTORE_UID, weak=False)


# --- Pages ------------------------------------------------------------------------------------------------


@pytest.fixture
def screenshots(tmp_path) -> Path:
    """Where screenshots go: CASEWORK_SCREENSHOT_DIR if set (to look at them), else a temporary folder."""
    folder = Path(os.environ.get("CASEWORK_SCREENSHOT_DIR") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def browser_page(chromium, live_server, audit_log_flushable):
    """A fresh browser context on the live server, recording console messages and page errors."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    messages: list[tuple[str, str]] = []
    page.on("console", lambda message: messages.append((message.type, message.text)))
    page.on("pageerror", lambda error: messages.append(("pageerror", str(error))))
    page.casework_messages = messages
    try:
        yield page
    finally:
        context.close()
