"""An assessment in a real browser: started from the case, answered, saved automatically a few
seconds after typing stops, and a stale autosave refused with who saved in between; every
assessment page passes axe (no serious or critical finding, nothing outside the landmarks) and the
draft form reflows at 320 pixels."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.accounts.tests.factories import TrainingRecordFactory, UserFactory
from casework.assessments import services
from casework.assessments.models import Assessment
from casework.assessments.tests import factories
from casework.cases.tests.factories import make_case
from casework.core.roles import Role
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system


@pytest.fixture
def open_as(chromium, live_server, audit_log_flushable):
    contexts = []

    def open_page(user, width: int = 1024) -> Page:
        session = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": width, "height": 800},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_an_assessment_started_answered_and_saved_as_you_go(open_as):
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician")
    TrainingRecordFactory(user=clinician)
    TrainingRecordFactory(user=lead)
    case = make_case(lead=clinician, by=lead)
    page = open_as(clinician)
    problems: list[str] = []

    page.goto(reverse("cases:detail", args=[case.reference]))
    page.get_by_test_id("assessments-link").click()
    problems += axe_problems(page)
    page.get_by_role("button", name="Start an assessment").click()
    problems += axe_problems(page)
    page.get_by_label("Stalking risk assessment (SRP structure)").check()
    page.get_by_label("In the community").check()
    page.get_by_role("button", name="Start the assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stalking risk assessment (SRP structure)")
    problems += axe_problems(page)

    page.get_by_label("Formulation", exact=True).fill("He cannot accept that the relationship ended.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved at", timeout=15_000)
    assessment = Assessment.objects.get(case=case)
    assert assessment.answers["formulation"]["value"] == "He cannot accept that the relationship ended."

    # Someone else saves the draft; this page's next autosave is refused and says who.
    services.assessment_save(
        assessment=assessment,
        answers={**assessment.answers, "protective_factors": {"value": "A supportive sister"}},
        expected_version=assessment.row_version,
        by=lead,
    )
    page.get_by_label("Formulation", exact=True).fill("A second thought")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Lena Lead saved this assessment", timeout=15_000)
    assessment.refresh_from_db()
    assert assessment.answers["formulation"]["value"] == "He cannot accept that the relationship ended."
    assert assessment.answers["protective_factors"]["value"] == "A supportive sister"

    page.goto(reverse("assessments:detail", args=[case.reference, assessment.pk]))
    problems += axe_problems(page)
    assert problems == []


def test_the_assessment_pages_pass_axe_and_the_form_reflows(open_as):
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician")
    TrainingRecordFactory(user=clinician)
    case = make_case(lead=clinician, by=lead)
    signed = factories.signed(case, clinician, lead)
    plan = services.plan_start(assessment=signed, review_on=timezone.localdate() + dt.timedelta(days=60), by=clinician)
    services.action_add(
        plan=plan,
        area="monitoring",
        description="Monthly police record check",
        agency="Police",
        person="DC Smith",
        due_on=timezone.localdate() + dt.timedelta(days=20),
        by=clinician,
    )
    second = services.reassessment_start(previous=signed, setting="community", by=clinician)
    ref = case.reference
    page = open_as(clinician, width=320)
    problems: list[str] = []
    wide = {}
    for url in [
        reverse("assessments:list", args=[ref]),
        reverse("assessments:detail", args=[ref, signed.pk]),
        reverse("assessments:plan", args=[ref, signed.pk]),
        reverse("assessments:edit", args=[ref, second.pk]),
        reverse("assessments:changes", args=[ref, second.pk]),
        reverse("assessments:submit", args=[ref, second.pk]),
        reverse("assessments:source_add", args=[ref, second.pk]),
    ]:
        page.goto(url)
        problems += axe_problems(page)
        width = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        if width > 0:
            wide[url] = width
    assert problems == []
    assert wide == {}
