"""Browser tests: Playwright's sync API driving Debian's Chromium against pytest-django's
``live_server``.

Chromium is Debian's (/usr/bin/chromium: ``apt-get install chromium chromium-driver``); Playwright's
own browser download is not used. ``make test`` installs it where it can (as root with apt-get) and
otherwise stops and says how; without it these tests fail, they never skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


# The flush after a live-server test (transactional_db) needs the audit log's triggers lifted: the
# fixture ``audit_log_flushable`` is in the root conftest.py, for any transactional test.


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
