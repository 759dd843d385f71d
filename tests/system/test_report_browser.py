"""A report in a real browser: started from its request, a section typed and saved automatically,
a colleague's save of the same section shown beside the author's text (nothing lost), signed by
the author, signed off by a lead and issued; every report page passes axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.cases.tests.factories import make_case
from casework.core.roles import Role
from casework.reports import services
from casework.reports.models import IssuedReport, ReportSection
from casework.reports.services import drafting
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system


@pytest.fixture
def open_as(chromium, live_server, audit_log_flushable):
    contexts = []

    def open_page(user) -> Page:
        session = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_a_report_written_autosaved_merged_signed_and_issued(open_as, documents_in_tmp):  # noqa: F811
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician")
    court = OrganisationFactory(name="Leeds Crown Court", kind="court")
    case = make_case(lead=clinician, by=lead)
    request_ = services.request_add(
        case=case,
        report_type="sentencing",
        instructing_party=court,
        due_on=timezone.localdate() + dt.timedelta(days=21),
        by=clinician,
    )
    page = open_as(clinician)
    problems: list[str] = []

    page.goto(reverse("reports:detail", args=[case.reference, request_.pk]))
    problems += axe_problems(page)
    page.get_by_test_id("start-report").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("report for sentencing")
    problems += axe_problems(page)

    page.locator("#b_opinion").fill("In my opinion he would benefit from treatment.")
    expect(page.locator("[data-autosave-status]")).to_contain_text("Saved as version", timeout=20_000)
    report = request_.report
    assert ReportSection.objects.get(report=report, key="opinion").body.startswith("In my opinion")

    # A colleague saves the same section; this page's next autosave shows their text and keeps ours.
    section = ReportSection.objects.get(report=report, key="opinion")
    drafting.sections_save(
        report=report, edits={"opinion": {"body": "The lead's wording.", "version": section.row_version}}, by=lead
    )
    page.locator("#b_opinion").fill("In my opinion he would benefit from structured treatment.")
    expect(page.locator("[data-theirs=opinion]")).to_contain_text("The lead's wording.", timeout=20_000)
    expect(page.locator("#b_opinion")).to_have_value("In my opinion he would benefit from structured treatment.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("theirs-opinion")).to_contain_text("The lead's wording.")
    page.locator("#b_opinion").fill("Merged: structured treatment, as the lead says.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_test_id("theirs-opinion")).to_have_count(0)
    assert ReportSection.objects.get(report=report, key="opinion").body.startswith("Merged")

    for s in ReportSection.objects.filter(report=report, body=""):
        drafting.sections_save(
            report=report, edits={s.key: {"body": "Written.", "version": s.row_version}}, by=clinician
        )
    page.reload()
    page.get_by_role("button", name="Sign as author").click()
    expect(page.get_by_test_id("report-status")).to_contain_text("Signed by the author")

    lead_page = open_as(lead)
    lead_page.goto(reverse("reports:write", args=[case.reference, request_.pk]))
    problems += axe_problems(lead_page)
    lead_page.get_by_role("button", name="Sign off as clinical lead").click()
    lead_page.get_by_test_id("issue-link").click()
    problems += axe_problems(lead_page)
    lead_page.get_by_label("Court or Parole Board").check()
    lead_page.get_by_label("Secure email").check()
    lead_page.get_by_label("Letter of instruction").check()
    lead_page.get_by_role("button", name="Issue the report").click()
    expect(lead_page.get_by_test_id("issues")).to_contain_text("Leeds Crown Court")
    assert IssuedReport.objects.filter(report=report).count() == 1
    assert not problems, "\n".join(problems)
