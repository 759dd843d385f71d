"""Forms of the diary pages: booking, moving, attendance, a session's note, a room."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.treatment.choices import AppointmentKind, Attendance, PlaceKind
from casework.treatment.models import PLACE_LIMIT, REASON_LIMIT, SESSION_NOTE_LIMIT
from casework.treatment.services.diary import (
    MAX_MINUTES,
    MIN_MINUTES,
    PERPETRATOR_FOCUS,
    ROOM_NAME_LIMIT,
    ROOM_SITE_LIMIT,
    Focus,
)


def _choice(label: str, choices, message: str, *, radio: bool = True, required: bool = True, **kwargs):
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radio else forms.Select,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def _text(label: str, max_length: int, message: str = "", *, required: bool = False, **kwargs) -> forms.CharField:
    errors = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if message:
        errors["required"] = message
    return forms.CharField(label=label, max_length=max_length, required=required, error_messages=errors, **kwargs)


def _multiple(label: str, message: str, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": message},
        **kwargs,
    )


def parse_clock(value: str) -> dt.time:
    """ "14:30" or "9:05" (24-hour clock)."""
    hours, _, minutes = value.replace(".", ":").partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2 and len(hours) <= 2):
        raise ValueError(value)
    return dt.time(int(hours), int(minutes))


class BookForm(NHSForm):
    kind = _choice("Kind of appointment", AppointmentKind.choices, "Select the kind of appointment")
    clinician = _choice("Clinician", [], "Select the clinician", radio=False)
    day = NHSDateField(label="Date", help_text="For example, 7 12 2026", years_ahead=2)
    time = _text(
        "Start time", 5, "Enter the start time", required=True, help_text="Use the 24-hour clock, for example, 14:30"
    )
    minutes = forms.IntegerField(
        label="Length in minutes",
        initial=60,
        min_value=MIN_MINUTES,
        max_value=MAX_MINUTES,
        error_messages={
            "required": "Enter the length of the appointment in minutes",
            "invalid": "Length in minutes must be a whole number, like 60",
            "min_value": f"The length must be at least {MIN_MINUTES} minutes",
            "max_value": f"The length must be at most {MAX_MINUTES} minutes",
        },
    )
    place_kind = _choice("Where", PlaceKind.choices, "Select where the appointment takes place")
    room = _choice(
        "Room", [], "Select the room", radio=False, required=False, help_text="For an appointment in a clinic room"
    )
    place_detail = _text(
        "Prison or facility", PLACE_LIMIT, help_text="For a prison visit or a visit to a mental-health facility"
    )

    def __init__(self, *args, clinicians=(), rooms=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "clinician", forms.ChoiceField).choices = [("", "Choose a clinician")] + [
            (str(u.pk), u.full_name) for u in clinicians
        ]
        field_of(self, "room", forms.ChoiceField).choices = [("", "Choose a room")] + [
            (str(r.pk), f"{r.name} ({r.site})" if r.site else r.name) for r in rooms
        ]

    def clean_time(self) -> dt.time:
        value = (self.cleaned_data.get("time") or "").strip()
        try:
            return parse_clock(value)
        except ValueError:
            raise forms.ValidationError("Start time must be a real time, like 14:30") from None

    def starts_at(self) -> dt.datetime | None:
        day, time = self.cleaned_data.get("day"), self.cleaned_data.get("time")
        if day is None or time is None:
            return None
        return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


class MoveForm(BookForm):
    """Moving a booked appointment: the booking's form without the kind, which a move keeps, and
    filled in with where and when the appointment is now."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["kind"]

    @staticmethod
    def initial_for(appointment) -> dict[str, Any]:
        start = timezone.localtime(appointment.starts_at)
        return {
            "clinician": str(appointment.clinician_id),
            "day": start.date(),
            "time": f"{start:%H:%M}",
            "minutes": appointment.minutes,
            "place_kind": appointment.place_kind,
            "room": str(appointment.room_id) if appointment.room_id else "",
            "place_detail": appointment.place_detail,
        }


YES_NO = [("yes", "Yes"), ("no", "No")]


class AttendanceForm(NHSForm):
    attendance = _choice(
        "What happened",
        [(value, label) for value, label in Attendance.choices if value != Attendance.BOOKED],
        "Select what happened",
    )
    reason = _text(
        "Reason",
        REASON_LIMIT,
        widget=forms.Textarea,
        help_text="For a missed or cancelled appointment: the reason given, or that none was",
    )
    reason_acceptable = _choice(
        "Is the reason acceptable?",
        YES_NO,
        "Select whether the reason is acceptable",
        required=False,
        help_text="For an absence or a cancellation by the client. An absence without an acceptable reason "
        "counts towards a compliance notice to the supervising officer",
    )

    def acceptable(self) -> bool | None:
        value = self.cleaned_data.get("reason_acceptable")
        return None if not value else value == "yes"


class SessionNoteForm(NHSForm):
    modules = _multiple("Modules covered", "Select modules from the client's programme")
    risk_factors = _multiple("Dynamic risk factors addressed", "Select risk factors from the list")
    text = _text(
        "What happened in the session",
        SESSION_NOTE_LIMIT,
        "Enter what happened in the session",
        required=True,
        widget=forms.Textarea,
        help_text="This becomes a case note (contact with the client) on the day of the session",
    )

    def __init__(self, *args, modules=(), focus: Focus = PERPETRATOR_FOCUS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "modules", forms.MultipleChoiceField).choices = list(modules)
        areas = field_of(self, "risk_factors", forms.MultipleChoiceField)
        areas.label, areas.choices = focus.label, list(focus.choices)
        areas.error_messages = {**areas.error_messages, "invalid_choice": focus.refusal}
        if not modules:
            del self.fields["modules"]


class RoomForm(NHSForm):
    name = _text("Name", ROOM_NAME_LIMIT, "Enter the room's name", required=True, help_text="For example, Room 5")
    site = _text("Site", ROOM_SITE_LIMIT, help_text="The building or clinic it is in")
