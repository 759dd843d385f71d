"""Every main page reflows at 320 CSS pixels wide without scrolling sideways (WCAG 2.2, 1.4.10)
and has no serious or critical axe-core finding, nor content outside its landmarks;
and the case page's actions and contents come before its long sections (issue 11.8)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page

from casework.accounts.tests.factories import UserFactory
from casework.cases.tests.factories import IncidentFactory, make_case
from casework.core.roles import Role
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system

NARROW = {"width": 320, "height": 720}


@pytest.fixture
def narrow_page(chromium, live_server, audit_log_flushable):
    contexts = []

    def open_as(user) -> Page:
        session = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context = chromium.new_context(
            base_url=live_server.url, viewport=NARROW, locale="en-GB", timezone_id="Europe/London"
        )
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_as
    for context in contexts:
        context.close()


def overflow(page: Page) -> int:
    """How far the page is wider than the window, in CSS pixels (0: it reflows)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def test_the_main_pages_reflow_at_320_pixels(narrow_page, screenshots):
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician")
    case = make_case(lead=clinician, by=lead)
    for _ in range(3):
        IncidentFactory(case=case)
    referral = case.case_referrals.first().referral
    page = narrow_page(lead)
    wide, problems = {}, []
    for name, url in [
        ("my work", reverse("core:my_work")),
        ("cases", reverse("cases:list")),
        ("case", reverse("cases:detail", args=[case.reference])),
        ("referrals", reverse("referrals:list")),
        ("referral", reverse("referrals:detail", args=[referral.reference])),
        ("people", reverse("people:list")),
        ("person", reverse("people:detail", args=[case.subject.reference])),
        ("search", reverse("search:search") + "?q=Subject"),
        ("access review", reverse("audit:review")),
    ]:
        page.goto(url)
        page.screenshot(path=str(screenshots / f"320-{name.replace(' ', '-')}.png"), full_page=True)
        if overflow(page) > 0:
            wide[name] = overflow(page)
        problems += axe_problems(page)
    assert wide == {}
    assert problems == []


def test_the_case_page_puts_its_actions_and_contents_before_the_long_sections(narrow_page):
    lead = UserFactory(role=Role.CLINICAL_LEAD)
    clinician = UserFactory(role=Role.CLINICIAN)
    case = make_case(lead=clinician, by=lead)
    page = narrow_page(clinician)
    page.goto(reverse("cases:detail", args=[case.reference]))
    actions = page.get_by_test_id("actions").bounding_box()
    contents = page.get_by_role("navigation", name="On this page").bounding_box()
    timeline = page.locator("#timeline").bounding_box()
    assert actions["y"] < timeline["y"] and contents["y"] < timeline["y"]
    assert actions["y"] < 720 * 2  # within two screens of the top on a phone
    page.get_by_role("navigation", name="On this page").get_by_role("link", name="Orders and conditions").click()
    assert page.url.endswith("#orders")


def test_on_a_wide_screen_the_actions_sit_beside_the_sections(narrow_page, screenshots):
    lead = UserFactory(role=Role.CLINICAL_LEAD)
    clinician = UserFactory(role=Role.CLINICIAN)
    case = make_case(lead=clinician, by=lead)
    page = narrow_page(clinician)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(reverse("cases:detail", args=[case.reference]))
    page.screenshot(path=str(screenshots / "1280-case.png"), full_page=False)
    actions = page.get_by_test_id("actions").bounding_box()
    summary = page.locator("#summary").bounding_box()
    assert actions["x"] > summary["x"] + summary["width"] / 2  # on the right
    assert actions["y"] < 900 and overflow(page) == 0
