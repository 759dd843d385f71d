"""The report request services: made from the case's accepted report services (no retyping, never
twice), added by hand, changed; each checks its permission and is audited against the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.organisations.models import OrganisationKind
from casework.referrals.tests.factories import ReferralDocumentFactory
from casework.reports import services
from casework.reports.choices import ReportType, RequestStatus, report_type_for
from casework.reports.models import ReportRequest
from casework.reports.services import ReportRefused
from casework.reports.tests.conftest import build


def _events(case):
    return AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))


def test_requests_come_from_the_accepted_report_services_with_the_referrals_details_and_never_twice(cast, rworld):
    made = services.requests_from_case(case=rworld.case, by=cast.clinician)
    assert sorted(r.report_type for r in made) == [ReportType.NHS_TRUST, ReportType.SENTENCING]
    for report in made:
        assert report.due_on == rworld.due_on
        assert report.instructing_party == cast.organisation
        assert report.instructing_officer_name == "DC Dana Instructing"
        assert report.instructing_officer_email == "dana.instructing@example.police.uk"
        assert report.letter_of_instruction == rworld.letter
        assert report.source_referral == rworld.referral
        assert report.status == RequestStatus.REQUESTED
    assert _events(rworld.case).filter(object_label__endswith="report requests from the referral").count() == 1
    assert services.requests_from_case(case=rworld.case, by=cast.clinical_lead) == []
    assert ReportRequest.objects.filter(case=rworld.case).count() == 2
    assert _events(rworld.case).filter(object_label__endswith="report requests from the referral").count() == 1


def test_risk_advice_goes_to_social_services_when_social_services_referred(cast, documents_in_tmp):
    world = build(cast, kind=OrganisationKind.SOCIAL_SERVICES)
    made = services.requests_from_case(case=world.case, by=cast.clinician)
    assert ReportType.SOCIAL_SERVICES in {r.report_type for r in made}
    assert report_type_for("stalker_assessment", None) is None


def test_only_who_may_write_the_case_makes_requests(cast, rworld):
    for user in (cast.coordinator, cast.other_clinician, cast.finance):
        with pytest.raises(PermissionDenied):
            services.requests_from_case(case=rworld.case, by=user)
    assert not ReportRequest.objects.exists()


def test_a_request_added_later_is_checked_and_audited(cast, rworld):
    elsewhere = ReferralDocumentFactory()
    with pytest.raises(ReportRefused) as refused:
        services.request_add(case=rworld.case, report_type="parole", letter_of_instruction=elsewhere, by=cast.clinician)
    assert refused.value.field == "letter_of_instruction"
    with pytest.raises(ReportRefused):
        services.request_add(case=rworld.case, report_type="novel", by=cast.clinician)
    report = services.request_add(
        case=rworld.case,
        report_type="parole",
        due_on=timezone.localdate() + dt.timedelta(days=60),
        questions="What is the risk of further stalking?",
        letter_of_instruction=rworld.letter,
        by=cast.clinician,
    )
    event = _events(rworld.case).filter(action="create").latest("id")
    assert "What is the risk" not in str(event.changes)
    assert report.letter_of_instruction == rworld.letter and report.source_referral is None


def test_status_changes_but_issuing_is_not_offered_here(cast, rworld):
    report = services.requests_from_case(case=rworld.case, by=cast.clinician)[0]
    services.request_update(report=report, status=RequestStatus.IN_PROGRESS, questions="New words", by=cast.clinician)
    report.refresh_from_db()
    assert report.status == RequestStatus.IN_PROGRESS
    event = _events(rworld.case).filter(action="update").latest("id")
    assert event.changes[f"{report.audit_label} status"] == {"old": "requested", "new": "in_progress"}
    assert event.changes[f"{report.audit_label} questions"] == {"old": None, "new": "changed"}
    with pytest.raises(ReportRefused):
        services.request_update(report=report, status=RequestStatus.ISSUED, by=cast.clinician)
    with pytest.raises(PermissionDenied):
        services.request_update(report=report, status=RequestStatus.WITHDRAWN, by=cast.coordinator)
