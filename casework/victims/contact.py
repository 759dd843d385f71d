"""The safe-contact rule: whether the clinic may send a message to a person who is stalked, by a
channel, at a time, with a wording, under their safety plan. One rule for every message (letter,
email, text message), asked when a message is written (``services.message_send``, which refuses
with the reason) and again just before it is sent (``tasks.send_message``: the plan may have
changed, and an email or a text waits for the next agreed time).

A message is refused when:
- no safety plan has been agreed (the clinic does not know how it is safe to reach them);
- the channel is not one they agreed;
- for an email or a text message, it is not an agreed day or time (a letter arrives whenever the
  post brings it: its day and time are not checked);
- the wording names the clinic, or says what it is for, and they have not agreed to that (a
  message read by the person who stalks them must not tell that person where they sought help).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from casework.core.formatting import date_gb
from casework.victims.choices import INSTANT_CHANNELS, WEEKDAYS, Channel
from casework.victims.models import SafetyPlanVersion

DAY_NAMES = dict(WEEKDAYS)
# Words that say what the clinic is, besides its configured name.
REVEALING_WORDS = ("stalking", "stalker", "harassment", "forensic")


@dataclass(frozen=True)
class Refusal:
    reason: str
    field: str


def revealing_words(text: str) -> list[str]:
    """The words in ``text`` that name the clinic or say what it does, as they appear there."""
    names = [str(settings.CLINIC_NAME or ""), *REVEALING_WORDS]
    found = []
    for name in filter(None, names):
        match = re.search(re.escape(name), text, flags=re.IGNORECASE)
        if match and match.group(0) not in found:
            found.append(match.group(0))
    return found


def _times(plan: SafetyPlanVersion) -> str:
    days = ", ".join(DAY_NAMES[str(day)] for day in sorted(int(d) for d in plan.contact_days)) or "no day"
    return f"{days}, {plan.contact_from:%H:%M} to {plan.contact_until:%H:%M}"


def is_safe_time(plan: SafetyPlanVersion, at: dt.datetime) -> bool:
    local = timezone.localtime(at)
    return str(local.weekday()) in {str(d) for d in plan.contact_days} and (
        plan.contact_from <= local.time().replace(tzinfo=None) < plan.contact_until
    )


def next_safe_time(plan: SafetyPlanVersion, after: dt.datetime) -> dt.datetime | None:
    """The first moment at or after ``after`` inside the agreed days and times (None if none is agreed)."""
    if not plan.contact_days or plan.contact_from >= plan.contact_until:
        return None
    if is_safe_time(plan, after):
        return after
    local = timezone.localtime(after)
    for offset in range(8):
        day = local.date() + dt.timedelta(days=offset)
        if str(day.weekday()) not in {str(d) for d in plan.contact_days}:
            continue
        start = timezone.make_aware(dt.datetime.combine(day, plan.contact_from))
        if start >= after:
            return start
    return None


def refusal(plan: SafetyPlanVersion | None, *, channel: str, text: str, at: dt.datetime) -> Refusal | None:
    """Why this message may not be sent now, or None if it may."""
    if plan is None:
        return Refusal(
            "No safety plan has been agreed with this person: agree how it is safe to contact them first", "channel"
        )
    if channel not in plan.channels:
        agreed = ", ".join(Channel(c).label.lower() for c in plan.channels) or "none"
        return Refusal(
            f"They have not agreed to be contacted by {Channel(channel).label.lower()} "
            f"(agreed in the safety plan of {date_gb(plan.agreed_on)}: {agreed})",
            "channel",
        )
    if channel in INSTANT_CHANNELS and not is_safe_time(plan, at):
        local = timezone.localtime(at)
        return Refusal(
            f"It is not a time they agreed: {local:%A %H:%M}; agreed {_times(plan)}",
            "channel",
        )
    if not plan.may_name_clinic:
        words = revealing_words(text)
        if words:
            quoted = ", ".join(f"“{word}”" for word in words)
            return Refusal(
                f"The message says {quoted}: they have not agreed to messages that name the clinic or say what it does",
                "text",
            )
    return None
