"""What a case carries from a referral when it is opened from it or the referral's work is added to
it (issue 11, item 2): the orders in force, the next hearing and the parole hearing, the services
accepted with the date a report is due, and the referring officer. Nobody retypes them.

Each carried record names the referral it came from (``source_referral``), is recorded in the
opening's (or the adding's) one audit event against the case, and is written inside that service's
transaction (the opener's ``cases.open`` permission covers it: these helpers are not services of
their own). A record the case already holds is not carried twice: an order of the same kind still in
force, a court (or parole) hearing on the same day, a service already owed by the same date, an
officer of the same agency with the same name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from casework.audit.services import for_trail, snapshot
from casework.cases.choices import REFERRAL_ORDER_KINDS, HearingKind, OfficerRole
from casework.cases.models import AgencyOfficer, Case, CaseService, Hearing, InvolvedAgency, LegalOrder
from casework.organisations.models import OrganisationKind
from casework.referrals.choices import REPORT_SERVICES, LegalStatus, Service
from casework.referrals.models import Referral

# The referring officer's role in the case, by the kind of organisation that referred.
OFFICER_ROLES = {
    OrganisationKind.POLICE_FORCE: OfficerRole.POLICE_OFFICER,
    OrganisationKind.PROBATION: OfficerRole.OFFENDER_MANAGER,
    OrganisationKind.NHS_TRUST: OfficerRole.CARE_COORDINATOR,
    OrganisationKind.SOCIAL_SERVICES: OfficerRole.SOCIAL_WORKER,
}


@dataclass
class Carried:
    """What was carried and what could not be, as changes for the opening's one audit event
    (each record as ``audit_created`` would name it: ``order 12``, its values as the trail keeps them)."""

    changes: dict[str, Any] = field(default_factory=dict)
    orders_not_carried: list[str] = field(default_factory=list)

    def created(self, obj, label: str) -> None:
        values = for_trail(type(obj), snapshot(obj, type(obj).AUDITED_FIELDS))
        self.changes[f"{label} {obj.pk}"] = {"old": None, "new": values}

    def as_changes(self) -> dict[str, Any]:
        extra = {"orders not carried": {"old": None, "new": self.orders_not_carried}} if self.orders_not_carried else {}
        return {**self.changes, **extra}


def carry_from(*, case: Case, referral: Referral, by, now: dt.datetime) -> Carried:
    """Carry the referral's orders, hearings, services and officer into the case (inside the
    caller's transaction, after its permission check)."""
    carried = Carried()
    _carry_orders(case, referral, by, now, carried)
    _carry_hearings(case, referral, by, now, carried)
    _carry_services(case, referral, by, now, carried)
    _carry_officer(case, referral, by, now, carried)
    return carried


def _carry_orders(case, referral, by, now, carried: Carried) -> None:
    today = timezone.localdate(now)
    held = [o for o in case.orders.select_related("source_referral") if o.in_force_on(today)]
    kinds_in_force = {o.kind for o in held}
    for value in dict.fromkeys(referral.orders_in_force or []):
        kind = REFERRAL_ORDER_KINDS.get(value)
        if kind is None:
            carried.orders_not_carried.append(str(value))
            continue
        if kind in kinds_in_force:
            continue
        order = LegalOrder.objects.create(
            case=case,
            kind=kind,
            source_referral=referral,
            recorded_by=by,
            recorded_at=now,
        )
        carried.created(order, "order")
        kinds_in_force.add(kind)


def next_hearing_kind(referral: Referral) -> str:
    """The kind of the referral's next court hearing: a sentencing hearing for someone convicted
    whose report for sentencing was accepted, a bail hearing when a bail report was, else a court
    hearing."""
    accepted = set(referral.accepted_services or [])
    if referral.legal_status == LegalStatus.CONVICTED and Service.REPORT_SENTENCING in accepted:
        return HearingKind.SENTENCING
    if Service.REPORT_BAIL in accepted and referral.legal_status != LegalStatus.CONVICTED:
        return HearingKind.BAIL
    return HearingKind.COURT


def _carry_hearings(case, referral, by, now, carried: Carried) -> None:
    wanted = []
    if referral.next_hearing_on:
        wanted.append((next_hearing_kind(referral), referral.next_hearing_on))
    if referral.parole_hearing_on:
        wanted.append((HearingKind.PAROLE, referral.parole_hearing_on))
    # A court hearing on a day the case already has one is that hearing, whatever another referral
    # called it; a parole hearing likewise.
    held = {(kind == HearingKind.PAROLE, day) for kind, day in case.hearings.values_list("kind", "hearing_on")}
    for kind, day in wanted:
        if (kind == HearingKind.PAROLE, day) in held:
            continue
        hearing = Hearing.objects.create(
            case=case,
            kind=kind,
            hearing_on=day,
            source_referral=referral,
            recorded_by=by,
            recorded_at=now,
        )
        carried.created(hearing, "hearing")
        held.add((kind == HearingKind.PAROLE, day))


def service_due_on(referral: Referral, service: str) -> dt.date | None:
    """When the referral needs the service by: the report due date for a report, else none set."""
    return referral.report_due_on if service in REPORT_SERVICES else None


def _carry_services(case, referral, by, now, carried: Carried) -> None:
    held = set(case.services.values_list("service", "due_on"))
    chosen = set(referral.accepted_services or [])
    for service in [s.value for s in Service if s.value in chosen]:
        due_on = service_due_on(referral, service)
        if (service, due_on) in held:
            continue
        owed = CaseService.objects.create(
            case=case,
            service=service,
            due_on=due_on,
            source_referral=referral,
            added_at=now,
            added_by=by,
        )
        carried.created(owed, "service")
        held.add((service, due_on))


def _carry_officer(case, referral, by, now, carried: Carried) -> None:
    name = referral.referrer_name.strip()
    if not name:
        return
    organisation = referral.referring_organisation
    agency = (
        InvolvedAgency.objects.filter(case=case, organisation=organisation).first()
        or InvolvedAgency.objects.filter(case=case, name__iexact=organisation.name).first()
    )
    if agency is None:
        agency = InvolvedAgency.objects.create(
            case=case,
            organisation=organisation,
            name=organisation.name[:200],
            added_at=now,
            added_by=by,
        )
        carried.created(agency, "agency")
    elif agency.officers.filter(name__iexact=name[:150]).exists():
        return
    officer = AgencyOfficer.objects.create(
        agency=agency,
        role=OFFICER_ROLES.get(organisation.kind, OfficerRole.OTHER),
        name=name[:150],
        job_title=referral.referrer_job_title[:150],
        email=referral.referrer_email,
        phone=referral.referrer_phone[:30],
        source_referral=referral,
        added_at=now,
        added_by=by,
    )
    carried.created(officer, "officer")
