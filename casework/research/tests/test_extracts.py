"""Asking for, approving and issuing research extracts; what the files hold; the log."""

from __future__ import annotations

import csv
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from openpyxl import load_workbook

from casework.assessments.models import Assessment
from casework.assessments.tests.factories import ready
from casework.audit.models import Action, AuditEvent
from casework.people import services as people_services
from casework.research import extract, services
from casework.research.models import ExtractStatus, ResearchExtract

pytestmark = pytest.mark.django_db


def _rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


def test_a_request_needs_a_purpose_and_a_well_formed_approval_reference(cast):
    with pytest.raises(ValidationError) as refused:
        services.extract_request(by=cast.researcher, kind="cases", purpose="", approval_reference="")
    assert set(refused.value.message_dict) == {"purpose", "approval_reference"}
    with pytest.raises(ValidationError) as refused:
        services.extract_request(
            by=cast.researcher, kind="cases", purpose="A long enough purpose here", approval_reference="none"
        )
    assert "approval_reference" in refused.value.message_dict
    made = services.extract_request(
        by=cast.researcher, kind="cases", purpose="A long enough purpose here", approval_reference=" 24/NW/0123 "
    )
    assert made.approval_reference == "24/NW/0123" and made.status == ExtractStatus.REQUESTED
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="research.researchextract").exists()


def test_only_researchers_ask_and_only_a_clinical_lead_decides(cast):
    with pytest.raises(PermissionDenied):
        services.extract_request(
            by=cast.clinician, kind="cases", purpose="A long enough purpose here", approval_reference="IRAS 1"
        )
    made = services.extract_request(
        by=cast.researcher, kind="cases", purpose="A long enough purpose here", approval_reference="IRAS 1"
    )
    with pytest.raises(PermissionDenied):
        services.extract_decide(research_extract=made, by=cast.researcher, approve=True)
    with pytest.raises(PermissionDenied):
        services.extract_issue(research_extract=made, by=cast.researcher, file_format="csv")
    with pytest.raises(ValidationError):
        services.extract_decide(research_extract=made, by=cast.clinical_lead, approve=False)
    declined = services.extract_decide(research_extract=made, by=cast.clinical_lead, approve=False, reason="No REC")
    assert declined.status == ExtractStatus.DECLINED
    with pytest.raises(PermissionDenied):
        services.extract_issue(research_extract=declined, by=cast.researcher, file_format="csv")


def test_the_decision_form_asks_the_lead_to_confirm_the_approval(cast, client_for):
    made = services.extract_request(
        by=cast.researcher, kind="summary", purpose="A long enough purpose here", approval_reference="IRAS 1"
    )
    client = client_for(cast.clinical_lead)
    url = reverse("research:extract_decide", args=[made.pk])
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 400
    assert "Confirm you have seen the approval before approving" in response.content.decode()
    assert client.post(url, {"decision": "approve", "checked": "on"}).status_code == 302
    made.refresh_from_db()
    assert made.status == ExtractStatus.APPROVED and made.decided_by == cast.clinical_lead


