"""Sending a message to a person who is stalked (``send_message``), and following its delivery.
Each takes the message's id, never anything personal.

Just before sending, the safe-contact rule is asked again with the plan in force now: a message
whose channel or wording the plan no longer allows is held (not sent, with the reason shown); an
email or a text message outside the agreed days and times waits for the next agreed time. A send
that fails is recorded and raised, so the worker retries it with back-off; a retry never sends twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.models import update_in_place
from casework.treatment.choices import Attendance
from casework.treatment.models import Appointment
from casework.victims import contact, notify, queries, reminders
from casework.victims.choices import Channel, MessageStatus
from casework.victims.models import ERROR_LIMIT, VictimMessage

DELIVERY_CHECKS_MAX = 12
DONE = {MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.FAILED, MessageStatus.HELD}


_set = update_in_place


@task()
def send_message(message_id: int) -> str:
    message = queries.message_for_task(message_id)
    if message is None:
        return "gone"
    if message.notify_id or message.status in DONE:
        return str(message.status)
    now = timezone.now()
    plan = queries.plan_for_task(message.case_id)
    refused = contact.refusal(plan, channel=message.channel, text=message.text, at=now)
    if refused is not None and plan is not None and not contact.is_safe_time(plan, now):
        later = contact.next_safe_time(plan, now)
        if later is not None and contact.refusal(plan, channel=message.channel, text=message.text, at=later) is None:
            _set(message, status=MessageStatus.WAITING, send_after=later, last_error="")
            backend = send_message.get_backend()
            if backend.supports_defer:
                transaction.on_commit(lambda: send_message.using(run_after=later).enqueue(message.pk))
            return str(message.status)
    if refused is not None:
        _set(message, status=MessageStatus.HELD, last_error=refused.reason[:ERROR_LIMIT])
        return str(message.status)
    try:
        notify_id = notify.send(message)
    except notify.NoContact as missing:
        _set(message, status=MessageStatus.FAILED, last_error=str(missing)[:ERROR_LIMIT])
        return str(message.status)
    except Exception as error:
        _set(message, last_error=f"Sending failed ({type(error).__name__})")
        raise  # the worker tries again later
    _set(message, notify_id=notify_id, status=MessageStatus.SENT, sent_at=timezone.now(), last_error="")
    return _follow(message, attempt=1)


@task()
def check_message_delivery(message_id: int, attempt: int = 1) -> str:
    message = queries.message_for_task(message_id)
    if message is None or not message.notify_id:
        return "gone"
    return _follow(message, attempt=attempt)


def _follow(message: VictimMessage, *, attempt: int) -> str:
    status = notify.status_of(message)
    if status != message.status:
        _set(message, status=status)
    if status == MessageStatus.SENT and attempt < DELIVERY_CHECKS_MAX:
        backend = check_message_delivery.get_backend()
        if backend.supports_defer:
            later = timezone.now() + dt.timedelta(minutes=5 * 2 ** (attempt - 1))
            check_message_delivery.using(run_after=later).enqueue(message.pk, attempt + 1)
    return str(status)


def _reminder_audit(case, appointment, what: str) -> None:
    """The case's trail says a reminder was written (or why not): never to what number or address."""
    label = f"appointment {appointment.pk}"
    record(
        action=Action.UPDATE,
        obj=case,
        object_label=f"{case.reference}: {label}",
        changes={f"{label} reminder": {"old": None, "new": what}},
    )


@task()
def remind_victim_appointment(appointment_id: int, starts_at_iso: str) -> str:
    """24 hours before a therapy appointment, write the person who is stalked a reminder, once,
    if their safety plan allows one before the appointment (``reminders``); it is sent by
    ``send_message``, which asks the safe-contact rule again. Nothing if the appointment was
    cancelled, has taken place or was moved (from ``starts_at_iso``)."""
    appointment = queries.appointment_for_reminder(appointment_id)
    if appointment is None:
        return "gone"
    case = appointment.case
    now = timezone.now()
    if appointment.attendance != Attendance.BOOKED:
        return "not_booked"
    if appointment.starts_at != dt.datetime.fromisoformat(starts_at_iso):
        return "moved"
    if appointment.reminder_sent_at is not None:
        return "already_reminded"
    if appointment.starts_at <= now:
        return "too_late"
    plan = queries.plan_for_task(case.pk)
    channel = reminders.channel_for(plan, case.subject, notify.destination_problem) if plan is not None else None
    if plan is None or channel is None:
        _reminder_audit(case, appointment, "not written: the safety plan agrees no text message or email to use")
        return "no_agreed_channel"
    text = reminders.text(appointment)
    send_at = contact.next_safe_time(plan, now)
    if send_at is None or send_at > appointment.starts_at - reminders.LAST_USEFUL:
        _reminder_audit(case, appointment, "not written: no agreed time to contact them before the appointment")
        return "no_agreed_time"
    refused = contact.refusal(plan, channel=channel, text=text, at=send_at)
    if refused is not None:
        _reminder_audit(case, appointment, f"not written: {refused.reason}")
        return "refused"
    with transaction.atomic():
        message, created = VictimMessage.objects.get_or_create(
            reference=reminders.reference(appointment),
            defaults={
                "case": case,
                "channel": channel,
                "text": text,
                "plan": plan,
                "created_by": appointment.created_by,
            },
        )
        Appointment.objects.filter(pk=appointment.pk).update(reminder_sent_at=now)
        if created:
            _reminder_audit(case, appointment, f"written to them by {Channel(channel).label.lower()}")
        message_id = message.pk
        transaction.on_commit(lambda: send_message.enqueue(message_id))
    return "written"
