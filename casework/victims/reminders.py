"""Reminding a person who is stalked of a therapy appointment, under their safety plan.

The treatment diary books the appointment; it never writes to the subject of a victim case itself
(``treatment.reminders``). This app registers ``schedule`` for victim cases, so that 24 hours
before an appointment ``tasks.remind_victim_appointment`` runs and, if their plan allows it,
writes a message through the same path as every other message to them (``VictimMessage`` and
``tasks.send_message``): the safe-contact rule is asked when the reminder is written and again
just before it goes, a text or email outside the agreed days and times waits for the next agreed
time, and one the plan forbids is held with the reason.

The reminder says only the date, the time and the kind of place ("at the clinic", "by video"),
never the clinic's name or what it does, whatever the plan allows: a phone or inbox may be read by
the person who stalks them. It goes by text message if the plan agrees texts and a number is safe
to use, else by email; never by letter (it would not arrive in time). When no agreed time falls
before the appointment, no reminder is written, and the case's trail says why.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from casework.victims.choices import Channel

UK = ZoneInfo("Europe/London")
NOTICE = dt.timedelta(hours=24)
# A reminder that could only go this close to the appointment is not worth sending.
LAST_USEFUL = dt.timedelta(hours=2)
# The channels a reminder may use, in the order tried.
REMINDER_CHANNELS = (Channel.SMS, Channel.EMAIL)
PLACES = {
    "clinic_room": "at the clinic",
    "mh_facility": "at the hospital",
    "video": "by video call",
}


def schedule(appointment) -> None:
    """Queue the reminder for 24 hours before ``appointment`` (not when that is already past, or
    when the task backend cannot run a task later)."""
    from casework.victims.tasks import remind_victim_appointment

    if not remind_victim_appointment.get_backend().supports_defer:
        return
    at = appointment.starts_at - NOTICE
    if at < timezone.now():
        return
    remind_victim_appointment.using(run_after=at).enqueue(appointment.pk, appointment.starts_at.isoformat())


def reference(appointment) -> str:
    """The reminder's own reference: a moved appointment's reminder is a new one, a retry the same."""
    return f"victim-reminder-{appointment.pk}-{int(appointment.starts_at.timestamp())}"


def text(appointment) -> str:
    start = appointment.starts_at.astimezone(UK)
    place = PLACES.get(str(appointment.place_kind), "at the usual place")
    return (
        f"A reminder of your appointment on {start:%A} {start.day} {start:%B} at {start:%H:%M}, {place}. "
        "If you cannot come, please let us know."
    )


def channel_for(plan, person, destination_problem) -> str | None:
    """The first reminder channel the plan agrees and that has somewhere safe to go."""
    for channel in REMINDER_CHANNELS:
        if channel in plan.channels and not destination_problem(person, channel):
            return str(channel)
    return None
