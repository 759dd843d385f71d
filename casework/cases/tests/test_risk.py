"""Risk across a list of cases (casework/cases/risk.py), on plain values: no database."""

from __future__ import annotations

import datetime as dt

from casework.cases.escalation import OrderSpan, Point
from casework.cases.risk import CaseRow, assess_case, assess_cases, sort_key

TODAY = dt.date(2026, 11, 27)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def row(case_id: int, **fields) -> CaseRow:
    return CaseRow(case_id=case_id, reference=f"CASE-2026-{case_id:05d}", **fields)


NO_CONTACT = OrderSpan(
    order_id=1, label="Restraining order", starts_on=ago(300), ends_on=None, no_contact=True, protects=frozenset({7})
)
ESCALATING = [Point(ago(120), 1, "text", "text", 7), Point(ago(5), 4, "text", "text", None)]


def breach_on(days: int) -> list[Point]:
    return [Point(ago(days), 2, "text", "text", 7)]


def test_a_case_with_no_incidents_is_not_flagged():
    risk = assess_case(row(1), [], [NO_CONTACT], TODAY)
    assert not risk.flagged and risk.reasons == [] and risk.last_breach_on is None


def test_a_breach_in_the_last_8_weeks_flags_the_case_and_an_older_one_does_not():
    assert assess_case(row(1), breach_on(55), [NO_CONTACT], TODAY).last_breach_on == ago(55)
    assert not assess_case(row(1), breach_on(56), [NO_CONTACT], TODAY).flagged


def test_the_escalation_rule_flags_the_case_with_its_reasons():
    risk = assess_case(row(1), ESCALATING, [], TODAY)
    assert risk.escalating and not risk.breaching
    assert risk.reasons[0].startswith("Rising severity")


def test_both_flags_then_a_breach_then_escalation_then_the_soonest_due_work():
    both = assess_case(row(1), ESCALATING + breach_on(3), [NO_CONTACT], TODAY)
    breach = assess_case(row(2), breach_on(3), [NO_CONTACT], TODAY)
    escalating = assess_case(row(3), ESCALATING, [], TODAY)
    hearing_soon = assess_case(row(4, next_hearing_on=ago(-2)), [], [], TODAY)
    report_sooner = assess_case(row(5, report_due_on=ago(1)), [], [], TODAY)
    nothing_due = assess_case(row(6), [], [], TODAY)
    ordered = sorted([nothing_due, hearing_soon, escalating, report_sooner, breach, both], key=sort_key)
    assert [r.case_id for r in ordered] == [1, 2, 3, 5, 4, 6]


def test_assess_cases_sorts_and_keeps_every_case():
    risks = assess_cases([row(1), row(2)], {2: ESCALATING}, {}, TODAY)
    assert [r.case_id for r in risks] == [2, 1]