def test_the_request_form_keeps_what_was_typed_and_says_why(cast, client_for):
    response = client_for(cast.researcher).post(
        reverse("research:extract_new"), {"kind": "cases", "purpose": "Too short", "approval_reference": "x"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Describe the purpose in at least 20 characters" in page
    assert "Too short" in page


def test_a_row_level_extract_is_issued_once_and_logged(cast, service, approved, client_for):
    client = client_for(cast.researcher)
    response = client.get(reverse("research:download_csv", args=[approved.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    content = response.content
    rows = _rows(content)
    approved.refresh_from_db()
    assert approved.status == ExtractStatus.ISSUED
    assert approved.row_count == len(rows) == ResearchExtract._meta.apps.get_model("cases", "Case").objects.count()
    assert approved.file_sha256 == hashlib.sha256(content).hexdigest()
    assert approved.opted_out_excluded == 0
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="research.researchextract")
    assert event.changes["sha256"] == approved.file_sha256
    # Once only.
    assert client.get(reverse("research:download_xlsx", args=[approved.pk])).status_code == 403
    first = next(r for r in rows if r["case_pseudonym"] == extract.pseudonym("case", service.case1.pk, "IRAS312456"))
    assert first["stalker_type"] == "rejected"
    assert first["opened_month"] == "2026-04"
    assert first["referral_month"] == "2026-03"
    assert first["referral_agency_type"] == "police"
    assert first["prior_relationship"] == "ex_intimate_partner"
    assert first["treatment_status"] in {"completed", "disengaged"}
    assert first["followup_6m_reconvicted"] == "no"
    assert list(rows[0]) == list(extract.COLUMN_NAMES)


def test_srp_levels_come_from_the_latest_signed_srp(cast, service):
    assessment = ready(service.case1, cast.clinician, levels={"violence": "high", "persistence": "low"})
    Assessment.objects.filter(pk=assessment.pk).update(
        status="signed", signed_at=service.a.received_at, signed_by=cast.clinical_lead, signed_hash="0" * 64
    )
    rows = extract.case_rows("STUDY1")
    row = dict(
        zip(
            extract.COLUMN_NAMES,
            next(r for r in rows if r[0] == extract.pseudonym("case", service.case1.pk, "STUDY1")),
            strict=True,
        )
    )
    assert row["srp_violence"] == "high" and row["srp_persistence"] == "low"
    assert row["srp_month"] == "2026-03"


def test_an_xlsx_extract_has_the_rows_and_an_about_sheet(cast, service, approved, client_for):
    response = client_for(cast.researcher).get(reverse("research:download_xlsx", args=[approved.pk]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Extract", "About"]
    header = [c.value for c in next(book["Extract"].iter_rows(max_row=1))]
    assert header == list(extract.COLUMN_NAMES)


def test_summary_counts_under_ten_are_suppressed(cast, service):
    rows = extract.summary_rows(extract.case_rows("S"))
    assert ["all_cases", "all", "<10"] in rows
    assert all(cell == "<10" or cell >= 10 for _, _, cell in rows)


def test_one_small_cell_brings_a_second_into_suppression():
    table = [["x"] * len(extract.COLUMNS) for _ in range(25)]
    position = extract.COLUMN_NAMES.index("sex")
    for n, row in enumerate(table):
        row[position] = "female" if n < 12 else ("male" if n < 24 else "not_known")
    # female 12, male 12, not_known 1, the rest 0: several small cells, none can be worked out.
    sex = {value: cell for field, value, cell in extract.summary_rows(table) if field == "sex"}
    assert sex["female"] == 12 and sex["not_known"] == "<10"
    single = [["x"] * len(extract.COLUMNS) for _ in range(30)]
    band = extract.COLUMN_NAMES.index("treatment_completed")
    for n, row in enumerate(single):
        row[band] = "yes" if n < 18 else ("no" if n < 29 else "")
    completed = {value: cell for field, value, cell in extract.summary_rows(single) if field == "treatment_completed"}
    # "not_recorded" is 1 (suppressed) and the only small cell: "no" (11) is suppressed with it.
    assert completed == {"yes": 18, "no": "<10", "not_recorded": "<10"}


def test_opted_out_people_are_left_out_and_counted_in_the_log_only(cast, service, approved, client_for):
    subject = service.case1.subject
    people_services.person_set_opt_out(person=subject, opted_out=True, by=cast.clinical_lead)
    content = client_for(cast.researcher).get(reverse("research:download_csv", args=[approved.pk])).content
    text = content.decode()
    assert extract.pseudonym("person", subject.pk, "IRAS312456") not in text
    assert extract.pseudonym("case", service.case1.pk, "IRAS312456") not in text
    approved.refresh_from_db()
    assert approved.opted_out_excluded == 1
    assert "opt" not in text.splitlines()[0]


def test_pseudonyms_differ_between_studies_and_keys():
    assert extract.pseudonym("person", 1, "A") != extract.pseudonym("person", 1, "B")
    assert extract.pseudonym("person", 1, "A") != extract.pseudonym("case", 1, "A")
    before = extract.pseudonym("person", 1, "A")
    with override_settings(CASEWORK_RESEARCH_KEY="another-research-key-long-and-random-0123456789"):
        assert extract.pseudonym("person", 1, "A") != before


def test_without_the_research_key_nothing_is_issued(cast, approved, client_for):
    with override_settings(CASEWORK_RESEARCH_KEY=""):
        response = client_for(cast.researcher).get(reverse("research:download_csv", args=[approved.pk]))
    assert response.status_code == 503
    approved.refresh_from_db()
    assert approved.status == ExtractStatus.APPROVED


def test_my_work_shows_a_researcher_their_extracts_and_a_lead_what_waits(cast, client_for):
    services.extract_request(
        by=cast.researcher, kind="cases", purpose="A long enough purpose here", approval_reference="IRAS 77"
    )
    mine = client_for(cast.researcher).get(reverse("core:my_work")).content.decode()
    assert "Your research extracts" in mine and "IRAS 77" in mine
    lead = client_for(cast.clinical_lead).get(reverse("core:my_work")).content.decode()
    assert "Research extracts to approve" in lead and "IRAS 77" in lead


def test_a_researcher_sees_only_their_own_extracts(cast, client_for):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    other = UserFactory(role=Role.RESEARCHER, full_name="Other Researcher")
    theirs = services.extract_request(
        by=other, kind="cases", purpose="A long enough purpose here", approval_reference="IRAS 88"
    )
    client = client_for(cast.researcher)
    assert client.get(reverse("research:extract_detail", args=[theirs.pk])).status_code == 404
    assert "IRAS 88" not in client.get(reverse("research:extracts")).content.decode()


def test_an_extract_takes_the_same_number_of_queries_whatever_the_caseload(cast, service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.insights.tests.builders import grow

    with CaptureQueriesContext(connection) as small:
        before = extract.build("cases", "IRAS 1").rows
    grow(cast, count=4)
    with CaptureQueriesContext(connection) as large:
        rows = extract.build("cases", "IRAS 1").rows
    assert len(rows) > len(before)
    assert len(large.captured_queries) == len(small.captured_queries)
