"""What the diary pages read.

A case's appointments are those the user may read (``access.policy.visible``). A clinician's week
and a room's week show every appointment of that clinician or in that room, because the time is
taken whoever it is for; but an appointment on a case the viewer may not read is only "Busy" with
its time: no case reference, no client, no kind, nothing that could carry across an information
barrier. Each week is a fixed number of queries, however full."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.access import barrier
from casework.access.policy import visible
from casework.access.vocabulary import PERPETRATOR_CASE
from casework.core.roles import Role
from casework.treatment.choices import AppointmentKind, Attendance, PlaceKind
from casework.treatment.models import Appointment, Room

CANCELLED = (Attendance.CANCELLED_BY_CLINIC, Attendance.CANCELLED_BY_CLIENT)
CLINICAL_ROLES = (Role.CLINICIAN, Role.CLINICAL_LEAD)


# --- A case's appointments ----------------------------------------------------------------------------


def appointments_of_case(user, case) -> QuerySet[Appointment]:
    return (
        visible(user, Appointment)
        .filter(case=case)
        .select_related("clinician", "room", "case", "enrolment__programme", "attendance_recorded_by")
        .order_by("-starts_at", "-id")
    )


def session_note_of(appointment: Appointment):
    from casework.treatment.models import SessionNote

    return SessionNote.objects.filter(appointment=appointment).select_related("created_by").first()


def active_enrolments(case) -> list:
    return list(case.enrolments.filter(status="active").select_related("programme"))


# --- Who and where can be booked ------------------------------------------------------------------------


def clinicians_for_booking(case) -> list:
    """The clinicians on the case's team and every clinical lead (active), by name."""
    users = get_user_model().objects.filter(is_active=True, role__in=CLINICAL_ROLES)
    team = case.team.values("user_id")
    return list(users.filter(Q(role=Role.CLINICAL_LEAD) | Q(pk__in=team)).order_by("full_name"))


def clinician_or_none(pk: int):
    return get_user_model().objects.filter(pk=pk, is_active=True, role__in=CLINICAL_ROLES).first()


def clinicians() -> list:
    return list(get_user_model().objects.filter(is_active=True, role__in=CLINICAL_ROLES).order_by("full_name"))


def rooms(*, active_only: bool = True) -> list[Room]:
    qs = Room.objects.all()
    return list(qs.filter(is_active=True) if active_only else qs)


def room_or_none(pk: int) -> Room | None:
    return Room.objects.filter(pk=pk).first()


# --- Weeks ---------------------------------------------------------------------------------------------


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_start(raw: str | None) -> dt.date:
    """The Monday of the week ``raw`` (YYYY-MM-DD) falls in; this week's when absent or malformed."""
    try:
        day = dt.date.fromisoformat(raw or "")
    except ValueError:
        day = timezone.localdate()
    return monday_of(day)


@dataclass
class Entry:
    """One appointment in a week. ``busy`` when the viewer may not read its case: then only the
    time is known here."""

    starts_at: dt.datetime
    ends_at: dt.datetime
    busy: bool
    appointment: Appointment | None = None

    @property
    def cancelled(self) -> bool:
        return self.appointment is not None and self.appointment.attendance in CANCELLED


@dataclass
class Day:
    date: dt.date
    entries: list[Entry] = field(default_factory=list)


@dataclass
class Week:
    monday: dt.date
    days: list[Day]

    @property
    def previous(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def count(self) -> int:
        return sum(len(d.entries) for d in self.days)


def _bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time.min, tzinfo=zone)
    return start, end


def week_of(user, monday: dt.date, *, clinician=None, room: Room | None = None) -> Week:
    """The week from ``monday`` of ``clinician``'s appointments or ``room``'s bookings, day by day.
    Appointments on cases ``user`` may not read are Busy (and left out when cancelled: a cancelled
    appointment takes no time)."""
    start, end = _bounds(monday)
    qs = Appointment.objects.filter(starts_at__gte=start, starts_at__lt=end)
    if clinician is not None:
        qs = qs.filter(clinician=clinician)
    if room is not None:
        qs = qs.filter(room=room)
    appointments = list(qs.select_related("case", "clinician", "room").order_by("starts_at", "id"))
    readable = set(visible(user, Appointment).filter(pk__in=[a.pk for a in appointments]).values_list("pk", flat=True))
    days = [Day(monday + dt.timedelta(days=i)) for i in range(7)]
    for appointment in appointments:
        local = timezone.localtime(appointment.starts_at).date()
        day = days[(local - monday).days]
        if appointment.pk in readable:
            day.entries.append(Entry(appointment.starts_at, appointment.ends_at, busy=False, appointment=appointment))
        elif appointment.attendance not in CANCELLED:
            day.entries.append(Entry(appointment.starts_at, appointment.ends_at, busy=True))
    return Week(monday=monday, days=days)


def place_label(appointment: Appointment) -> str:
    if appointment.place_kind == PlaceKind.CLINIC_ROOM and appointment.room is not None:
        return appointment.room.name
    if appointment.place_detail:
        return f"{appointment.get_place_kind_display()}: {appointment.place_detail}"
    return appointment.get_place_kind_display()


# --- Appointments released to an agency (the API's FHIR Appointment) --------------------------------

RELEASED_KINDS = (AppointmentKind.ASSESSMENT, AppointmentKind.TREATMENT)


def appointments_released_to_organisation(user, referrals: QuerySet) -> QuerySet[Appointment]:
    """The appointments an agency account may read (docs/adr/0023-agency-api.md, "What is released
    to an agency"), given ``referrals``: the organisation's submitted referrals the account may
    follow (the portal's query decides which).

    Assessment appointments and treatment sessions of the perpetrator cases holding one of those
    referrals; never a victim's or a consultation's (safe contact), never a case across an
    information barrier from the account, and a session of treatment under supervision only when
    the organisation is the supervising agency (the compliance notice's addressee)."""
    organisation_id = getattr(user, "organisation_id", None)
    if not organisation_id:
        return Appointment.objects.none()
    rows = Appointment.objects.filter(
        case_id__in=referrals.order_by().values("case_link__case_id"),
        case__kind=PERPETRATOR_CASE,
        kind__in=RELEASED_KINDS,
    ).filter(
        Q(enrolment__isnull=True)
        | Q(enrolment__supervising_agency__isnull=True)
        | Q(enrolment__supervising_agency_id=organisation_id)
    )
    across = barrier.across_ids(user)
    if across:
        rows = rows.exclude(case_id__in=across)
    return rows.order_by("starts_at", "id")
