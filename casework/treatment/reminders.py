"""Reminders through GOV.UK Notify, run in the background at their time (``tasks.remind_follow_up``,
``tasks.remind_appointment``), with the client the compliance notices use (``casework.referrals.notify.client``).

- A follow-up falling due: at 09:00 UK time on its due date, an email to the case's lead clinician
  naming only the case's reference and the follow-up point.
- An appointment: 24 hours before it, a text message to the client (their first mobile number not
  marked unsafe to contact), or else an email, saying the date, the time and the kind of place
  ("at the clinic", "by video"): never the clinician, the room, the prison or the case.

Only a perpetrator case's client or lead clinician is reminded from here: nothing here ever writes
to the subject of a victim case. A person who is stalked is reminded of their therapy appointments
by the victims app, under their safety plan's safe-contact rule: it registers its own scheduler for
victim cases (``remind_others``), which this module calls when an appointment is booked or moved.

Never twice: each reminder goes under a reference of its own (the follow-up's; the appointment's
and its start), and before sending we ask Notify for a notification with that reference, as
``notices.send`` does, so a retry after a lost answer adopts it instead of sending again.

Scheduling needs a task backend that runs tasks later (the database backend the worker runs);
with one that cannot, nothing is scheduled (the follow-up still shows on "My work" by its date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from casework.cases.choices import CaseKind, TeamRole
from casework.cases.models import CaseTeamMember
from casework.people.models import PersonEmail, PersonPhone, PhoneKind
from casework.referrals.notify import already_sent, client
from casework.treatment.choices import PlaceKind
from casework.treatment.models import Appointment, FollowUp

UK = ZoneInfo("Europe/London")
FOLLOW_UP_HOUR = 9
APPOINTMENT_NOTICE = dt.timedelta(hours=24)
# What the client is told of the place: its kind only.
PLACES: dict[str, str] = {
    PlaceKind.CLINIC_ROOM: "at the clinic",
    PlaceKind.PRISON: "at the prison",
    PlaceKind.MENTAL_HEALTH_FACILITY: "at the mental-health facility",
    PlaceKind.VIDEO: "by video",
}


def reminds(case) -> bool:
    """Whether this case's client may be reminded from here: only on a perpetrator case."""
    return case.kind == CaseKind.PERPETRATOR


def reminds_staff(case) -> bool:
    """Whether the lead clinician is reminded of this case's follow-ups: after treatment or
    therapy (the email names only the case's reference and the point, and goes to staff)."""
    return case.kind in (CaseKind.PERPETRATOR, CaseKind.VICTIM)


# The schedulers other apps register for the subjects of other kinds of case (the victims app's,
# for a person who is stalked): each is given the appointment when it is booked or moved.
OTHER_SCHEDULERS: dict[str, Callable[[Appointment], None]] = {}


def remind_others(case_kind: str, scheduler: Callable[[Appointment], None]) -> None:
    OTHER_SCHEDULERS[case_kind] = scheduler


# --- When -------------------------------------------------------------------------------------------


def follow_up_due_at(due_on: dt.date) -> dt.datetime:
    """09:00 UK time (GMT or BST, as it is that day) on the follow-up's due date."""
    return dt.datetime.combine(due_on, dt.time(FOLLOW_UP_HOUR), tzinfo=UK)


def appointment_reminder_at(starts_at: dt.datetime) -> dt.datetime:
    return starts_at - APPOINTMENT_NOTICE


# --- Scheduling (called on commit by the services) ----------------------------------------------------


def _can_defer(task) -> bool:
    return bool(task.get_backend().supports_defer)


def schedule_follow_ups(follow_up_ids: list[int]) -> None:
    from casework.treatment.tasks import remind_follow_up

    if not _can_defer(remind_follow_up):
        return
    for follow_up in FollowUp.objects.filter(pk__in=follow_up_ids).select_related("enrolment__case"):
        if reminds_staff(follow_up.enrolment.case):
            remind_follow_up.using(run_after=follow_up_due_at(follow_up.due_on)).enqueue(follow_up.pk)


