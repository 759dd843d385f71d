"""The only writers of the diary: booking, moving (each scheduling the client's reminder, 24 hours
before: ``tasks.remind_appointment``) and cancelling appointments, recording attendance, adding a
session's note, sending the clinician an invitation, and the clinic's rooms.

Every function checks its own permission, runs in one transaction and records its audit event
against the case (rooms: against the room, which holds no personal data).

A booking is refused when it clashes with another appointment of the same clinician or in the same
room (any appointment not cancelled overlapping [start, end)), saying with what: the clinician's
or the room's time, never the other case or its client, which may lie across an information
barrier from this one. The clinician's row (and the room's) is locked while the clash is checked
and the appointment written, so two bookings racing for the same hour cannot both pass
(PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE transaction takes the write lock at BEGIN).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record, snapshot
from casework.cases.choices import CaseKind, NoteKind
from casework.cases.rules import team_of
from casework.cases.services._shared import audit_changed, audit_created
from casework.cases.services.notes import note_add
from casework.core import completions
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.core.roles import Role
from casework.treatment.choices import AppointmentKind, Attendance, PlaceKind
from casework.treatment.models import PLACE_LIMIT, REASON_LIMIT, SESSION_NOTE_LIMIT, Appointment, Room, SessionNote
from casework.treatment.services import compliance

# The dynamic risk factors a treatment session may address: the changeable needs that stalking
# treatment works on (after MacKenzie, McEwan, Pathé et al., Stalking Risk Profile, and the
# clinic's own programme wording).
RISK_FACTORS: tuple[tuple[str, str], ...] = (
    ("rumination", "Rumination and preoccupation with the victim"),
    ("entitlement", "Entitlement and grievance thinking"),
    ("loneliness", "Loneliness and social isolation"),
    ("substance_misuse", "Substance misuse"),
    ("contact_seeking", "Contact-seeking and boundary testing"),
    ("problem_solving", "Poor problem-solving"),
    ("emotional_regulation", "Anger and emotional regulation"),
    ("minimisation", "Minimisation and denial of harm"),
    ("mental_health", "Mental health symptoms"),
)
RISK_FACTOR_LABELS = dict(RISK_FACTORS)
# What a therapy session for a person who is stalked may address: the effects of being stalked
# that therapy works on (the clinic's own wording; see domain.md, "Victims").
VICTIM_NEEDS: tuple[tuple[str, str], ...] = (
    ("fear", "Fear and hypervigilance"),
    ("sleep_health", "Sleep and physical health"),
    ("intrusions", "Intrusive memories and reminders"),
    ("safety_behaviours", "Safety behaviours and the safety plan"),
    ("self_blame", "Self-blame and shame"),
    ("work_money", "Work, study and money"),
    ("relationships", "Relationships, family and isolation"),
    ("justice", "Dealing with the police and the courts"),
    ("low_mood", "Low mood and anxiety"),
)
VICTIM_NEED_LABELS = dict(VICTIM_NEEDS)


@dataclass(frozen=True)
class Focus:
    """What a session may address: its question on the form, its heading in the note, its name in a
    refusal, and the choices."""

    label: str
    heading: str
    refusal: str
    choices: tuple[tuple[str, str], ...]


PERPETRATOR_FOCUS = Focus(
    "Dynamic risk factors addressed", "Risk factors addressed", "Select risk factors from the list", RISK_FACTORS
)
VICTIM_FOCUS = Focus(
    "Areas of need addressed", "Areas of need addressed", "Select areas of need from the list", VICTIM_NEEDS
)


def focus_of(case) -> Focus:
    """The dynamic risk factors of the person who stalks, or the needs of the person stalked."""
    return VICTIM_FOCUS if case.kind == CaseKind.VICTIM else PERPETRATOR_FOCUS


# Not cancelled: an appointment that holds the clinician's and the room's time.
HOLDS_TIME = (Attendance.BOOKED, Attendance.ATTENDED, Attendance.LATE, Attendance.DID_NOT_ATTEND)
CANCELLATIONS = (Attendance.CANCELLED_BY_CLINIC, Attendance.CANCELLED_BY_CLIENT)
NEEDS_REASON = (Attendance.DID_NOT_ATTEND, *CANCELLATIONS)
MIN_MINUTES = 5
MAX_MINUTES = 480
ROOM_NAME_LIMIT = 100
ROOM_SITE_LIMIT = 200


class DiaryRefused(Refused):
    """A diary action refused, with the reason for the person who asked."""


class Clash(DiaryRefused):
    """The booking overlaps another appointment of the clinician or in the room."""


def span(starts_at: dt.datetime, ends_at: dt.datetime) -> str:
    """ "from 10:00 to 11:00 on 7 December 2026", in the clinic's time."""
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = f"{start.day} {start:%B %Y}"
    return f"from {start:%H:%M} to {end:%H:%M} on {day}"


