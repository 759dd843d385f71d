"""Risk across a list of cases, for "My work" and the case list's risk filter.

Each case is assessed with the escalation rule (``escalation.assess``, docs/escalation-rule.md)
over its whole timeline, as the case page does; it is flagged when the rule flags it, or when it
has a likely breach of an order in the last 8 weeks (the rule's "recent": an old breach stays on
the case page but does not keep the case at the top of everyone's work).

Pure functions over plain values: ``queries.case_risks`` fetches what they need for every case
in the list in a fixed number of queries: each case's incidents since ``escalation.detail_since``
one by one, and a ``escalation.History`` of its older ones (the result is the same as over the
whole timeline: docs/adr/0026-my-work-risk-reads-recent-incidents.md).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from casework.cases import escalation

RECENT_DAYS = escalation.RECENT_WINDOWS * escalation.WINDOW_DAYS


def _fingerprint() -> str:
    """The rule's fingerprint: a digest of this module and ``escalation``'s source. A kept risk
    (``models.KeptRisk``) assessed under another fingerprint is not current, so a deployment that
    changes the rule assesses every case again rather than showing results of the old one."""
    digest = hashlib.sha256()
    for source in (escalation.__file__, __file__):
        digest.update(Path(source).read_bytes())
    return digest.hexdigest()[:16]


RULE = _fingerprint()


@dataclass(frozen=True)
class CaseRow:
    """A case as the risk list needs it (references and dates, never names)."""

    case_id: int
    reference: str
    next_hearing_on: dt.date | None = None
    next_hearing_kind: str = ""
    report_due_on: dt.date | None = None


@dataclass
class CaseRisk:
    row: CaseRow
    reasons: list[str] = field(default_factory=list)
    last_breach_on: dt.date | None = None

    @property
    def case_id(self) -> int:
        return self.row.case_id

    @property
    def reference(self) -> str:
        return self.row.reference

    @property
    def escalating(self) -> bool:
        return bool(self.reasons)

    @property
    def breaching(self) -> bool:
        return self.last_breach_on is not None

    @property
    def flagged(self) -> bool:
        return self.escalating or self.breaching

    @property
    def next_due_on(self) -> dt.date | None:
        """The soonest dated work: the next hearing or the report due date."""
        days = [d for d in (self.row.next_hearing_on, self.row.report_due_on) if d is not None]
        return min(days) if days else None


def recent_breach_on(breaches: Iterable[escalation.Breach], today: dt.date) -> dt.date | None:
    """The date of the latest likely breach in the last 8 weeks, if any."""
    since = today - dt.timedelta(days=RECENT_DAYS - 1)
    days = [b.point.occurred_on for b in breaches if since <= b.point.occurred_on <= today]
    return max(days) if days else None


def assess_case(
    row: CaseRow,
    points: list[escalation.Point],
    orders: list[escalation.OrderSpan],
    today: dt.date,
    older: escalation.History = escalation.NO_HISTORY,
) -> CaseRisk:
    """``points``: the case's incidents, oldest first: all of them, or those since
    ``escalation.detail_since(today)`` with ``older`` summarising the rest. The same reasons and
    recent breach as ``escalation.assess`` (the case page) gives over the whole timeline, without
    what only the page draws (first appearances, breaches older than 8 weeks)."""
    since = today - dt.timedelta(days=RECENT_DAYS - 1)
    if not points or points[-1].occurred_on < since:
        # Nothing in the last 8 weeks: no test of the rule can pass (each needs a recent incident)
        # and there is no recent breach.
        return CaseRisk(row=row)
    windows = escalation.windows_of(points, today)
    reasons = escalation.escalation_reasons(points, windows, older)
    recent = [p for p in points if p.occurred_on >= since]
    breaches = escalation.likely_breaches(recent, orders) if orders else []
    return CaseRisk(row=row, reasons=reasons, last_breach_on=recent_breach_on(breaches, today))


def sort_key(risk: CaseRisk) -> tuple:
    """Breaching and escalating first (both, then a breach, then escalation), then the soonest
    hearing or report due, then by reference."""
    rank = 0 if (risk.breaching and risk.escalating) else 1 if risk.breaching else 2 if risk.escalating else 3
    due = risk.next_due_on
    return (rank, due is None, due or dt.date.max, risk.reference)


def assess_cases(
    rows: Iterable[CaseRow],
    points: dict[int, list[escalation.Point]],
    orders: dict[int, list[escalation.OrderSpan]],
    today: dt.date,
    older: dict[int, escalation.History] | None = None,
) -> list[CaseRisk]:
    """Every case assessed, in the order ``sort_key`` gives."""
    older = older or {}
    risks = [
        assess_case(
            row,
            points.get(row.case_id, []),
            orders.get(row.case_id, []),
            today,
            older.get(row.case_id, escalation.NO_HISTORY),
        )
        for row in rows
    ]
    return sorted(risks, key=sort_key)
