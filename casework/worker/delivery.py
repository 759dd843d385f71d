"""Side effects that must happen once, even when a task runs again after a crash.

A task that sends messages gives each one a key naming what it is about (``break-glass:42:user:7``).
``send_once`` sends a message only if no ``Delivery`` with its key is recorded, and records the
key as soon as the message has gone. A task retried after its worker died therefore sends only
what it had not sent. (A crash in the instant between the relay accepting a message and the
key being written would send that one message twice: SMTP offers nothing better.)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone

from casework.worker.models import Delivery


def already_delivered(key: str) -> bool:
    return Delivery.objects.filter(key=key).exists()


def record_delivery(key: str) -> bool:
    """Record that ``key`` was delivered; False if it already was."""
    try:
        with transaction.atomic():
            Delivery.objects.create(key=key, delivered_at=timezone.now())
    except IntegrityError:
        return False
    return True


def send_once(messages: Iterable[tuple[str, EmailMessage]]) -> int:
    """Send each (key, message) whose key has not been delivered, over one connection; returns
    how many were sent now. The connection uses EMAIL_TIMEOUT, so a hung relay raises
    (and the task is retried) instead of blocking the worker."""
    pending = [(key, message) for key, message in messages if not already_delivered(key)]
    if not pending:
        return 0
    sent = 0
    with get_connection(fail_silently=False) as connection:
        for key, message in pending:
            message.connection = connection
            message.send(fail_silently=False)
            record_delivery(key)
            sent += 1
    return sent
