"""Sending a message to a person who is stalked through GOV.UK Notify (``notifications-python-client``),
with the referrals' client (``casework.referrals.notify.client``: Notify itself with
``NOTIFY_API_KEY``, the in-process stand-in without it outside production).

The message's ``reference`` is Notify's reference for it, and before sending we ask Notify for a
notification with that reference, so a retry after a lost answer never sends it twice. The sender
is named as the safety plan allows: the clinic's name only where they agreed to it, otherwise the
neutral ``VICTIM_NEUTRAL_SENDER``.
"""

from __future__ import annotations

import re

from django.conf import settings

from casework.referrals.notify import already_sent, client
from casework.victims import queries
from casework.victims.choices import Channel, MessageStatus
from casework.victims.models import VictimMessage

STATUSES = {
    "delivered": MessageStatus.DELIVERED,
    "received": MessageStatus.DELIVERED,
    "permanent-failure": MessageStatus.FAILED,
    "temporary-failure": MessageStatus.FAILED,
    "technical-failure": MessageStatus.FAILED,
    "validation-failed": MessageStatus.FAILED,
    "cancelled": MessageStatus.FAILED,
}
ADDRESS_LINES_MAX = 7


class NoContact(Exception):  # noqa: N818 - a state of the record, not a fault
    """Nowhere safe to send it: no email or number marked safe to contact, or no current address."""


def sender(message: VictimMessage) -> str:
    return str(settings.CLINIC_NAME if message.plan.may_name_clinic else settings.VICTIM_NEUTRAL_SENDER)


def address_lines(person) -> dict[str, str]:
    found = queries.current_address(person)
    if found is None or not found.address.strip() or not (found.postcode or "").strip():
        raise NoContact("No current postal address with a postcode is recorded for them")
    lines = [part.strip() for part in re.split(r"[\n;]", found.address) if part.strip()]
    lines = lines[: ADDRESS_LINES_MAX - 1] + [found.postcode.strip()]
    return {f"address_line_{n}": line for n, line in enumerate(lines, start=1)}


def destination_problem(person, channel: str) -> str:
    """Why a message by ``channel`` cannot reach ``person``, or ""."""
    try:
        if channel == Channel.EMAIL and not queries.safe_email(person):
            return "No email address is recorded as safe to contact for them"
        if channel == Channel.SMS and not queries.safe_phone(person):
            return "No telephone number is recorded as safe to contact for them"
        if channel == Channel.LETTER:
            address_lines(person)
    except NoContact as missing:
        return str(missing)
    return ""


def existing(message: VictimMessage) -> dict | None:
    return already_sent(message.reference)


def send(message: VictimMessage) -> str:
    """Hand the message to Notify, unless it already has it; Notify's id for it."""
    found = existing(message)
    if found is not None:
        return found["id"]
    person = message.case.subject
    problem = destination_problem(person, message.channel)
    if problem:
        raise NoContact(problem)
    personalisation = {"body": message.text, "sender": sender(message)}
    if message.channel == Channel.EMAIL:
        answer = client().send_email_notification(
            email_address=queries.safe_email(person),
            template_id=settings.VICTIM_EMAIL_TEMPLATE_ID,
            personalisation=personalisation,
            reference=message.reference,
        )
    elif message.channel == Channel.SMS:
        answer = client().send_sms_notification(
            phone_number=queries.safe_phone(person),
            template_id=settings.VICTIM_SMS_TEMPLATE_ID,
            personalisation=personalisation,
            reference=message.reference,
        )
    else:
        answer = client().send_letter_notification(
            template_id=settings.VICTIM_LETTER_TEMPLATE_ID,
            personalisation={**address_lines(person), **personalisation},
            reference=message.reference,
        )
    return answer["id"]


def status_of(message: VictimMessage) -> str:
    answer = client().get_notification_by_id(message.notify_id)
    return STATUSES.get(answer.get("status", ""), MessageStatus.SENT)
