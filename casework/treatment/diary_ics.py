"""An appointment as an iCalendar (RFC 5545) file, for the clinician's own calendar: the case by its
reference, the kind of appointment, the time and the place. Never the client's name: the file
leaves the case system (an email attachment, a download into a calendar)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from casework.treatment.choices import Attendance, PlaceKind
from casework.treatment.models import Appointment

PRODID = "-//NHS National Stalking Clinic//NSC Casework diary//EN"


def place_of(appointment: Appointment) -> str:
    if appointment.place_kind == PlaceKind.CLINIC_ROOM and appointment.room_id:
        room = appointment.room
        assert room is not None
        return f"{room.name}, {room.site}" if room.site else room.name
    if appointment.place_kind == PlaceKind.VIDEO:
        return "Video call"
    return f"{appointment.get_place_kind_display()}: {appointment.place_detail}"


def uid_of(appointment: Appointment) -> str:
    host = (getattr(settings, "ALLOWED_HOSTS", None) or ["casework.invalid"])[0].lstrip(".") or "casework.invalid"
    if host == "*":
        host = "casework.invalid"
    return f"appointment-{appointment.pk}@{host}"


def ics_filename(appointment: Appointment) -> str:
    return f"appointment-{appointment.case.reference}-{appointment.pk}.ics"


def appointment_ics(appointment: Appointment) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid_of(appointment))
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", appointment.starts_at.astimezone(dt.UTC))
    event.add("dtend", appointment.ends_at.astimezone(dt.UTC))
    event.add("summary", f"{appointment.get_kind_display()}: case {appointment.case.reference}")
    event.add("location", place_of(appointment))
    event.add(
        "description",
        f"{appointment.get_kind_display()} for case {appointment.case.reference} ({appointment.minutes} minutes). "
        "Open the case in NSC Casework for the details.",
    )
    cancelled = appointment.attendance in (Attendance.CANCELLED_BY_CLINIC, Attendance.CANCELLED_BY_CLIENT)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    clinician = appointment.clinician
    if clinician.email:
        attendee = vCalAddress(f"mailto:{clinician.email}")
        attendee.params["cn"] = vText(clinician.full_name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()
