"""The victim pathway's fixed lists."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    """How the clinic may reach a person who is stalked."""

    LETTER = "letter", "Letter"
    EMAIL = "email", "Email"
    SMS = "sms", "Text message (SMS)"
    PHONE = "phone", "Telephone call"


# The channels the clinic sends messages through (a telephone call is made by a person, not sent).
MESSAGE_CHANNELS = (Channel.LETTER, Channel.EMAIL, Channel.SMS)
# Channels that reach the person at once: the agreed days and times apply to them. A letter arrives
# whenever the post brings it, so only its channel and its wording are checked.
INSTANT_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.PHONE)

WEEKDAYS = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    WAITING = "waiting", "Waiting for an agreed time"
    SENT = "sent", "Sent to GOV.UK Notify"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Not delivered"
    HELD = "held", "Not sent: the safety plan changed"
