"""Writing to a person who is stalked: a letter, an email or a text message, refused before
anything is queued when their safety plan forbids it (``contact.refusal``), else queued for
sending through GOV.UK Notify once the decision commits (``tasks.send_message``)."""

from __future__ import annotations

import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.cases.services._shared import audit_created
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.victims import contact, notify, queries
from casework.victims.choices import MESSAGE_CHANNELS, Channel
from casework.victims.models import MESSAGE_LIMIT, VictimMessage


class MessageRefused(Refused):
    """A message the rules or the safety plan refuse, with the reason (and its field)."""


def message_send(*, case, channel: str, text: str, by, request: HttpRequest | None = None) -> VictimMessage:
    """Queue ``text`` to the person ``case`` is about, by ``channel``, if their safety plan allows
    it now; otherwise refuse with the plan's reason and queue nothing."""
    require(by, "victims.message", case)
    text = (text or "").strip()
    if channel not in MESSAGE_CHANNELS:
        raise MessageRefused("Select how to send the message: letter, email or text message", "channel")
    if not text:
        raise MessageRefused("Enter the message", "text")
    if len(text) > MESSAGE_LIMIT:
        raise MessageRefused(f"The message must be {MESSAGE_LIMIT} characters or fewer", "text")
    if channel == Channel.SMS and len(text) > 459:
        raise MessageRefused("A text message must be 459 characters or fewer (three texts)", "text")
    plan = queries.plan_in_force(case)
    refused = contact.refusal(plan, channel=channel, text=text, at=timezone.now())
    if refused is not None:
        raise MessageRefused(refused.reason, refused.field)
    assert plan is not None
    problem = notify.destination_problem(case.subject, channel)
    if problem:
        raise MessageRefused(problem, "channel")
    with transaction.atomic():
        message = VictimMessage.objects.create(
            case=case,
            channel=channel,
            text=text,
            plan=plan,
            reference=f"victim-message-{secrets.token_hex(12)}",
            created_by=by,
        )
        audit_created(
            case=case, by=by, request=request, obj=message, label="message to the victim", fields=("channel", "plan_id")
        )
        message_id = message.pk
        transaction.on_commit(lambda: _queue(message_id))
    return message


def _queue(message_id: int) -> None:
    from casework.victims.tasks import send_message

    send_message.enqueue(message_id)
