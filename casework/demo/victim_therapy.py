"""Demo therapy for the people who are stalked (issue 15): each open victim case with a safety plan
starts the "Recovery after stalking" programme a week after its plan was agreed, by consent, with
the start measures taken at the first session; weekly sessions with the case's lead clinician, at
the clinic or by video (the past ones mostly attended, with a note of the module and the areas of
need worked on; a few cancelled by the client for a reason the clinic accepts; one missed); the next
two weeks booked. The longest in therapy has finished the programme: end measures taken and
discharged as completed.

Made through the treatment services at the times they would have happened (``time_machine``), so
the trail, the case notes and the diary agree, and booking a coming session schedules its reminder
under the safe-contact rule. Idempotent: nothing is added once a victim case has an enrolment.
Synthetic data only.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.accounts.models import User
from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case
from casework.core.roles import Role
from casework.demo.treatment_diary import _at, _lead_clinician, _local
from casework.treatment import programmes
from casework.treatment.choices import AppointmentKind, Attendance, LegalBasis, PlaceKind
from casework.treatment.models import Enrolment, Room
from casework.treatment.services import diary as diary_services
from casework.treatment.services import enrolment as services
from casework.treatment.services.diary import VICTIM_NEEDS, DiaryRefused
from casework.victims.models import SafetyPlanVersion

PROGRAMME = "victim-recovery"
HOURS = (10, 11, 14, 15)
COMING_WEEKS = 2
SESSION_TEXT = [
    "She described the week: two nights of broken sleep after a car like his parked on the street. Practised "
    "the settling routine together; she will keep the sleep diary this week.",
    "Went through the safety plan with her. She has changed the router password and turned off location "
    "sharing on the family tablet. Less checking of the windows at night.",
    "Talked about the guilt she feels for not ending contact sooner. Named it as the stalker's message, not "
    "the truth; she wrote down what she would say to a friend in her place.",
    "Graded return to the supermarket she stopped using. Went once this week with her sister; fear 6 out of 10 "
    "at the door, 3 by the end.",
    "Worked on the memory of the night he waited outside her work. Rated distress fell from 8 to 4 over the "
    "session. She knows to call the officer in the case if he is seen again.",
    "Discussed going back to full-time hours. Her manager has agreed a changed entrance and parking space.",
]
# Client-rated or clinician-rated scores at the start and, for those who finish, at the end.
START = {"fear": 8, "distress": 29, "functioning": 4, "confidence": 3}
END = {"fear": 3, "distress": 11, "functioning": 8, "confidence": 7}
CANCELLED = "Her child was unwell and she could not arrange care"
MISSED = "She texted afterwards: she had not felt safe leaving the house that day"


def _book(case, clinician, coordinator, when: dt.datetime, rooms, rng, enrolment):
    """A session at ``when`` (or another hour that day) at the clinic or by video; None if the day is full."""
    for hour in [when.hour, *[h for h in HOURS if h != when.hour]]:
        starts_at = when.replace(hour=hour)
        place = {"place_kind": PlaceKind.CLINIC_ROOM, "room": rng.choice(rooms)} if rng.random() < 0.6 else {}
        try:
            with _at(min(starts_at - dt.timedelta(days=7), timezone.now())):
                return diary_services.appointment_book(
                    case=case,
                    kind=AppointmentKind.TREATMENT,
                    clinician=clinician,
                    place_kind=place.get("place_kind", PlaceKind.VIDEO),
                    room=place.get("room"),
                    starts_at=starts_at,
                    minutes=60,
                    enrolment=enrolment,
                    by=coordinator,
                )
        except DiaryRefused:
            continue
    return None


def _happened(appointment, clinician, coordinator, rng, stats, *, number: int, modules) -> None:
    if number in (4, 9):
        attendance, reason, acceptable = Attendance.CANCELLED_BY_CLIENT, CANCELLED, True
        when = appointment.starts_at - dt.timedelta(hours=20)
    elif number == 6:
        attendance, reason, acceptable = Attendance.DID_NOT_ATTEND, MISSED, None
        when = appointment.ends_at + dt.timedelta(hours=3)
    else:
        attendance, reason, acceptable = Attendance.ATTENDED, "", None
        when = appointment.ends_at + dt.timedelta(minutes=15)
    with _at(when):
        diary_services.attendance_record(
            appointment=appointment,
            attendance=attendance,
            reason=reason,
            reason_acceptable=acceptable,
            by=clinician if attendance == Attendance.ATTENDED else coordinator,
        )
    stats[attendance] = stats.get(attendance, 0) + 1
    if attendance != Attendance.ATTENDED:
        return
    module = modules[min(len(modules) - 1, number * len(modules) // 12)]
    with _at(appointment.ends_at + dt.timedelta(hours=1)):
        diary_services.session_note_add(
            appointment=appointment,
            modules=[module],
            risk_factors=rng.sample([code for code, _ in VICTIM_NEEDS], k=rng.randint(1, 3)),
            text=rng.choice(SESSION_TEXT),
            by=clinician,
        )
    stats["notes"] = stats.get("notes", 0) + 1


def _measures(enrolment, clinician, stage: str, scores: dict[str, int], taken_on: dt.date) -> None:
    for code, score in scores.items():
        with _at(_local(taken_on, 17)):
            services.outcome_record(
                enrolment=enrolment, measure=code, stage=stage, score=score, taken_on=taken_on, by=clinician
            )


def seed(context) -> None:
    if Enrolment.objects.filter(case__kind=CaseKind.VICTIM).exists():
        context.say("Victim therapy: already there")
        return
    coordinator = User.objects.filter(role=Role.REFERRALS_COORDINATOR, is_active=True).order_by("id").first()
    rooms = list(Room.objects.filter(is_active=True).order_by("id"))
    if coordinator is None or not rooms:
        context.say("Victim therapy: no coordinator or rooms to keep the diary")
        return
    rng = context.rng
    today = timezone.localdate()
    modules = [module.key for module in programmes.load(PROGRAMME).modules]
    cases = list(Case.objects.filter(kind=CaseKind.VICTIM, status=CaseStatus.OPEN).order_by("opened_on", "id"))
    stats: dict[str, int] = {}
    enrolled = booked = finished = 0
    for index, case in enumerate(cases):
        plan = SafetyPlanVersion.objects.filter(case=case).order_by("number").first()
        clinician = _lead_clinician(case)
        if plan is None or clinician is None:
            continue
        starts_on = plan.agreed_on + dt.timedelta(days=7)
        if starts_on > today:
            continue
        # The one longest in therapy has come to the end of the programme.
        finishes = index == 0 and (today - starts_on).days >= 7 * 14
        with _at(_local(starts_on, 9)):
            enrolment = services.enrol(
                case=case,
                programme_code=PROGRAMME,
                legal_basis=LegalBasis.VOLUNTARY,
                starts_on=starts_on,
                ends_on=starts_on + dt.timedelta(weeks=14),
                by=clinician,
            )
        enrolled += 1
        _measures(enrolment, clinician, "start", START, starts_on)
        weekday, hour = rng.randint(0, 4), rng.choice(HOURS)
        first = starts_on + dt.timedelta(days=(weekday - starts_on.weekday()) % 7)
        last_day = first
        for number in range(14):
            day = first + dt.timedelta(weeks=number)
            if day > today + dt.timedelta(weeks=COMING_WEEKS) or (finishes and number >= 12):
                break
            appointment = _book(case, clinician, coordinator, _local(day, hour), rooms, rng, enrolment)
            if appointment is None:
                continue
            booked += 1
            if appointment.ends_at < timezone.now():
                _happened(appointment, clinician, coordinator, rng, stats, number=number, modules=modules)
                last_day = day
        if finishes:
            _measures(enrolment, clinician, "end", END, last_day)
            with _at(_local(last_day, 18)):
                services.discharge(
                    enrolment=enrolment,
                    status="completed",
                    reason="Finished the programme; she feels able to manage, and knows how to come back if the "
                    "stalking starts again.",
                    discharged_on=last_day,
                    by=clinician,
                )
            finished += 1
    context.say(
        f"Victim therapy: {enrolled} in therapy ({finished} finished), {booked} sessions, "
        f"{stats.get(Attendance.ATTENDED, 0)} attended with {stats.get('notes', 0)} notes"
    )
