"""Demo treatment enrolments (issue 14), made through the treatment services: open perpetrator
cases enrolled under each legal basis (a community order with a mental health treatment
requirement, a bail condition, a licence condition) on an order of the matching kind — recorded
on the case through the case services when the case had none — with the supervising agency and
officer; baseline and mid-treatment outcome measures; some discharged (completed, disengaged,
breached) with their follow-ups, one of which has fallen due and one recorded; and one person back
for a voluntary episode after completing the programme under a licence. Idempotent: once
there is an enrolment, nothing is added. Synthetic data only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.cases.choices import CaseKind, CaseStatus, OfficerRole, OrderKind, TeamRole
from casework.cases.models import AgencyOfficer, CaseTeamMember, LegalOrder
from casework.cases.services import records
from casework.organisations.models import Organisation, OrganisationKind
from casework.treatment.choices import ORDER_KINDS_FOR_BASIS, LegalBasis
from casework.treatment.models import Enrolment, FollowUp
from casework.treatment.services import enrolment as services

# (legal basis, programme, days since treatment started, how it ended and how many days ago, or None)
PLAN: list[tuple[str, str, int, tuple[str, int] | None]] = [
    (LegalBasis.COMMUNITY_ORDER, "stalking-community", 70, None),
    (LegalBasis.LICENCE_CONDITION, "stalking-community", 120, None),
    (LegalBasis.BAIL_CONDITION, "stalking-brief", 21, None),
    (LegalBasis.COMMUNITY_ORDER, "stalking-community", 35, None),
    (LegalBasis.COMMUNITY_ORDER, "stalking-community", 360, ("completed", 178)),
    (LegalBasis.LICENCE_CONDITION, "stalking-community", 600, ("completed", 400)),
    (LegalBasis.COMMUNITY_ORDER, "stalking-community", 260, ("disengaged", 150)),
    (LegalBasis.BAIL_CONDITION, "stalking-brief", 120, ("breached", 60)),
]
ISSUERS = {
    OrderKind.COMMUNITY_ORDER: "Northshire Magistrates' Court",
    OrderKind.BAIL_CONDITIONS: "Northshire Crown Court",
    OrderKind.LICENCE_CONDITIONS: "HM Prison and Probation Service (release on licence)",
}
REASONS = {
    "completed": "Attended all planned sessions and wrote a relapse prevention plan, shared with the officer.",
    "disengaged": "Stopped attending after the ninth session despite reminders; the supervising officer was told.",
    "breached": "Arrested for contacting the victim in breach of bail; remanded in custody.",
}


def _lead(case):
    member = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).select_related("user").first()
    return member.user if member and member.user.is_active else None


def _order(case, basis: str, starts_on: dt.date, by):
    kinds = ORDER_KINDS_FOR_BASIS[LegalBasis(basis)]
    for order in LegalOrder.objects.filter(case=case, kind__in=kinds).order_by("-id"):
        if order.ends_on is None or order.ends_on >= starts_on:
            return order
    kind = kinds[0]
    return records.order_add(
        case=case,
        by=by,
        kind=kind,
        issued_by=ISSUERS.get(kind, ""),
        starts_on=starts_on - dt.timedelta(days=14),
        ends_on=starts_on + dt.timedelta(days=540 if kind != OrderKind.BAIL_CONDITIONS else 180),
        no_contact=True,
        attend_treatment=True,
    )


def _officer(case, basis: str, faker) -> tuple[Organisation | None, str, str]:
    kind = OrganisationKind.POLICE_FORCE if basis == LegalBasis.BAIL_CONDITION else OrganisationKind.PROBATION
    agency = Organisation.objects.filter(kind=kind, is_active=True).order_by("id").first()
    role = OfficerRole.POLICE_OFFICER if kind == OrganisationKind.POLICE_FORCE else OfficerRole.OFFENDER_MANAGER
    known = AgencyOfficer.objects.filter(agency__case=case, role=role).order_by("id").first()
    if known is not None:
        return agency, known.name, known.email
    first, last = faker.first_name(), faker.last_name()
    return agency, f"{first} {last}", f"{first}.{last}@{kind}.example.org".lower()


def _measures(enrolment, by, today: dt.date, *, ended_on: dt.date | None, rng) -> None:
    programme = services.programmes.of(enrolment.programme)
    elapsed = ((ended_on or today) - enrolment.starts_on).days
    baseline = 6 + rng.randint(0, 3)
    for measure in programme.measures:
        for stage in measure.stages:
            if stage == "middle" and elapsed < 60 or stage == "end" and ended_on is None:
                continue
            taken_on = {
                "start": enrolment.starts_on,
                "middle": enrolment.starts_on + dt.timedelta(days=elapsed // 2),
                "end": ended_on or today,
            }[stage]
            change = {"start": 0, "middle": 2, "end": 4}[stage]
            high = measure.maximum
            if measure.higher_is_better:
                score = min(high, round(high * (0.3 + change / 10)) + rng.randint(0, 1))
            else:
                score = max(measure.minimum, baseline - change)
            services.outcome_record(
                enrolment=enrolment, measure=measure.code, stage=stage, score=score, taken_on=taken_on, by=by
            )


def seed(context) -> None:
    if Enrolment.objects.exists():
        context.say(f"Treatment enrolments: already there ({Enrolment.objects.count()})")
        return
    today = timezone.localdate()
    cases = [
        case
        for case in (
            CaseTeamMember.objects.filter(
                role=TeamRole.LEAD_CLINICIAN, case__kind=CaseKind.PERPETRATOR, case__status=CaseStatus.OPEN
            )
            .select_related("case")
            .order_by("case_id")
        )
    ]
    made = 0
    for (basis, code, started_days, ending), member in zip(PLAN, cases, strict=False):
        case = member.case
        by = _lead(case)
        if by is None:
            continue
        starts_on = today - dt.timedelta(days=started_days)
        order = _order(case, basis, starts_on, by)
        agency, name, email = _officer(case, basis, context.faker)
        enrolment = services.enrol(
            case=case,
            programme_code=code,
            legal_basis=basis,
            order=order,
            supervising_agency=agency,
            supervising_officer_name=name,
            supervising_officer_email=email,
            starts_on=starts_on,
            ends_on=starts_on + dt.timedelta(days=300 if code == "stalking-community" else 90),
            by=by,
        )
        ended_on = today - dt.timedelta(days=ending[1]) if ending else None
        _measures(enrolment, by, today, ended_on=ended_on, rng=context.rng)
        if ending is not None and ended_on is not None:
            services.discharge(
                enrolment=enrolment, status=ending[0], reason=REASONS[ending[0]], discharged_on=ended_on, by=by
            )
            six_months = FollowUp.objects.get(enrolment=enrolment, point=6)
            if six_months.due_on < today - dt.timedelta(days=14):
                services.follow_up_record(
                    follow_up=six_months,
                    re_referred=False,
                    further_stalking=False,
                    reconvicted=False,
                    notes="Spoke to the offender manager: no further reports to the police, order complied with.",
                    done_on=six_months.due_on + dt.timedelta(days=7),
                    by=by,
                )
            if ending == ("completed", 400):
                # Back for more, without an order this time: possible after a first episode.
                services.enrol(
                    case=case,
                    programme_code="stalking-brief",
                    legal_basis=LegalBasis.VOLUNTARY,
                    starts_on=today - dt.timedelta(days=28),
                    ends_on=today + dt.timedelta(days=60),
                    by=by,
                )
        made += 1
    context.say(f"Treatment enrolments: {made}")
