"""The escalation view of a case's incident timeline, and the rule that flags a case as escalating.

Pure functions over plain values (no database): ``queries.incident_points`` fetches every incident
in one query, and ``assess`` turns them into

- incidents per 4-week window, counted back from the day the view is for (``as_of``);
- severity over time (the highest and the mean severity in each window);
- the first appearance of each behaviour;
- likely breaches: contact of a kind a no-contact condition forbids, with the victim it protects,
  on or after the order's start and on or before its end date;
- whether the case is escalating, with the reasons.

The rule is written out, with its reasons, in docs/escalation-rule.md; keep the two in step.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from casework.cases.choices import (
    CONTACT_BEHAVIOURS,
    IN_PERSON_BEHAVIOURS,
    VIOLENT_BEHAVIOURS,
    Behaviour,
    Channel,
    DatePrecision,
)

WINDOW_DAYS = 28
# "Recent" for the severity, in-person and violence tests: the last two windows (8 weeks).
RECENT_WINDOWS = 2
# Rising frequency: at least this many incidents in the latest window ...
FREQUENCY_MINIMUM = 3
# ... and at least this many times the mean of the three windows before it.
FREQUENCY_RATIO = 2.0
FREQUENCY_BASELINE_WINDOWS = 3
# Rising severity: the recent highest must reach at least this.
SEVERITY_MINIMUM = 3
# The chart draws at most this many windows (20 years); older incidents still count in the rule.
MAX_WINDOWS = 260
# The rule looks at incidents one by one only in the last 16 weeks (the latest window and the
# three of the frequency baseline); of older ones it needs only a ``History`` summary.
DETAIL_DAYS = (FREQUENCY_BASELINE_WINDOWS + 1) * WINDOW_DAYS


@dataclass(frozen=True)
class Point:
    """One incident, as the escalation view needs it."""

    occurred_on: dt.date
    severity: int
    behaviour: str
    channel: str
    victim_id: int | None = None
    precision: str = DatePrecision.DAY
    place: str = ""

    @property
    def in_person(self) -> bool:
        return self.behaviour in IN_PERSON_BEHAVIOURS or self.channel == Channel.IN_PERSON

    @property
    def violent(self) -> bool:
        return self.behaviour in VIOLENT_BEHAVIOURS

    @property
    def last_possible_day(self) -> dt.date:
        """The latest day the incident may have happened on (the month's end, when only the month is known)."""
        if self.precision == DatePrecision.MONTH:
            last = calendar.monthrange(self.occurred_on.year, self.occurred_on.month)[1]
            return self.occurred_on.replace(day=last)
        return self.occurred_on


@dataclass(frozen=True)
class OrderSpan:
    """An order as the breach test needs it: when it is in force, whether it forbids contact,
    and the parties (case party ids) it protects."""

    order_id: int
    label: str
    starts_on: dt.date
    ends_on: dt.date | None
    no_contact: bool
    protects: frozenset[int]
    zone_places: frozenset[str] = frozenset()

    def covers(self, point: Point) -> bool:
        """The whole of the time the incident may have happened falls while the order is in force."""
        if point.occurred_on < self.starts_on:
            return False
        return self.ends_on is None or point.last_possible_day <= self.ends_on


@dataclass(frozen=True)
class History:
    """What the escalation rule needs to know of a run of incidents it does not look at one by one:
    how many, the highest severity, and whether any was in person, violent or a threat."""

    count: int = 0
    max_severity: int | None = None
    in_person: bool = False
    violent: bool = False
    threats: bool = False

    @classmethod
    def of(cls, points: Iterable[Point]) -> History:
        points = list(points)
        return cls(
            count=len(points),
            max_severity=max((p.severity for p in points), default=None),
            in_person=any(p.in_person for p in points),
            violent=any(p.violent for p in points),
            threats=any(p.behaviour == Behaviour.THREATS for p in points),
        )

    def __add__(self, other: History) -> History:
        severities = [s for s in (self.max_severity, other.max_severity) if s is not None]
        return History(
            count=self.count + other.count,
            max_severity=max(severities, default=None),
            in_person=self.in_person or other.in_person,
            violent=self.violent or other.violent,
            threats=self.threats or other.threats,
        )


NO_HISTORY = History()


def detail_since(as_of: dt.date) -> dt.date:
    """The first day the rule needs incidents one by one for, assessed on ``as_of``: the start of
    the frequency baseline (16 weeks back). Incidents before it count only through ``History``."""
    return _days_before(as_of, DETAIL_DAYS - 1)


@dataclass
class Window:
    starts_on: dt.date
    ends_on: dt.date
    count: int = 0
    max_severity: int | None = None
    mean_severity: float | None = None
    new_behaviours: list[str] = field(default_factory=list)
    breaches: int = 0

    @property
    def label(self) -> str:
        return f"{_short(self.starts_on)} to {_short(self.ends_on)}"


@dataclass(frozen=True)
class Breach:
    point: Point
    order: OrderSpan
    zone: bool = False  # inside the order's exclusion zone (else: contact it forbade)

    @property
    def what(self) -> str:
        if self.zone:
            return f"inside the exclusion zone of the {self.order.label.lower()}"
        return f"while the {self.order.label.lower()} forbade contact"


@dataclass
class Escalation:
    as_of: dt.date
    windows: list[Window]
    first_appearances: list[tuple[str, dt.date]]
    breaches: list[Breach]
    reasons: list[str]
    # Incidents older than the first window drawn (more than MAX_WINDOWS windows back).
    undrawn: int = 0

    @property
    def escalating(self) -> bool:
        return bool(self.reasons)

    @property
    def incident_count(self) -> int:
        return sum(w.count for w in self.windows)


def _short(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def points_from(rows: Iterable[tuple]) -> list[Point]:
    """Points from ``queries.incident_points`` rows, oldest first."""
    return sorted((Point(*row) for row in rows), key=lambda p: p.occurred_on)


def _days_before(day: dt.date, days: int) -> dt.date:
    """``day`` less ``days``, or the first date there is (any stored date must render)."""
    try:
        return day - dt.timedelta(days=days)
    except OverflowError:
        return dt.date.min


def windows_of(points: list[Point], as_of: dt.date) -> list[Window]:
    """4-week windows, oldest first, the last ending on ``as_of``, back to the first incident (at
    most ``MAX_WINDOWS`` of them)."""
    if not points:
        return []
    first = min(p.occurred_on for p in points)
    as_of = max(as_of, max(p.occurred_on for p in points))
    count = min((as_of - first).days // WINDOW_DAYS + 1, MAX_WINDOWS)
    windows = []
    for back in range(count - 1, -1, -1):
        ends = _days_before(as_of, WINDOW_DAYS * back)
        windows.append(Window(starts_on=_days_before(ends, WINDOW_DAYS - 1), ends_on=ends))
    severities: list[list[int]] = [[] for _ in windows]
    for point in points:
        index = count - 1 - (as_of - point.occurred_on).days // WINDOW_DAYS
        if index >= 0:
            severities[index].append(point.severity)
    for window, values in zip(windows, severities, strict=True):
        window.count = len(values)
        if values:
            window.max_severity = max(values)
            window.mean_severity = round(sum(values) / len(values), 1)
    return windows


def _window_index(windows: list[Window], day: dt.date) -> int | None:
    for index, window in enumerate(windows):
        if window.starts_on <= day <= window.ends_on:
            return index
    return None


def first_appearances(points: list[Point]) -> list[tuple[str, dt.date]]:
    """Each behaviour with the date it first appeared, in the order they appeared."""
    seen: dict[str, dt.date] = {}
    for point in sorted(points, key=lambda p: p.occurred_on):
        seen.setdefault(point.behaviour, point.occurred_on)
    return list(seen.items())


def likely_breaches(points: list[Point], orders: Iterable[OrderSpan]) -> list[Breach]:
    """Contact a no-contact condition forbade: an incident of a contact behaviour, with a victim the
    order protects, on or after its start and on or before its end (the whole month, when only
    the month is known). And presence an exclusion zone forbade: an in-person incident at a place
    the order's zone covers (the victim's home, workplace, children's school), with a victim it
    protects, while it is in force."""
    orders = list(orders)
    found = []
    no_contact = [o for o in orders if o.no_contact and o.protects]
    zones = [o for o in orders if o.zone_places and o.protects]
    for point in points:
        if point.victim_id is None:
            continue
        breach = None
        if point.in_person and point.place:
            breach = next(
                (
                    Breach(point=point, order=o, zone=True)
                    for o in zones
                    if point.place in o.zone_places and point.victim_id in o.protects and o.covers(point)
                ),
                None,
            )
        if breach is None and point.behaviour in CONTACT_BEHAVIOURS:
            breach = next(
                (Breach(point=point, order=o) for o in no_contact if point.victim_id in o.protects and o.covers(point)),
                None,
            )
        if breach is not None:
            found.append(breach)
    return found


def escalation_reasons(points: list[Point], windows: list[Window], older: History = NO_HISTORY) -> list[str]:
    """The escalation rule (docs/escalation-rule.md). Empty: not escalating.

    ``older``: incidents left out of ``points`` because they fell before ``detail_since`` of the
    day assessed (so before every window the rule reads one by one), summarised; the reasons are
    the same as with those incidents among ``points`` (``queries.case_risks`` relies on it)."""
    if not windows:
        return []
    latest = windows[-1]
    recent_start = windows[-RECENT_WINDOWS].starts_on if len(windows) >= RECENT_WINDOWS else windows[0].starts_on
    earlier = History.of(p for p in points if p.occurred_on < latest.starts_on) + older
    before_recent = History.of(p for p in points if p.occurred_on < recent_start) + older
    recent = [p for p in points if p.occurred_on >= recent_start]
    found = [
        _rising_frequency(windows, earlier),
        _rising_severity(recent, before_recent),
        _remote_to_in_person(recent, before_recent),
        _threats_to_violence(points, recent, before_recent, older),
    ]
    return [reason for reason in found if reason]


def needs_history(points: list[Point], as_of: dt.date) -> bool:
    """Whether the reasons for ``points`` (a case's incidents since ``detail_since(as_of)``, oldest
    first) could change with older incidents: only when a test of the rule passes, or would pass,
    on these alone with nothing before them (``queries.case_risks`` summarises the older incidents
    of those cases only). Each test needs a recent incident; beyond that:

    1. rising frequency asks only whether there was any incident before the latest window;
    2. rising severity, whether any before was as severe as the highest recent one (≥ 3);
    3. remote to in-person, whether any before was in person;
    4. threats to violence, whether any before was violent, and whether threats came first.
    """
    windows = windows_of(points, as_of)
    if not windows:
        return False
    latest = windows[-1]
    recent_start = windows[-RECENT_WINDOWS].starts_on if len(windows) >= RECENT_WINDOWS else windows[0].starts_on
    recent = [p for p in points if p.occurred_on >= recent_start]
    if not recent:
        return False
    before = History.of(p for p in points if p.occurred_on < recent_start)
    if not any(p.occurred_on < latest.starts_on for p in points) and _rising_frequency(windows, History(count=1)):
        return True
    recent_max = max(p.severity for p in recent)
    if recent_max >= SEVERITY_MINIMUM and recent_max > (before.max_severity or 0):
        return True
    if any(p.in_person for p in recent) and not before.in_person:
        return True
    return any(p.violent for p in recent) and not before.violent


def _rising_frequency(windows: list[Window], earlier: History) -> str | None:
    """1. The latest window has at least FREQUENCY_MINIMUM incidents and FREQUENCY_RATIO times the
    mean of the windows before it (missing windows count as none)."""
    latest = windows[-1]
    baseline = [w.count for w in windows[-1 - FREQUENCY_BASELINE_WINDOWS : -1]]
    baseline += [0] * (FREQUENCY_BASELINE_WINDOWS - len(baseline))
    mean = sum(baseline) / FREQUENCY_BASELINE_WINDOWS
    if earlier.count and latest.count >= FREQUENCY_MINIMUM and latest.count >= FREQUENCY_RATIO * mean:
        return f"Rising frequency: {latest.count} incidents in the last 4 weeks, {_before(baseline)}"
    return None


def _before(baseline: list[int]) -> str:
    """The weeks before, in words a reader takes in at once: "none in the 12 weeks before", "2 in
    the 12 weeks before (at most 1 in any 4 weeks)"."""
    weeks = len(baseline) * WINDOW_DAYS // 7
    total = sum(baseline)
    if total == 0:
        return f"none in the {weeks} weeks before"
    incidents = "1 incident" if total == 1 else f"{total} incidents"
    return f"against {incidents} in the {weeks} weeks before (at most {max(baseline)} in any 4 weeks)"


def _rising_severity(recent: list[Point], before_recent: History) -> str | None:
    """2. A recent incident at least SEVERITY_MINIMUM, more severe than any before."""
    if not (recent and before_recent.count) or before_recent.max_severity is None:
        return None
    recent_max = max(p.severity for p in recent)
    before_max = before_recent.max_severity
    if recent_max >= SEVERITY_MINIMUM and recent_max > before_max:
        return (
            f"Rising severity: an incident of severity {recent_max} in the last 8 weeks, higher than any "
            f"before (at most {before_max})"
        )
    return None


def _remote_to_in_person(recent: list[Point], before_recent: History) -> str | None:
    """3. The first in-person contact is recent, after only remote contact."""
    if before_recent.count and any(p.in_person for p in recent) and not before_recent.in_person:
        return (
            "From remote to in-person: the first in-person incident came in the last 8 weeks, after only remote contact"
        )
    return None


def _threats_to_violence(
    points: list[Point], recent: list[Point], before_recent: History, older: History = NO_HISTORY
) -> str | None:
    """4. The first violence is recent, and threats came on or before it (``older`` incidents all
    came before anything recent)."""
    recent_violence = [p for p in recent if p.violent]
    if not recent_violence or before_recent.violent:
        return None
    first_violence = min(p.occurred_on for p in recent_violence)
    if older.threats or any(p.behaviour == Behaviour.THREATS and p.occurred_on <= first_violence for p in points):
        return "From threats to violence: violence in the last 8 weeks after earlier threats"
    return None


def assess(points: list[Point], orders: Iterable[OrderSpan], as_of: dt.date, older: History = NO_HISTORY) -> Escalation:
    """The escalation view of ``points`` on ``as_of``. ``older``: see ``escalation_reasons`` (the
    windows, first appearances and breaches then cover ``points`` only)."""
    orders = list(orders)
    windows = windows_of(points, as_of)
    appearances = first_appearances(points)
    breaches = likely_breaches(points, orders)
    for behaviour, day in appearances:
        index = _window_index(windows, day)
        if index is not None:
            windows[index].new_behaviours.append(behaviour)
    for breach in breaches:
        index = _window_index(windows, breach.point.occurred_on)
        if index is not None:
            windows[index].breaches += 1
    return Escalation(
        as_of=windows[-1].ends_on if windows else as_of,
        windows=windows,
        first_appearances=appearances,
        breaches=breaches,
        reasons=escalation_reasons(points, windows, older),
        undrawn=len(points) + older.count - sum(w.count for w in windows),
    )


def order_spans(orders) -> list[OrderSpan]:
    """OrderSpans from ``LegalOrder`` rows whose ``protects`` are prefetched (and ``source_referral``
    selected: an order carried from a referral without a start date counts from its receipt)."""
    return [
        OrderSpan(
            order_id=o.pk,
            label=o.get_kind_display(),
            starts_on=o.known_from,
            ends_on=o.ends_on,
            no_contact=o.no_contact,
            protects=frozenset(p.pk for p in o.protects.all()),
            zone_places=frozenset(o.zone_places or ()) if o.exclusion_zone else frozenset(),
        )
        for o in orders
    ]