# --- Checks -------------------------------------------------------------------------------------------


def _check_clinician(case, clinician) -> None:
    if clinician is None:
        raise DiaryRefused("Select the clinician", "clinician")
    if not clinician.is_active or clinician.role not in (Role.CLINICIAN, Role.CLINICAL_LEAD):
        raise DiaryRefused(f"{clinician.full_name} is not a clinician", "clinician")
    if clinician.role != Role.CLINICAL_LEAD and clinician.pk not in team_of(case):
        raise DiaryRefused(
            f"{clinician.full_name} is not on this case's team: add them to the team first, or choose another clinician",
            "clinician",
        )


def _check_place(place_kind: str, room: Room | None, place_detail: str) -> tuple[Room | None, str]:
    place_detail = (place_detail or "").strip()
    if place_kind not in PlaceKind.values:
        raise DiaryRefused("Select where the appointment takes place", "place_kind")
    if len(place_detail) > PLACE_LIMIT:
        raise DiaryRefused(f"Where must be {PLACE_LIMIT} characters or fewer", "place_detail")
    if place_kind == PlaceKind.CLINIC_ROOM:
        if room is None:
            raise DiaryRefused("Select the room", "room")
        if not room.is_active:
            raise DiaryRefused(f"{room.name} is no longer in use: choose another room", "room")
        return room, ""
    if place_kind in (PlaceKind.PRISON, PlaceKind.MENTAL_HEALTH_FACILITY) and not place_detail:
        what = "prison" if place_kind == PlaceKind.PRISON else "mental-health facility"
        raise DiaryRefused(f"Enter the name of the {what}", "place_detail")
    # A visit or a video call books no room.
    return None, place_detail if place_kind != PlaceKind.VIDEO else ""


def _check_time(starts_at: dt.datetime | None, minutes: int | None) -> None:
    if starts_at is None:
        raise DiaryRefused("Enter the date and time the appointment starts", "starts_at")
    if minutes is None:
        raise DiaryRefused("Enter the length of the appointment in minutes", "minutes")
    if not MIN_MINUTES <= minutes <= MAX_MINUTES:
        raise DiaryRefused(f"The length must be between {MIN_MINUTES} minutes and {MAX_MINUTES // 60} hours", "minutes")


def _lock(clinician, room: Room | None) -> None:
    """Lock the clinician's row (and the room's) until the transaction ends: bookings for the same
    clinician or room queue here, so the clash check and the write are one step."""
    get_user_model().objects.select_for_update().filter(pk=clinician.pk).values_list("pk", flat=True).first()
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).first()


def _refuse_clashes(
    *, clinician, room: Room | None, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None = None
) -> None:
    overlapping = Appointment.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at, attendance__in=HOLDS_TIME)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude)
    mine = overlapping.filter(clinician=clinician).order_by("starts_at").first()
    if mine is not None:
        raise Clash(
            f"{clinician.full_name} already has an appointment {span(mine.starts_at, mine.ends_at)}", "starts_at"
        )
    if room is not None:
        taken = overlapping.filter(room=room).order_by("starts_at").first()
        if taken is not None:
            raise Clash(f"{room.name} is booked {span(taken.starts_at, taken.ends_at)}", "room")


def _audit(appointment: Appointment, *, action: Action, by, request, changes: dict) -> None:
    record(
        action=action,
        actor=by,
        request=request,
        obj=appointment.case,
        object_label=f"{appointment.case.reference}: {appointment.audit_label}",
        changes=changes,
    )


# --- Booking ------------------------------------------------------------------------------------------


