"""The report request pages and My work: a clinician creates the requests from the referral and
changes one; the coordinator sees the list of requests and due dates and nothing more; due dates
carry "Due soon" and "Late"; every page keeps a fixed query count."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.core.idempotency import FIELD
from casework.core.testing import assert_page_queries_flat
from casework.reports import services
from casework.reports.models import ReportRequest


def _token(page: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]


def _url(name, case, *args):
    return reverse(f"reports:{name}", args=[case.reference, *args])


def test_a_clinician_creates_the_requests_from_the_case_page_and_changes_one(cast, rworld, client_for):
    client = client_for(cast.clinician)
    case_page = client.get(reverse("cases:detail", args=[rworld.case.reference])).content.decode()
    assert _url("from_referral", rworld.case) in case_page and "Create report requests from the referral" in case_page
    page = client.get(_url("from_referral", rworld.case)).content.decode()
    assert "Psychiatric or psychological report for sentencing" in page
    response = client.post(_url("from_referral", rworld.case), {FIELD: _token(page)})
    assert response.status_code == 302 and response["Location"] == _url("list", rworld.case)
    assert ReportRequest.objects.filter(case=rworld.case).count() == 2
    listing = client.get(_url("list", rworld.case)).content.decode()
    assert "Risk and management advice to an NHS trust" in listing
    assert 'data-testid="from-referral"' not in listing  # nothing left to create
    report = ReportRequest.objects.filter(case=rworld.case).first()
    detail = client.get(_url("detail", rworld.case, report.pk)).content.decode()
    assert "instruction.pdf" in detail and "DC Dana Instructing" in detail
    edit_page = client.get(_url("edit", rworld.case, report.pk)).content.decode()
    assert 'value="issued"' not in edit_page
    due = rworld.due_on
    response = client.post(
        _url("edit", rworld.case, report.pk),
        {
            "status": "in_progress",
            "due_on_day": due.day,
            "due_on_month": due.month,
            "due_on_year": due.year,
            "instructing_party": str(cast.organisation.pk),
            "letter_of_instruction": str(rworld.letter.pk),
            "questions": "Is there a mental disorder?",
        },
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "in_progress" and report.questions == "Is there a mental disorder?"


def test_a_request_is_added_later_and_a_bad_form_keeps_what_was_typed(cast, rworld, client_for):
    client = client_for(cast.clinician)
    page = client.get(_url("add", rworld.case)).content.decode()
    token = _token(page)
    refused = client.post(_url("add", rworld.case), {"report_type": "parole", "questions": "Kept words", FIELD: token})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert "Enter due date" in body and "Kept words" in body
    due = timezone.localdate() + dt.timedelta(days=50)
    response = client.post(
        _url("add", rworld.case),
        {
            "report_type": "parole",
            "due_on_day": due.day,
            "due_on_month": due.month,
            "due_on_year": due.year,
            FIELD: token,
        },
    )
    assert response.status_code == 302
    assert ReportRequest.objects.get(case=rworld.case).report_type == "parole"


def test_the_coordinator_sees_the_list_and_due_dates_only(cast, rworld, client_for):
    report = services.requests_from_case(case=rworld.case, by=cast.clinician)[0]
    client = client_for(cast.coordinator)
    listing = client.get(_url("list", rworld.case))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Report for" in body or "report for sentencing" in body
    assert _url("detail", rworld.case, report.pk) not in body and "Add a report request" not in body
    assert client.get(_url("detail", rworld.case, report.pk)).status_code == 403
    assert client.get(_url("add", rworld.case)).status_code == 403
    assert client_for(cast.other_clinician).get(_url("list", rworld.case)).status_code == 404
    assert client_for(cast.finance).get(_url("list", rworld.case)).status_code == 404
    viewed = AuditEvent.objects.filter(object_type="cases.case", object_id=str(rworld.case.pk), action="view")
    assert viewed.filter(object_label__endswith="report requests").exists()


def test_my_work_warns_before_a_report_falls_due_and_shows_leads_the_late_ones(cast, rworld, client_for):
    soon, late = services.requests_from_case(case=rworld.case, by=cast.clinician)
    services.request_update(report=soon, due_on=timezone.localdate() + dt.timedelta(days=5), by=cast.clinician)
    services.request_update(report=late, due_on=timezone.localdate() - dt.timedelta(days=2), by=cast.clinician)
    mine = client_for(cast.clinician).get(reverse("core:my_work")).content.decode()
    assert "Reports due on your cases" in mine and "Due soon" in mine and "Late" in mine
    lead = client_for(cast.clinical_lead).get(reverse("core:my_work")).content.decode()
    assert "Reports late across the service" in lead
    assert f"{rworld.case.reference}: {late.get_report_type_display()}" in lead
    listing = client_for(cast.clinician).get(_url("list", rworld.case)).content.decode()
    assert listing.count('data-testid="due-tag"') == 2


def test_the_pages_keep_a_fixed_query_count(cast, rworld, client_for):
    services.requests_from_case(case=rworld.case, by=cast.clinician)
    client = client_for(cast.clinician)
    lead = client_for(cast.clinical_lead)

    def grow():
        services.request_add(
            case=rworld.case,
            report_type="mappa",
            due_on=timezone.localdate() - dt.timedelta(days=1),
            by=cast.clinician,
        )

    assert_page_queries_flat(client, _url("list", rworld.case), grow=grow)
    assert_page_queries_flat(client, reverse("core:my_work"), grow=grow)
    assert_page_queries_flat(lead, reverse("core:my_work"), grow=grow)
    report = ReportRequest.objects.filter(case=rworld.case).first()
    assert_page_queries_flat(client, _url("detail", rworld.case, report.pk), grow=grow)
