"""Records the enrolment tests (and the authorisation matrix) build on: a perpetrator case led by
``cast.clinician`` with a community order requiring treatment, a probation service supervising
it, an enrolment, and one discharged with its follow-ups."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory
from casework.cases.choices import OrderKind
from casework.cases.services.records import order_add
from casework.treatment.services import enrolment as services

PROGRAMME = "stalking-community"


def probation():
    from casework.organisations.models import Organisation

    found = Organisation.objects.filter(name="Northshire Probation Service").first()
    return found or OrganisationFactory(name="Northshire Probation Service", kind="probation")


def order_on(case, by, kind: str = OrderKind.COMMUNITY_ORDER, *, days_ago: int = 400, days_left: int = 365):
    today = timezone.localdate()
    return order_add(
        case=case,
        by=by,
        kind=kind,
        issued_by="Northshire Magistrates' Court",
        starts_on=today - dt.timedelta(days=days_ago),
        ends_on=today + dt.timedelta(days=days_left) if days_left is not None else None,
        attend_treatment=True,
    )


def enrol_on(case, by, order, *, days_ago: int = 100, basis: str = "community_order", programme: str = PROGRAMME):
    return services.enrol(
        case=case,
        programme_code=programme,
        legal_basis=basis,
        order=order,
        supervising_agency=probation(),
        supervising_officer_name="Pat Probation",
        supervising_officer_email="pat.probation@example.org",
        starts_on=timezone.localdate() - dt.timedelta(days=days_ago),
        by=by,
    )


@dataclass
class Treated:
    case: object
    order: object
    discharged: object
    active: object

    @property
    def follow_up(self):
        return self.discharged.follow_ups.order_by("point").first()


def treated_case(cast, case=None) -> Treated:
    """A case with a completed enrolment (discharged 200 days ago: its 6-month follow-up falls due
    soon) and an active one."""
    from casework.cases.tests.factories import make_case

    case = case or make_case(lead=cast.clinician, by=cast.clinical_lead)
    order = order_on(case, cast.clinician)
    first = enrol_on(case, cast.clinician, order, days_ago=380)
    services.discharge(
        enrolment=first,
        status="completed",
        reason="Completed all twenty sessions.",
        discharged_on=timezone.localdate() - dt.timedelta(days=175),
        by=cast.clinician,
    )
    active = enrol_on(case, cast.clinician, order, days_ago=60)
    return Treated(case=case, order=order, discharged=first, active=active)