def appointment_book(
    *,
    case,
    kind: str,
    clinician,
    place_kind: str,
    room: Room | None = None,
    place_detail: str = "",
    starts_at: dt.datetime | None,
    minutes: int | None,
    enrolment=None,
    by,
    request: HttpRequest | None = None,
) -> Appointment:
    """Book an assessment or session for ``case`` with ``clinician``; refused on a clash."""
    require(by, "treatment.book", case)
    if kind not in AppointmentKind.values:
        raise DiaryRefused("Select the kind of appointment", "kind")
    _check_clinician(case, clinician)
    room, place_detail = _check_place(place_kind, room, place_detail)
    _check_time(starts_at, minutes)
    assert starts_at is not None and minutes is not None
    if enrolment is not None and enrolment.case_id != case.pk:
        raise DiaryRefused("The enrolment is not this case's", "enrolment")
    if enrolment is None and kind == AppointmentKind.TREATMENT:
        enrolment = case.enrolments.filter(status="active").first()
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        _lock(clinician, room)
        _refuse_clashes(clinician=clinician, room=room, starts_at=starts_at, ends_at=ends_at)
        appointment = Appointment.objects.create(
            case=case,
            enrolment=enrolment,
            kind=kind,
            clinician=clinician,
            place_kind=place_kind,
            room=room,
            place_detail=place_detail,
            starts_at=starts_at,
            minutes=minutes,
            created_by=by,
        )
        audit_created(
            case=case, by=by, request=request, obj=appointment, label="appointment", fields=Appointment.AUDITED_FIELDS
        )
        _schedule_reminder(appointment)
    return appointment


def appointment_move(
    *,
    appointment: Appointment,
    starts_at: dt.datetime | None,
    minutes: int | None,
    clinician=None,
    place_kind: str | None = None,
    room: Room | None = None,
    place_detail: str = "",
    by,
    request: HttpRequest | None = None,
) -> Appointment:
    """Move a booked appointment to another time (and, if given, another clinician or place)."""
    require(by, "treatment.book", appointment)
    if appointment.attendance != Attendance.BOOKED:
        raise DiaryRefused("Only a booked appointment can be moved: this one has taken place or been cancelled")
    clinician = clinician or appointment.clinician
    _check_clinician(appointment.case, clinician)
    if place_kind is None:
        place_kind, room, place_detail = appointment.place_kind, appointment.room, appointment.place_detail
    room, place_detail = _check_place(place_kind, room, place_detail)
    _check_time(starts_at, minutes)
    assert starts_at is not None and minutes is not None
    ends_at = starts_at + dt.timedelta(minutes=minutes)
    with transaction.atomic():
        _lock(clinician, room)
        _refuse_clashes(clinician=clinician, room=room, starts_at=starts_at, ends_at=ends_at, exclude=appointment.pk)
        before = snapshot(appointment, Appointment.AUDITED_FIELDS)
        appointment.clinician = clinician
        appointment.place_kind = place_kind
        appointment.room = room
        appointment.place_detail = place_detail
        appointment.starts_at = starts_at
        appointment.minutes = minutes
        # A moved appointment needs a new invitation, and a new reminder for the client.
        appointment.invitation_sent_at = None
        appointment.reminder_sent_at = None
        appointment.save()
        audit_changed(
            case=appointment.case,
            by=by,
            request=request,
            obj=appointment,
            label="appointment",
            before=before,
            fields=Appointment.AUDITED_FIELDS,
        )
        _schedule_reminder(appointment)
    return appointment


def _schedule_reminder(appointment: Appointment) -> None:
    """Once the booking commits, the client's reminder 24 hours before (``tasks.remind_appointment``;
    the reminder for an earlier time finds the appointment moved and sends nothing)."""
    from casework.treatment.reminders import schedule_appointment

    appointment_id = appointment.pk
    transaction.on_commit(lambda: schedule_appointment(appointment_id))


def appointment_cancel(
    *,
    appointment: Appointment,
    by_client: bool,
    reason: str,
    reason_acceptable: bool | None = None,
    by,
    request: HttpRequest | None = None,
) -> Appointment:
    """Cancel a booked appointment, by the clinic or by the client (with the reason, and for the
    client whether it is acceptable)."""
    require(by, "treatment.record_attendance", appointment)
    return attendance_record(
        appointment=appointment,
        attendance=Attendance.CANCELLED_BY_CLIENT if by_client else Attendance.CANCELLED_BY_CLINIC,
        reason=reason,
        reason_acceptable=reason_acceptable,
        by=by,
        request=request,
    )


