"""Compliance notices for the authorisation matrix, and the records the compliance tests build
directly (an enrolment of a case led by ``cast.clinician``, appointments with their attendance)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.utils import timezone

from casework.treatment.choices import AppointmentKind, Attendance, LegalBasis, NoticeChannel, PlaceKind


def programme():
    from casework.treatment.models import KeptProgramme

    content = {"code": "test", "version": "1", "title": "Test programme", "modules": [], "sessions": 12}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()
    kept, _ = KeptProgramme.objects.get_or_create(
        content_hash=digest, defaults={"code": "test", "version": "1", "title": "Test programme", "content": content}
    )
    return kept


def make_enrolment(cast, *, case=None, email="officer@probation.example.org", agency=None, **fields):
    from casework.cases.tests.factories import make_case
    from casework.treatment.models import Enrolment

    case = case or make_case(lead=cast.clinician, by=cast.clinical_lead)
    if agency is None:  # as the enrolment service requires for treatment under compulsion
        from casework.accounts.tests.factories import OrganisationFactory

        agency = OrganisationFactory(kind="probation")
    return Enrolment.objects.create(
        case=case,
        programme=programme(),
        legal_basis=LegalBasis.COMMUNITY_ORDER,
        supervising_agency=agency,
        supervising_officer_name="Officer Matrix",
        supervising_officer_email=email,
        starts_on=timezone.localdate() - dt.timedelta(days=200),
        created_by=cast.clinician,
        updated_by=cast.clinician,
        **fields,
    )


def appointment(cast, enrolment, *, days_ago: int, attendance=Attendance.DID_NOT_ATTEND, acceptable=None, **fields):
    from casework.treatment.models import Appointment

    starts = timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) - dt.timedelta(days=days_ago)
    return Appointment.objects.create(
        case=enrolment.case,
        enrolment=enrolment,
        kind=AppointmentKind.TREATMENT,
        clinician=cast.clinician,
        place_kind=PlaceKind.VIDEO,
        starts_at=starts,
        attendance=attendance,
        reason_acceptable=acceptable,
        cancellation_reason="Said the car broke down" if attendance == Attendance.CANCELLED_BY_CLIENT else "",
        created_by=cast.clinician,
        **fields,
    )


def make_notice(cast, enrolment, **fields):
    import uuid

    from casework.treatment.models import ComplianceNotice

    fields.setdefault("channel", NoticeChannel.EMAIL)
    return ComplianceNotice.objects.create(
        enrolment=enrolment,
        reason="2 unacceptable absences",
        idempotency_key=f"cn-{uuid.uuid4().hex}",
        raised_by=cast.clinician,
        **fields,
    )


def overrides(cast) -> dict[str, dict]:
    from casework.treatment.services.compliance import token_for

    enrolment = make_enrolment(cast)
    notice = make_notice(cast, enrolment)
    c = {"reference": enrolment.case.reference}
    return {
        "treatment:notices": c,
        "treatment:notice_check": {**c, "enrolment_id": enrolment.pk},
        "treatment:notice": {**c, "pk": notice.pk},
        "treatment:notice_acknowledge": {**c, "pk": notice.pk},
        "treatment:notice_resend": {**c, "pk": notice.pk},
        "notices:acknowledge": {"token": token_for(notice)},
    }
