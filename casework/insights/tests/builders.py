"""A small service, built by hand, whose every figure is known (the tests freeze the clock at
NOON, 15 June 2026, so the default period is July 2025 to June 2026).

Referrals received in the period (plus one before it and a draft, neither counted):

- A: police, 10 March 2026, stalker assessment and a sentencing report; accepted 20 March
  (10 days), allocated 25 March (5 days after acceptance); opens case 1 on 1 April (22 days),
  first assessment attended 15 April (36 days), report issued 30 April (51 days) by its due date.
- B: probation, 15 March 2026, stalker treatment; declined 17 March (2 days), stalking not significant.
- C: police, 2 May 2026, victim assessment; not yet decided.
- D: a court, 2 June 2026, stalker assessment; accepted 12 June (10 days); opens case 2 on 14 June.

Cases: 1 and 2 led by the clinician, open; 3 led by the other clinician, on hold; 4 closed.
Reports: case 1's police report issued on time; case 2's sentencing report issued late.
Treatment (case 1): one enrolment completed in May, one disengaged in May; sessions in the period:
three attended, one attended late, two not attended, one cancelled by the client.
Follow-ups at 6 months, both done in June: one found further stalking.
Typology: case 1 rejected, case 2 not yet recorded. Episodes on case 1: two victims, an ex-partner
and a stranger.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.cases.models import Case, CaseParty, CaseReferral, StalkingEpisode
from casework.cases.tests.factories import make_case, ready_referral
from casework.core.roles import Role
from casework.people.tests.factories import create_person
from casework.referrals.models import Referral
from casework.referrals.tests.factories import DraftReferralFactory, ReferralFactory
from casework.reports.models import IssuedReport, ReportRequest
from casework.reports.tests.issued import make_issued, report_on
from casework.treatment.models import Appointment, Enrolment, FollowUp
from casework.treatment.tests.enrolment_helpers import enrol_on, order_on

LONDON = ZoneInfo("Europe/London")
NOON = dt.datetime(2026, 6, 15, 12, 0, tzinfo=LONDON)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=LONDON)


@dataclass
class Service:
    police: object
    probation: object
    court: object
    a: Referral
    b: Referral
    c: Referral
    d: Referral
    case1: Case
    case2: Case


def _decide(referral: Referral, decision: str, decided: dt.date, allocated: dt.date | None = None) -> None:
    Referral.objects.filter(pk=referral.pk).update(
        decision=decision,
        decided_at=at(decided),
        allocated_at=at(allocated) if allocated else None,
    )


def _opened(case: Case, on: dt.date) -> None:
    Case.objects.filter(pk=case.pk).update(opened_on=on)


def build_service(cast) -> Service:
    lead, clinician, other = cast.clinical_lead, cast.clinician, cast.other_clinician
    police = OrganisationFactory(name="Insight Police", kind="police")
    probation = OrganisationFactory(name="Insight Probation", kind="probation")
    court = OrganisationFactory(name="Insight Court", kind="court")

    # Referrals (A and D open cases, so they are made linked to a subject).
    a = ready_referral(
        lead_clinician=clinician,
        referring_organisation=police,
        received_at=at(dt.date(2026, 3, 10)),
        services=["stalker_assessment", "report_sentencing"],
    )
    _decide(a, "accept", dt.date(2026, 3, 20), dt.date(2026, 3, 25))
    b = ReferralFactory(
        status="declined",
        referring_organisation=probation,
        received_at=at(dt.date(2026, 3, 15)),
        services=["stalker_treatment"],
        stalking_significant=False,
    )
    _decide(b, "decline", dt.date(2026, 3, 17))
    c = ReferralFactory(
        referring_organisation=police, received_at=at(dt.date(2026, 5, 2)), services=["victim_assessment"]
    )
    d = ready_referral(
        lead_clinician=clinician,
        referring_organisation=court,
        received_at=at(dt.date(2026, 6, 2)),
        services=["stalker_assessment"],
    )
    _decide(d, "accept", dt.date(2026, 6, 12))
    ReferralFactory(referring_organisation=police, received_at=at(dt.date(2024, 1, 5)))
    DraftReferralFactory(referring_organisation=police, received_at=None)

    # Cases.
    case1 = make_case(lead=clinician, by=lead, referral=a)
    _opened(case1, dt.date(2026, 4, 1))
    case2 = make_case(lead=clinician, by=lead, referral=d)
    _opened(case2, dt.date(2026, 6, 14))
    case3 = make_case(lead=other, by=lead, received_at=at(dt.date(2024, 2, 1)))
    Case.objects.filter(pk=case3.pk).update(status="on_hold", opened_on=dt.date(2024, 3, 1))
    case4 = make_case(lead=other, by=lead, received_at=at(dt.date(2024, 2, 1)))
    Case.objects.filter(pk=case4.pk).update(
        status="closed", opened_on=dt.date(2024, 3, 1), closed_on=dt.date(2025, 1, 1), closure_reason="work_completed"
    )
    assert CaseReferral.objects.filter(referral=a, opened_case=True).exists()
    Case.objects.filter(pk=case1.pk).update(stalker_type="rejected")

    # Reports: one on time, one late.
    on_time = report_on(case1, by=lead, report_type="police")
    ReportRequest.objects.filter(pk=on_time.request_id).update(due_on=dt.date(2026, 5, 1))
    issued = make_issued(on_time, recipient=police, by=lead)
    IssuedReport.objects.filter(pk=issued.pk).update(issued_at=at(dt.date(2026, 4, 30)))
    late = report_on(case2, by=lead, report_type="sentencing")
    ReportRequest.objects.filter(pk=late.request_id).update(due_on=dt.date(2026, 6, 10))
    issued_late = make_issued(late, recipient=court, by=lead)
    IssuedReport.objects.filter(pk=issued_late.pk).update(issued_at=at(dt.date(2026, 6, 13)))

    # Treatment on case 1.
    order = order_on(case1, lead)
    completed = enrol_on(case1, lead, order, days_ago=200)
    Enrolment.objects.filter(pk=completed.pk).update(status="completed", discharged_on=dt.date(2026, 5, 20))
    disengaged = enrol_on(case1, lead, order, days_ago=150)
    Enrolment.objects.filter(pk=disengaged.pk).update(status="disengaged", discharged_on=dt.date(2026, 5, 21))

    # Follow-ups at 6 months: one found further stalking; none was re-referred or reconvicted.
    for enrolment, further in ((completed, True), (disengaged, False)):
        FollowUp.objects.create(
            enrolment=enrolment,
            point=6,
            due_on=dt.date(2026, 6, 1),
            done_on=dt.date(2026, 6, 5),
            re_referred=False,
            further_stalking=further,
            reconvicted=False,
        )

    def session(day: dt.date, attendance: str, kind: str = "treatment") -> None:
        Appointment.objects.create(
            case=case1,
            enrolment=None if kind == "assessment" else completed,
            kind=kind,
            clinician=clinician,
            place_kind="video",
            starts_at=at(day),
            attendance=attendance,
            created_by=lead,
        )

    for day in (dt.date(2026, 1, 5), dt.date(2026, 1, 12), dt.date(2026, 1, 19)):
        session(day, "attended")
    session(dt.date(2026, 1, 26), "late")
    session(dt.date(2026, 2, 2), "dna")
    session(dt.date(2026, 2, 9), "dna")
    session(dt.date(2026, 2, 16), "cancelled_client")
    session(dt.date(2026, 6, 20), "booked")  # after now: not counted
    session(dt.date(2024, 6, 1), "dna")  # before the period
    session(dt.date(2026, 4, 15), "attended", kind="assessment")
    session(dt.date(2026, 4, 14), "cancelled_clinic", kind="assessment")

    # Episodes on case 1: an ex-partner and a stranger.
    for name, relationship in (("Vee One", "ex_intimate_partner"), ("Vee Two", "stranger")):
        person = create_person(by=cast.coordinator, given_name=name.split()[0], family_name=name.split()[1])
        party = CaseParty.objects.create(
            case=case1, person=person, role="victim", name_as_given=name, added_at=timezone.now(), added_by=lead
        )
        StalkingEpisode.objects.create(
            case=case1, victim=party, prior_relationship=relationship, updated_at=timezone.now(), updated_by=lead
        )
    return Service(police, probation, court, a, b, c, d, case1, case2)


def grow(cast, count: int = 3) -> None:
    """More of everything the dashboards count, for the query-count tests."""
    organisation = OrganisationFactory(kind="nhs_trust")
    for n in range(count):
        referral = ReferralFactory(
            referring_organisation=organisation,
            received_at=at(dt.date(2026, 2, 1 + n)),
            services=["stalker_assessment", "report_police"],
        )
        _decide(referral, "decline" if n % 2 else "accept", dt.date(2026, 2, 10 + n))
    clinician = UserFactory(role=Role.CLINICIAN, full_name=f"Extra Clinician {count}")
    from casework.accounts.tests.factories import TrainingRecordFactory

    TrainingRecordFactory(user=clinician)
    case = make_case(lead=clinician, by=cast.clinical_lead, received_at=at(dt.date(2026, 3, 3)))
    Case.objects.filter(pk=case.pk).update(stalker_type="resentful")
    report = report_on(case, by=cast.clinical_lead, report_type="mappa")
    make_issued(report, recipient=organisation, by=cast.clinical_lead)