# --- Attendance ---------------------------------------------------------------------------------------


def attendance_record(
    *,
    appointment: Appointment,
    attendance: str,
    reason: str = "",
    reason_acceptable: bool | None = None,
    by,
    request: HttpRequest | None = None,
) -> Appointment:
    """What happened: attended, late, did not attend, or cancelled (by the clinic or the client).

    A future appointment can only be cancelled; a cancellation or a missed appointment needs its
    reason; a client's cancellation needs a decision on whether the reason is acceptable. Then the
    compliance rule looks at the enrolment (``compliance.check_after_attendance``)."""
    require(by, "treatment.record_attendance", appointment)
    if attendance not in Attendance.values or attendance == Attendance.BOOKED:
        raise DiaryRefused("Select what happened", "attendance")
    reason = (reason or "").strip()
    if attendance not in CANCELLATIONS and appointment.starts_at > timezone.now():
        raise DiaryRefused(
            "This appointment has not started yet: record attendance once it has, or record a cancellation",
            "attendance",
        )
    if attendance in NEEDS_REASON and not reason:
        raise DiaryRefused(
            "Enter the reason the appointment was missed"
            if attendance == Attendance.DID_NOT_ATTEND
            else "Enter the reason for the cancellation",
            "reason",
        )
    if len(reason) > REASON_LIMIT:
        raise DiaryRefused(f"Reason must be {REASON_LIMIT:,} characters or fewer", "reason")
    if attendance == Attendance.CANCELLED_BY_CLIENT and reason_acceptable is None:
        raise DiaryRefused("Select whether the reason is acceptable", "reason_acceptable")
    if attendance in (*CANCELLATIONS, Attendance.DID_NOT_ATTEND):
        acceptable = reason_acceptable if attendance != Attendance.CANCELLED_BY_CLINIC else None
    else:
        reason, acceptable = "", None
    with transaction.atomic():
        before = snapshot(appointment, Appointment.AUDITED_FIELDS)
        appointment.attendance = attendance
        appointment.cancellation_reason = reason
        appointment.reason_acceptable = acceptable
        appointment.attendance_recorded_at = timezone.now()
        appointment.attendance_recorded_by = by
        appointment.save()
        audit_changed(
            case=appointment.case,
            by=by,
            request=request,
            obj=appointment,
            label="appointment",
            before=before,
            fields=Appointment.AUDITED_FIELDS,
        )
        # An absence that completes the compliance rule's count raises a notice to the officer.
        compliance.check_after_attendance(appointment=appointment, by=by, request=request)
        completions.announce(completions.ATTENDANCE_RECORDED, appointment, by=by, request=request)
    return appointment


# --- Session notes ------------------------------------------------------------------------------------


def programme_modules(appointment: Appointment) -> list[tuple[str, str]]:
    """(code, title) of the modules of the programme the appointment's enrolment follows."""
    enrolment = appointment.enrolment
    if enrolment is None:
        return []
    content = enrolment.programme.content or {}
    found = [(m.get("key") or m.get("code"), m.get("title")) for m in content.get("modules", [])]
    return [(str(key), str(title or key)) for key, title in found if key]


