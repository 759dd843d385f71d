"""Growth recipes for the clinical pages of the query-count convention test
(``test_every_page_queries_flat.GROWTH``): each gives the matrix world's own records (``world`` is the
first world built: its URL arguments are the ones counted twice) more of what their pages list, through
the project's services where there is one. Building the world again makes new cases, so a page about
one case lists no more unless its case is given more here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any


def _case_of(world, url_name: str):
    from casework.cases.models import Case

    return Case.objects.get(reference=world.kwargs_for(url_name)["reference"])


def _new_clinician_on(case, cast):
    """A clinician added to ``case``'s team, whose diary is empty (no booking of hers can clash with
    the world's own appointments or another recipe's)."""
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.services.team import team_add
    from casework.core.roles import Role

    clinician = UserFactory(role=Role.CLINICIAN)
    team_add(case=case, user=clinician, role="clinician", by=cast.clinical_lead)
    return clinician


def _more_assessments(world, cast) -> None:
    """The assessments page's case: more signed assessments (rows of the list, and points of the
    judgements over time); the signed assessment exported as FHIR: more actions in its plan (the
    CarePlan's activities). (Not addenda: it has none in the world, and the pages about it read their
    authors in one more query once there is one, at any number.)"""
    from casework.assessments import services
    from casework.assessments.models import Assessment
    from casework.assessments.queries import plan_for_page
    from casework.assessments.tests import factories

    case = _case_of(world, "assessments:list")
    for _ in range(2):
        factories.signed(case, cast.clinician, cast.clinical_lead)
    signed = Assessment.objects.get(pk=world.kwargs_for("assessments:fhir")["pk"])
    plan = plan_for_page(signed)
    for number, area in enumerate(("monitoring", "victim_safety")):
        services.action_add(
            plan=plan,
            area=area,
            description=f"More supervision ({number})",
            agency="Police",
            person="DC More",
            due_on=_today() + dt.timedelta(days=40 + number),
            by=cast.clinician,
        )


def _more_for_the_victim(world, cast) -> None:
    """The victim case: more versions of the safety plan and more messages to them (the overview's
    lists), and more addresses and email addresses (the subject access request's sections)."""
    from casework.people import services as people
    from casework.people.models import PersonAddress, PersonEmail
    from casework.victims.services import messages, plans
    from casework.victims.tests.helpers import plan_values

    case = _case_of(world, "victims:overview")
    for number in range(2):
        plans.plan_agree(
            case=case,
            by=cast.clinician,
            values=plan_values(review_on=_today() + dt.timedelta(days=90 + number)),
        )
        messages.message_send(case=case, channel="letter", text=f"A note of our call ({number}).", by=cast.clinician)
        people.detail_add(
            person=case.subject, model=PersonAddress, by=cast.clinician, address=f"{number} Further Road\nTesttown"
        )
        people.detail_add(
            person=case.subject,
            model=PersonEmail,
            by=cast.clinician,
            address=f"more{number}@example.org",
            safe_to_contact=False,
        )


def _more_in_the_consultation(world, cast) -> None:
    """The consultation case: more meetings, and advice letters issued (made directly, as the
    report tests make issues: issuing is the reports' own service)."""
    from casework.consultations.services import meetings
    from casework.reports.tests.issued import make_issued, report_on

    case = _case_of(world, "consultations:overview")
    for number in range(2):
        meetings.meeting_add(
            case=case,
            held_on=_today() - dt.timedelta(days=3 + number),
            attendees="DS Jo Pike, Northshire Police\nDr A Clinician",
            minutes=f"More advice discussed ({number}).",
            by=cast.clinician,
        )
        make_issued(
            report_on(case, by=cast.clinician, report_type="consultation"),
            recipient=cast.organisation,
            by=cast.clinician,
        )


def _more_compliance_notices(world, cast) -> None:
    """The compliance notices' enrolment: absences booked and recorded through the diary; two of them
    given to the world's notice (made directly, with none), and four more that the rule makes into two
    more notices as their attendance is recorded."""
    from django.utils import timezone

    from casework.treatment.models import ComplianceNotice
    from casework.treatment.services import diary

    notice = ComplianceNotice.objects.select_related("enrolment__case").get(
        pk=world.kwargs_for("treatment:notice")["pk"]
    )
    enrolment = notice.enrolment
    clinician = _new_clinician_on(enrolment.case, cast)
    now = timezone.now().replace(second=0, microsecond=0)
    for number in range(6):
        missed = diary.appointment_book(
            case=enrolment.case,
            kind="treatment",
            clinician=clinician,
            place_kind="video",
            starts_at=now - dt.timedelta(days=30 + number),
            minutes=60,
            enrolment=enrolment,
            by=cast.coordinator,
        )
        if number < 2:
            notice.absences.add(missed)  # counted by the world's notice: no new notice for these
        diary.attendance_record(appointment=missed, attendance="dna", reason="Did not come", by=cast.clinician)


def _more_treatment(world, cast) -> None:
    """The treatment overview's case: more appointments to come (booked through the diary), and
    earlier enrolments (made directly: the service enrols only while none is active)."""
    from django.utils import timezone

    from casework.treatment.services import diary
    from casework.treatment.tests.matrix_compliance import make_enrolment

    case = _case_of(world, "treatment:overview")
    clinician = _new_clinician_on(case, cast)
    now = timezone.now().replace(second=0, microsecond=0)
    for number in range(2):
        diary.appointment_book(
            case=case,
            kind="treatment",
            clinician=clinician,
            place_kind="video",
            starts_at=now + dt.timedelta(days=3 + number),
            minutes=60,
            by=cast.coordinator,
        )
        make_enrolment(
            cast,
            case=case,
            status="completed",
            discharged_on=_today() - dt.timedelta(days=150 + number),
        )


def _today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


CLINICAL_GROWTH: list[Callable[[Any, Any], None]] = [
    _more_assessments,
    _more_for_the_victim,
    _more_in_the_consultation,
    _more_compliance_notices,
    _more_treatment,
]
