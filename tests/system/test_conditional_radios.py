"""Radios that reveal a further question (NHS.UK conditional radios) keep to ARIA: NHS.UK frontend's
script marks such a radio ``aria-expanded``, which the radio role does not allow (axe-core's
``aria-allowed-attr``, critical; found by the journey test). casework.js takes it off again; the
reveal itself and ``aria-controls`` stay."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.referrals.choices import Status
from casework.referrals.tests.factories import ReferralFactory
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system


def test_the_screening_decisions_radios_reveal_the_services_without_aria_expanded(
    chromium, live_server, audit_log_flushable
):
    coordinator = UserFactory(role=Role.REFERRALS_COORDINATOR)
    referral = ReferralFactory(status=Status.SCREENING)
    session = signed_in_client(coordinator).cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(reverse("referrals:screening", args=[referral.reference]))
        accept = page.get_by_role("group", name="Decision").get_by_label("Accept", exact=True)
        services = page.get_by_role("group", name="Services accepted")
        expect(services).to_be_hidden()
        assert axe_problems(page) == []

        accept.check()
        expect(services).to_be_visible()  # the reveal still works
        assert accept.get_attribute("aria-controls")
        assert accept.get_attribute("aria-expanded") is None
        assert axe_problems(page) == []

        page.get_by_label("Decline", exact=True).check()
        expect(services).to_be_hidden()
        assert page.locator("input[type=radio][aria-expanded]").count() == 0
    finally:
        context.close()
