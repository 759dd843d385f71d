"""The demo diary: the clinic's four rooms, weekly treatment sessions for the clients in treatment
(past ones with attendance as a clinic sees it, and session notes; the coming weeks booked), and
assessment appointments for open perpetrator cases not yet in treatment.

Everything is made through the diary's services at the times it would have happened
(``time_machine``): a session is booked a week ahead, its attendance recorded just after it and
its note written the same day. Most sessions are attended; some clients arrive late, some do not
attend, and a few sessions are cancelled with the reason given (a client's reason judged acceptable
or not)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from casework.accounts.models import User
from casework.cases.choices import CaseKind, CaseStatus, TeamRole
from casework.cases.models import Case, CaseTeamMember
from casework.core.roles import Role
from casework.treatment.choices import AppointmentKind, Attendance, EnrolmentStatus, PlaceKind
from casework.treatment.models import Enrolment, Room
from casework.treatment.services import diary as services
from casework.treatment.services.diary import DiaryRefused

SITE = "National Stalking Clinic, Northshire"
PAST_WEEKS = 8
COMING_WEEKS = 4
HOURS = (9, 10, 11, 13, 14, 15, 16)

CLIENT_REASONS = [
    ("Attending a probation appointment moved to the same time", True),
    ("Hospital appointment, letter seen by the supervising officer", True),
    ("Child unwell, no one else to look after her", True),
    ("Said he had forgotten", False),
    ("Said he did not see the point this week", False),
    ("Working a shift he had been offered that morning", False),
]
CLINIC_REASONS = ["Clinician unwell", "Room flooded; the clinic closed for the day", "Clinician called to court"]
DNA_REASONS = [
    ("No contact; the supervising officer was told the same day", None),
    ("Phoned afterwards to say he had overslept", False),
    ("Taken to hospital that morning (confirmed by the ward)", True),
]
SESSION_TEXT = [
    "Reviewed the week: two urges to check the victim's social media, neither acted on. Practised the "
    "delay-and-distract plan and updated the relapse-prevention card.",
    "Explored the belief that the relationship could still be mended. Began a thought record on the "
    "evidence for and against. Homework: one record a day.",
    "Talked about evenings alone after work, when the urge to contact is strongest. Planned two "
    "activities with his brother and a return to the gym.",
    "Went through the bail conditions and what counts as indirect contact. He could name the limits "
    "and the consequences of a breach.",
    "Worked on problem-solving around a letter from the family court: options listed, one chosen, "
    "steps written down. Calmer by the end of the session.",
    "Discussed the anger he felt after seeing her in town. Used the anger log; he left the shop "
    "rather than approach her, which we recognised as progress.",
]


def _at(moment: dt.datetime):
    return time_machine.travel(moment, tick=False)


def _local(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=timezone.get_current_timezone())


def _place(rng, rooms: list[Room]) -> dict:
    roll = rng.random()
    if roll < 0.8:
        return {"place_kind": PlaceKind.CLINIC_ROOM, "room": rng.choice(rooms)}
    if roll < 0.92:
        return {"place_kind": PlaceKind.VIDEO, "room": None}
    return {"place_kind": PlaceKind.PRISON, "room": None, "place_detail": "HMP Northshire"}


def _book(case, clinician, coordinator, when: dt.datetime, kind: str, rooms, rng, enrolment=None):
    """Book at ``when`` or, on a clash, at another hour the same day; None when the day is full."""
    hours = [when.hour, *[h for h in HOURS if h != when.hour]]
    for hour in hours:
        starts_at = when.replace(hour=hour)
        booked_at = min(starts_at - dt.timedelta(days=7), timezone.now())
        try:
            with _at(booked_at):
                return services.appointment_book(
                    case=case,
                    kind=kind,
                    clinician=clinician,
                    starts_at=starts_at,
                    minutes=60 if kind == AppointmentKind.TREATMENT else 90,
                    enrolment=enrolment,
                    by=coordinator,
                    **_place(rng, rooms),
                )
        except DiaryRefused:
            continue
    return None


def _outcome(appointment, clinician, coordinator, rng, stats, *, missed: bool = False) -> None:
    roll = 0.85 if missed else rng.random()
    after = appointment.ends_at + dt.timedelta(minutes=20)
    if roll < 0.7:
        attendance, reason, acceptable = Attendance.ATTENDED, "", None
    elif roll < 0.8:
        attendance, reason, acceptable = Attendance.LATE, "", None
    elif roll < 0.9:
        attendance = Attendance.DID_NOT_ATTEND
        reason, acceptable = rng.choice(DNA_REASONS)
    elif roll < 0.96:
        attendance = Attendance.CANCELLED_BY_CLIENT
        reason, acceptable = rng.choice(CLIENT_REASONS)
        after = appointment.starts_at - dt.timedelta(days=1)
    else:
        attendance, reason, acceptable = Attendance.CANCELLED_BY_CLINIC, rng.choice(CLINIC_REASONS), None
        after = appointment.starts_at - dt.timedelta(days=2)
    by = clinician if attendance in (Attendance.ATTENDED, Attendance.LATE) else coordinator
    with _at(after):
        services.attendance_record(
            appointment=appointment, attendance=attendance, reason=reason, reason_acceptable=acceptable, by=by
        )
    stats[attendance] = stats.get(attendance, 0) + 1
    if attendance in (Attendance.ATTENDED, Attendance.LATE) and appointment.kind == AppointmentKind.TREATMENT:
        modules = [code for code, _ in services.programme_modules(appointment)]
        codes = [c for c, _ in services.RISK_FACTORS]
        with _at(appointment.ends_at + dt.timedelta(hours=1)):
            services.session_note_add(
                appointment=appointment,
                modules=rng.sample(modules, k=min(len(modules), 1)) if modules else [],
                risk_factors=rng.sample(codes, k=rng.randint(1, 3)),
                text=rng.choice(SESSION_TEXT),
                by=clinician,
            )
        stats["notes"] = stats.get("notes", 0) + 1


def _lead_clinician(case):
    member = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).select_related("user").first()
    return member.user if member is not None and member.user.is_active else None


def seed(context) -> None:
    if Room.objects.exists():
        context.say(f"Diary: already there ({Room.objects.count()} rooms)")
        return
    lead = User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).order_by("id").first()
    coordinator = User.objects.filter(role=Role.REFERRALS_COORDINATOR, is_active=True).order_by("id").first()
    if lead is None or coordinator is None:
        context.say("Diary: no clinical lead or coordinator to keep it")
        return
    rooms = [services.room_add(name=f"Room {n}", site=SITE, by=lead) for n in range(1, 5)]
    rng = context.rng
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    stats: dict[str, int] = {}
    booked = 0
    enrolments = list(
        Enrolment.objects.filter(status=EnrolmentStatus.ACTIVE, case__kind=CaseKind.PERPETRATOR)
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case", "programme")
        .order_by("id")
    )
    for index, enrolment in enumerate(enrolments):
        # The first two clients in treatment have stopped coming these last three weeks: the
        # compliance rule raises a notice to their supervising officers as the absences are recorded.
        stopped_coming = index < 2
        clinician = _lead_clinician(enrolment.case)
        if clinician is None:
            continue
        weekday, hour = rng.randint(0, 4), rng.choice(HOURS)
        first = max(monday - dt.timedelta(weeks=PAST_WEEKS), enrolment.starts_on)
        first = first - dt.timedelta(days=first.weekday())
        for week in range(PAST_WEEKS + COMING_WEEKS + 1):
            day = first + dt.timedelta(weeks=week, days=weekday)
            if day > monday + dt.timedelta(weeks=COMING_WEEKS) or (enrolment.ends_on and day > enrolment.ends_on):
                break
            appointment = _book(
                enrolment.case,
                clinician,
                coordinator,
                _local(day, hour),
                AppointmentKind.TREATMENT,
                rooms,
                rng,
                enrolment,
            )
            if appointment is None:
                continue
            booked += 1
            if appointment.ends_at < timezone.now():
                missed = stopped_coming and 0 < (monday - day).days <= 21
                _outcome(appointment, clinician, coordinator, rng, stats, missed=missed)
    # Open perpetrator cases not in treatment: an assessment seen, and one to come.
    in_treatment = {e.case_id for e in enrolments}
    cases = (
        Case.objects.filter(kind=CaseKind.PERPETRATOR, status=CaseStatus.OPEN)
        .exclude(pk__in=in_treatment)
        .order_by("id")[:12]
    )
    for case in cases:
        clinician = _lead_clinician(case)
        if clinician is None:
            continue
        past_day = today - dt.timedelta(days=rng.randint(10, 40))
        past_day -= dt.timedelta(days=max(0, past_day.weekday() - 4))
        coming_day = today + dt.timedelta(days=rng.randint(2, 20))
        coming_day += dt.timedelta(days=(7 - coming_day.weekday()) % 7 if coming_day.weekday() > 4 else 0)
        seen = _book(case, clinician, coordinator, _local(past_day, rng.choice(HOURS)), "assessment", rooms, rng)
        if seen is not None:
            booked += 1
            _outcome(seen, clinician, coordinator, rng, stats)
        if _book(case, clinician, coordinator, _local(coming_day, rng.choice(HOURS)), "review", rooms, rng):
            booked += 1
    summary = ", ".join(f"{Attendance(k).label.lower()} {v}" for k, v in stats.items() if k in Attendance.values)
    context.say(
        f"Diary: {len(rooms)} rooms, {booked} appointments for {len(enrolments)} clients in treatment and "
        f"{len(cases)} assessments; past: {summary}; {stats.get('notes', 0)} session notes"
    )