def session_note_add(
    *,
    appointment: Appointment,
    modules: Iterable[str] = (),
    risk_factors: Iterable[str] = (),
    text: str,
    by,
    request: HttpRequest | None = None,
) -> SessionNote:
    """The session's note: the modules covered and the dynamic risk factors addressed, and its text
    written as a case note (contact with the client, on the day of the session)."""
    require(by, "treatment.write_session_note", appointment)
    if appointment.attendance not in (Attendance.ATTENDED, Attendance.LATE):
        raise DiaryRefused("Record that the client attended before adding the session's note")
    if SessionNote.objects.filter(appointment=appointment).exists():
        raise DiaryRefused("This session already has its note: add to it from the case notes")
    modules = list(dict.fromkeys(modules))
    risk_factors = list(dict.fromkeys(risk_factors))
    offered = dict(programme_modules(appointment))
    unknown = [code for code in modules if code not in offered]
    if unknown:
        raise DiaryRefused("Select modules from the client's programme", "modules")
    focus = focus_of(appointment.case)
    focus_labels = dict(focus.choices)
    if any(code not in focus_labels for code in risk_factors):
        raise DiaryRefused(focus.refusal, "risk_factors")
    text = (text or "").strip()
    if not text:
        raise DiaryRefused("Enter what happened in the session", "text")
    if len(text) > SESSION_NOTE_LIMIT:
        raise DiaryRefused(f"The note must be {SESSION_NOTE_LIMIT:,} characters or fewer", "text")
    start = timezone.localtime(appointment.starts_at)
    heading = [f"{appointment.get_kind_display()} with {appointment.clinician.full_name}."]
    if modules:
        heading.append("Modules covered: " + "; ".join(offered[code] for code in modules) + ".")
    if risk_factors:
        heading.append(f"{focus.heading}: " + "; ".join(focus_labels[c] for c in risk_factors) + ".")
    with transaction.atomic():
        note = note_add(
            case=appointment.case,
            by=by,
            request=request,
            kind=NoteKind.CLIENT_CONTACT,
            contact_on=start.date(),
            contact_time=start.time().replace(second=0, microsecond=0),
            present=appointment.clinician.full_name,
            text="\n".join(heading) + "\n\n" + text,
            significant=False,
        )
        session_note = SessionNote.objects.create(
            appointment=appointment, modules=modules, risk_factors=risk_factors, case_note_id=note.pk, created_by=by
        )
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=appointment.case,
            object_label=f"{appointment.case.reference}: {appointment.audit_label}",
            changes={
                f"session note {session_note.pk}": {
                    "old": None,
                    "new": {"modules": modules, "risk_factors": risk_factors, "case_note": note.pk},
                }
            },
        )
    return session_note


# --- Invitations --------------------------------------------------------------------------------------


def invitation_send(*, appointment: Appointment, by, request: HttpRequest | None = None) -> Appointment:
    """Email the clinician an invitation with the appointment as an ICS file. It names the case by
    its reference, the time and the place: never the client (email leaves the case system)."""
    from casework.treatment.diary_ics import appointment_ics, ics_filename, place_of

    require(by, "treatment.book", appointment)
    if appointment.attendance != Attendance.BOOKED:
        raise DiaryRefused("Only a booked appointment can be sent as an invitation")
    if not appointment.clinician.email:
        raise DiaryRefused(f"{appointment.clinician.full_name} has no email address")
    when = span(appointment.starts_at, appointment.ends_at)
    body = (
        f"{appointment.get_kind_display()} for case {appointment.case.reference}, {when}.\n"
        f"Where: {place_of(appointment)}.\n"
        f"Length: {appointment.minutes} minutes.\n\n"
        "The appointment is attached as a calendar file. Open the case in NSC Casework for the details.\n"
    )
    message = EmailMessage(
        subject=f"Appointment: case {appointment.case.reference}, {when}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[appointment.clinician.email],
    )
    message.attach(ics_filename(appointment), appointment_ics(appointment), "text/calendar; method=REQUEST")
    with transaction.atomic():
        appointment.invitation_sent_at = timezone.now()
        appointment.save(update_fields=["invitation_sent_at"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=appointment.case,
            object_label=f"{appointment.case.reference}: {appointment.audit_label}",
            changes={f"appointment {appointment.pk} invitation": {"old": None, "new": "sent to the clinician"}},
        )
        # Sent once the record of it is sure to commit.
        transaction.on_commit(lambda: message.send(fail_silently=False))
    return appointment


# --- Rooms --------------------------------------------------------------------------------------------


def room_add(*, name: str, site: str = "", by, request: HttpRequest | None = None) -> Room:
    require(by, "treatment.manage_rooms")
    name, site = (name or "").strip(), (site or "").strip()
    if not name:
        raise DiaryRefused("Enter the room's name", "name")
    if len(name) > ROOM_NAME_LIMIT:
        raise DiaryRefused(f"Name must be {ROOM_NAME_LIMIT} characters or fewer", "name")
    if len(site) > ROOM_SITE_LIMIT:
        raise DiaryRefused(f"Site must be {ROOM_SITE_LIMIT} characters or fewer", "site")
    if Room.objects.filter(name__iexact=name).exists():
        raise DiaryRefused(f"There is already a room called {name}", "name")
    with transaction.atomic():
        room = Room.objects.create(name=name, site=site)
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=room,
            object_label=f"room {room.name}",
            changes={"room": {"old": None, "new": {"name": name, "site": site}}},
        )
    return room
