"""Working days: Monday to Friday, except the bank holidays of England and Wales.

The clinic works to the England and Wales calendar (the ``holidays`` package, ``GB`` with the
``ENG`` subdivision, whose bank holidays are also Wales's). A bank holiday that falls at a weekend
is replaced by a substitute weekday, which is not a working day either: Christmas Day 2027 is a
Saturday, so Monday 27 and Tuesday 28 December 2027 are bank holidays.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in ``year``, substitute days included."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_before(day: dt.date, working_days: int) -> dt.date:
    """The date ``working_days`` working days before ``day`` (``day`` itself is not counted)."""
    current = day
    remaining = working_days
    while remaining > 0:
        current -= dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_after(day: dt.date, working_days: int) -> dt.date:
    """The date ``working_days`` working days after ``day`` (``day`` itself is not counted)."""
    current = day
    remaining = working_days
    while remaining > 0:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
