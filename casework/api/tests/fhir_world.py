"""Records for the FHIR RiskAssessment, CarePlan and Appointment tests: a perpetrator case opened from
a referral of ``cast.organisation``, a signed assessment with its plan, a report issued to the
organisation after the signing, and appointments in the diary."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from casework.assessments.tests import factories as assessment_factories
from casework.reports.tests.issued import make_issued, report_on
from casework.treatment.choices import AppointmentKind, Attendance, PlaceKind
from casework.treatment.models import Appointment


@dataclass
class Released:
    case: object
    referral: object
    assessment: object
    plan: object
    issued: object


def release(cast, rworld=None) -> Released:
    """A signed assessment and its plan, then a report on its case issued to ``cast.organisation``."""
    if rworld is None:
        from casework.reports.tests.conftest import build  # (pytest's: not for the matrix world)

        rworld = build(cast)
    assessment = assessment_factories.signed(rworld.case, cast.clinician, cast.clinical_lead)
    plan = assessment_factories.planned(assessment, cast.clinician)
    issued = make_issued(
        report_on(rworld.case, by=cast.clinician, source_referral=rworld.referral),
        recipient=cast.organisation,
        by=cast.clinician,
    )
    return Released(rworld.case, rworld.referral, assessment, plan, issued)


def book(cast, case, *, kind=AppointmentKind.ASSESSMENT, attendance=Attendance.BOOKED, days=7, enrolment=None):
    return Appointment.objects.create(
        case=case,
        enrolment=enrolment,
        kind=kind,
        clinician=cast.clinician,
        place_kind=PlaceKind.PRISON,
        place_detail="HMP Northshire visits hall",
        starts_at=timezone.now().replace(microsecond=0) + dt.timedelta(days=days),
        attendance=attendance,
        created_by=cast.clinician,
    )


@dataclass
class Opened:
    case: object
    referral: object


def across_the_barrier(cast, token) -> Opened:
    """Stan's perpetrator case (referred by ``cast.organisation``, sent by someone else), across
    the barrier from the token's account, which sent the referral of Vera, his victim."""
    from casework.cases.tests.factories import barrier_pair

    pair = barrier_pair(cast)
    type(pair.vera_referral).objects.filter(pk=pair.vera_referral.pk).update(created_by=token.token.user)
    return Opened(pair.stan_case, pair.stan_referral)
