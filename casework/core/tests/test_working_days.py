"""Working-day clocks skip weekends and the bank holidays of England and Wales, substitute days
included."""

from __future__ import annotations

import datetime as dt

import pytest

from casework.core.working_days import is_working_day, working_days_after, working_days_before


@pytest.mark.parametrize(
    "day",
    [
        dt.date(2026, 12, 25),  # Christmas Day, a Friday
        dt.date(2026, 12, 28),  # Boxing Day falls on a Saturday: the Monday is its substitute
        dt.date(2027, 12, 27),  # Christmas Day 2027 falls on a Saturday: substitute Monday
        dt.date(2027, 12, 28),  # and Boxing Day on a Sunday: substitute Tuesday
        dt.date(2021, 12, 27),
        dt.date(2021, 12, 28),
        dt.date(2026, 4, 3),  # Good Friday
        dt.date(2026, 4, 6),  # Easter Monday
        dt.date(2027, 3, 26),
        dt.date(2027, 3, 29),
    ],
)
def test_christmas_and_easter_bank_holidays_are_not_working_days(day):
    assert day.weekday() < 5
    assert not is_working_day(day)


def test_an_ordinary_weekday_is_a_working_day_and_a_weekend_is_not():
    assert is_working_day(dt.date(2026, 12, 29))
    assert is_working_day(dt.date(2026, 4, 2))  # Maundy Thursday is a working day
    assert not is_working_day(dt.date(2026, 12, 26))  # Saturday


def test_counting_back_over_christmas_skips_the_bank_holidays():
    # Tuesday 29 December 2026: one working day back passes Monday 28 (Boxing Day substitute),
    # the weekend and Christmas Day, to Thursday 24 December.
    assert working_days_before(dt.date(2026, 12, 29), 1) == dt.date(2026, 12, 24)
    # Wednesday 29 December 2027: Tuesday 28 and Monday 27 are substitutes; back to Friday 24.
    assert working_days_before(dt.date(2027, 12, 29), 1) == dt.date(2027, 12, 24)
    assert working_days_after(dt.date(2027, 12, 24), 1) == dt.date(2027, 12, 29)


def test_counting_back_over_easter_skips_good_friday_and_easter_monday():
    # Tuesday 7 April 2026 back one working day is Thursday 2 April.
    assert working_days_before(dt.date(2026, 4, 7), 1) == dt.date(2026, 4, 2)
    # Ten working days back from Tuesday 14 April 2026: 13, 10, 9, 8, 7, 2, 1 April, 31, 30, 27 March.
    assert working_days_before(dt.date(2026, 4, 14), 10) == dt.date(2026, 3, 27)
    assert working_days_after(dt.date(2026, 4, 2), 1) == dt.date(2026, 4, 7)


def test_a_bank_holiday_on_new_years_day_is_counted_across_the_turn_of_the_year():
    # Monday 4 January 2027 back one working day: Friday 1 January is New Year's Day, so Thursday 31 December.
    assert working_days_before(dt.date(2027, 1, 4), 1) == dt.date(2026, 12, 31)
