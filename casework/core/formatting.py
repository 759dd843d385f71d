"""How values are shown to people: British dates, Europe/London times."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def date_gb(value: dt.date | dt.datetime | None, empty: str = "Not recorded") -> str:
    if value is None or value == "":
        return empty
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return f"{value.day} {value:%B %Y}"


def time_gb(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return local.strftime("%-I:%M%p").lower()


def datetime_gb(value: dt.datetime | None, empty: str = "Not recorded") -> str:
    if value is None:
        return empty
    return f"{date_gb(value)} at {time_gb(value)}"


def yes_no(value: bool | None) -> str:
    if value is None:
        return "Not known"
    return "Yes" if value else "No"


def pounds(value, empty: str = "None") -> str:
    """An amount of money in pounds and pence: £1,250.00 (``empty`` when there is none)."""
    if value is None or value == "":
        return empty
    return f"£{value:,.2f}"
