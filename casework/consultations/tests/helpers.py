"""Builders for the consultation's tests: a consultation case, its request and a meeting."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.cases.choices import CaseKind
from casework.cases.tests.factories import make_case
from casework.consultations.models import ConsultationMeeting, ConsultationRequest

MINUTES = "Minutes canary: DS Pike described the stalker's visits to the school gate."


def consultation_case(cast, *, lead=None):
    return make_case(lead=lead or cast.clinician, by=cast.clinical_lead, kind=CaseKind.CONSULTATION)


def consultation_request(case, by, *, agency, **fields) -> ConsultationRequest:
    values = {
        "officer_name": "DS Jo Pike",
        "officer_email": "jo.pike@example.police.uk",
        "question": "How should we manage his contact with the school?",
        "material": "Crime report and the victim's statement",
        "received_on": timezone.localdate() - dt.timedelta(days=30),
    }
    values.update(fields)
    return ConsultationRequest.objects.create(case=case, agency=agency, created_by=by, updated_by=by, **values)


def meeting(case, by, *, days_ago: int = 10, **fields) -> ConsultationMeeting:
    values = {
        "held_on": timezone.localdate() - dt.timedelta(days=days_ago),
        "attendees": "DS Jo Pike, Northshire Police\nDr A Clinician",
        "minutes": MINUTES,
    }
    values.update(fields)
    return ConsultationMeeting.objects.create(case=case, recorded_by=by, **values)
