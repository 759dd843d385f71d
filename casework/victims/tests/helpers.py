"""Builders for the victim pathway's tests: a victim case with contact details marked safe, and a
safety plan version."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.cases.choices import CaseKind
from casework.cases.tests.factories import make_case
from casework.people.models import PersonAddress, PersonEmail, PersonPhone
from casework.victims.models import SafetyPlanVersion

ALL_DAYS = ["0", "1", "2", "3", "4", "5", "6"]


def victim_case(cast, *, lead=None, contact: bool = True):
    case = make_case(lead=lead or cast.clinician, by=cast.clinical_lead, kind=CaseKind.VICTIM)
    if contact:
        person = case.subject
        PersonEmail.objects.create(person=person, address="unsafe@example.org", safe_to_contact=False)
        PersonEmail.objects.create(person=person, address="safe@example.org", safe_to_contact=True)
        PersonPhone.objects.create(person=person, number="+447700900123", safe_to_contact=True)
        PersonAddress.objects.create(person=person, address="1 Quiet Road\nTesttown", postcode="TT1 1TT")
    return case


def not_today() -> list[str]:
    """Every day but today (UK time): no moment today is an agreed time."""
    today = str(timezone.localdate().weekday())
    return [day for day in ALL_DAYS if day != today]


def plan_values(**fields) -> dict:
    """A safety plan's agreed terms: every way, at any time of any day, agreed today (``fields``
    change them)."""
    values = {
        "channels": ["letter", "email", "sms"],
        "contact_days": ALL_DAYS,
        "contact_from": dt.time(0, 0),
        "contact_until": dt.time(23, 59, 59),
        "may_name_clinic": False,
        "agreed_on": timezone.localdate(),
        "review_on": timezone.localdate() + dt.timedelta(days=90),
    }
    values.update(fields)
    return values


def plan(case, by, *, number: int = 1, **fields) -> SafetyPlanVersion:
    return SafetyPlanVersion.objects.create(case=case, number=number, recorded_by=by, **plan_values(**fields))
