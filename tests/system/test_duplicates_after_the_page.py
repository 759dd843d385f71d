"""The person page loads the duplicate check after it has been shown (ADR 0025): casework.js fetches
the list into the placeholder, which otherwise keeps a link to the check as a page of its own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.people.tests.factories import create_person
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system


def test_the_duplicate_check_arrives_in_the_person_page(chromium, live_server, audit_log_flushable):
    lead = UserFactory(role=Role.CLINICAL_LEAD)
    coordinator = UserFactory(role=Role.REFERRALS_COORDINATOR)
    peter = create_person(
        by=coordinator, given_name="Peter", family_name="Perpetrator", date_of_birth=dt.date(1980, 2, 3)
    )
    other = create_person(
        by=coordinator, given_name="Peter", family_name="Perpetrator", date_of_birth=dt.date(1980, 2, 4)
    )
    session = signed_in_client(lead).cookies[settings.SESSION_COOKIE_NAME].value
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(reverse("people:detail", args=[peter.reference]))
        slot = page.get_by_test_id("duplicates-slot")
        expect(slot.get_by_test_id("possible-duplicates")).to_contain_text(other.reference)
        expect(slot.get_by_role("link", name=f"Merge {other.reference} into this record")).to_be_visible()
        assert axe_problems(page) == []
    finally:
        context.close()