def schedule_appointment(appointment_id: int) -> None:
    """Remind the client 24 hours before the appointment, unless that is already past."""
    from casework.treatment.tasks import remind_appointment

    appointment = Appointment.objects.select_related("case").filter(pk=appointment_id).first()
    if appointment is not None and appointment.case.kind in OTHER_SCHEDULERS:
        OTHER_SCHEDULERS[appointment.case.kind](appointment)
        return
    if appointment is None or not reminds(appointment.case) or not _can_defer(remind_appointment):
        return
    at = appointment_reminder_at(appointment.starts_at)
    if at < timezone.now():
        return  # less than 24 hours away: too late to remind
    remind_appointment.using(run_after=at).enqueue(appointment.pk, appointment.starts_at.isoformat())


# --- Sending ------------------------------------------------------------------------------------------


def _existing(reference: str) -> str | None:
    """Notify's id for a notification already sent under ``reference`` (by an earlier attempt)."""
    found = already_sent(reference)
    return found["id"] if found else None


def follow_up_reference(follow_up: FollowUp) -> str:
    return f"follow-up-{follow_up.pk}"


def lead_clinician(case):
    """The case's lead clinician (a member of staff), if there is one to write to."""
    member = CaseTeamMember.objects.select_related("user").filter(case=case, role=TeamRole.LEAD_CLINICIAN).first()
    user = member.user if member is not None else None
    if user is None or not user.is_active or not user.email:
        return None
    return user


def follow_up_personalisation(follow_up: FollowUp) -> dict[str, str]:
    return {"reference": follow_up.enrolment.case.reference, "point": f"{follow_up.point}-month"}


def send_follow_up(follow_up: FollowUp, lead) -> str:
    """Email the lead clinician that the follow-up is due, unless Notify already has it; its id."""
    reference = follow_up_reference(follow_up)
    found = _existing(reference)
    if found is not None:
        return found
    answer = client().send_email_notification(
        email_address=lead.email,
        template_id=settings.TREATMENT_FOLLOW_UP_REMINDER_TEMPLATE_ID,
        personalisation=follow_up_personalisation(follow_up),
        reference=reference,
    )
    return answer["id"]


def appointment_reference(appointment: Appointment) -> str:
    """The appointment's and its start's: a moved appointment's reminder is a new one."""
    return f"appointment-{appointment.pk}-{int(appointment.starts_at.timestamp())}"


def appointment_personalisation(appointment: Appointment) -> dict[str, str]:
    start = appointment.starts_at.astimezone(UK)
    return {
        "date": f"{start:%A} {start.day} {start:%B %Y}",
        "time": f"{start:%H:%M}",
        "place": PLACES.get(str(appointment.place_kind), "at the clinic"),
    }


def client_contact(person) -> tuple[str, str] | None:
    """("sms", number) for the first mobile number not marked unsafe to contact, else ("email",
    address) for the first such email address; None when there is neither."""
    for phone in PersonPhone.objects.filter(person=person, kind=PhoneKind.MOBILE).exclude(safe_to_contact=False):
        if phone.number.strip():
            return "sms", phone.number.strip()
    for email in PersonEmail.objects.filter(person=person).exclude(safe_to_contact=False):
        if email.address.strip():
            return "email", email.address.strip()
    return None


def send_appointment(appointment: Appointment, contact: tuple[str, str]) -> str:
    """Remind the client of the appointment by text message or email, unless Notify already has
    the reminder; its id."""
    reference = appointment_reference(appointment)
    found = _existing(reference)
    if found is not None:
        return found
    channel, address = contact
    personalisation = appointment_personalisation(appointment)
    if channel == "sms":
        answer = client().send_sms_notification(
            phone_number=address,
            template_id=settings.TREATMENT_APPOINTMENT_REMINDER_SMS_TEMPLATE_ID,
            personalisation=personalisation,
            reference=reference,
        )
    else:
        answer = client().send_email_notification(
            email_address=address,
            template_id=settings.TREATMENT_APPOINTMENT_REMINDER_EMAIL_TEMPLATE_ID,
            personalisation=personalisation,
            reference=reference,
        )
    return answer["id"]
