"""The risk of a case from its last 16 weeks of incidents and a summary of the rest
(``escalation.History``) is the same as from its whole timeline: on plain values, over thousands
of generated cases (no database). The database side (``queries.case_risks``) is compared with the
whole-timeline computation in test_my_work_scale.py."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

from casework.cases import escalation
from casework.cases.choices import Behaviour, Channel, DatePrecision, Place
from casework.cases.escalation import History, OrderSpan, Point
from casework.cases.risk import RECENT_DAYS, CaseRisk, CaseRow, assess_case, recent_breach_on

BASE = dt.date(2026, 11, 27)
# Days back from "today" where the rule's windows turn: 4, 8 and 16 weeks.
EDGES = [0, 1, 26, 27, 28, 54, 55, 56, 83, 84, 110, 111, 112, 113]


def random_day(rng: random.Random, today: dt.date) -> dt.date:
    pick = rng.random()
    if pick < 0.45:
        back = rng.randint(0, 130)
    elif pick < 0.7:
        back = rng.choice(EDGES)
    elif pick < 0.95:
        back = rng.randint(100, 2_000)
    else:
        back = -rng.randint(1, 40)  # dated after "today" (a typing slip, or a later today)
    return today - dt.timedelta(days=back)


def random_point(rng: random.Random, today: dt.date, victims: list[int | None]) -> Point:
    day = random_day(rng, today)
    precision = rng.choice([DatePrecision.DAY, DatePrecision.DAY, DatePrecision.EXACT, DatePrecision.MONTH])
    if precision == DatePrecision.MONTH:
        day = day.replace(day=1)
    return Point(
        occurred_on=day,
        severity=rng.choice([1, 1, 2, 2, 3, 4, 5]),
        behaviour=rng.choice(list(Behaviour.values) + [Behaviour.THREATS, Behaviour.TEXT, Behaviour.VIOLENCE]),
        channel=rng.choice(list(Channel.values)),
        victim_id=rng.choice(victims),
        precision=precision,
        place=rng.choice(["", "", *Place.values]),
    )


def random_order(rng: random.Random, n: int, today: dt.date) -> OrderSpan:
    starts = today - dt.timedelta(days=rng.choice([400, 120, 60, 56, 55, 30, 5, -3]))
    ends = rng.choice([None, starts + dt.timedelta(days=rng.randint(10, 500)), today - dt.timedelta(days=56)])
    zone = rng.random() < 0.4
    return OrderSpan(
        order_id=n,
        label="Restraining order",
        starts_on=starts,
        ends_on=ends,
        no_contact=rng.random() < 0.7,
        protects=frozenset(rng.sample([1, 2, 3], rng.randint(0, 2))),
        zone_places=frozenset(rng.sample(list(Place.values), 2)) if zone else frozenset(),
    )


def case_page(row: CaseRow, points: list[Point], orders: list[OrderSpan], today: dt.date) -> CaseRisk:
    """The case page's computation over the whole timeline (``escalation.assess``), as My work used it."""
    if not points:
        return CaseRisk(row=row)
    result = escalation.assess(points, orders, today)
    return CaseRisk(row=row, reasons=result.reasons, last_breach_on=recent_breach_on(result.breaches, today))


def split(points: list[Point], today: dt.date) -> tuple[list[Point], History]:
    """What ``queries.case_risks`` reads: incidents since ``detail_since`` one by one, and a History
    of the older ones only when the case has an incident in the last 8 weeks and its reasons could
    depend on them (``escalation.needs_history``)."""
    since = escalation.detail_since(today)
    detail = [p for p in points if p.occurred_on >= since]
    recent = today - dt.timedelta(days=RECENT_DAYS - 1)
    if not any(p.occurred_on >= recent for p in points) or not escalation.needs_history(detail, today):
        return detail, escalation.NO_HISTORY
    return detail, History.of(p for p in points if p.occurred_on < since)


def test_the_recent_incidents_and_a_history_give_the_same_risk_as_the_whole_timeline():
    rng = random.Random(19)
    seen: Counter[str] = Counter()
    for n in range(6_000):
        today = BASE + dt.timedelta(days=rng.randint(-400, 400))
        victims = [1, 2, 3, None]
        points = sorted(
            (random_point(rng, today, victims) for _ in range(rng.choice([0, 1, 2, 3, 5, 8, 13, 30]))),
            key=lambda p: p.occurred_on,
        )
        orders = [random_order(rng, k, today) for k in range(rng.choice([0, 0, 1, 2, 3]))]
        row = CaseRow(case_id=n, reference=f"CASE-{n}")
        whole = case_page(row, points, orders, today)
        assert assess_case(row, points, orders, today) == whole
        detail, older = split(points, today)
        fast = assess_case(row, detail, orders, today, older)
        assert (fast.reasons, fast.last_breach_on) == (whole.reasons, whole.last_breach_on), (today, points, orders)
        seen.update(reason.split(":")[0] for reason in whole.reasons)
        seen["breach"] += whole.breaching
        seen["old history"] += older.count > 0
        seen["old history not needed"] += older.count == 0 and any(
            p.occurred_on < escalation.detail_since(today) for p in points
        )
    # The generated cases exercised every test of the rule and the breach test.
    for what in [
        "Rising frequency",
        "Rising severity",
        "From remote to in-person",
        "From threats to violence",
        "breach",
        "old history",
        "old history not needed",
    ]:
        assert seen[what] >= 20, seen


def test_a_history_summarises_severity_in_person_violence_and_threats():
    today = BASE
    points = [
        Point(today - dt.timedelta(days=300), 2, Behaviour.THREATS, Channel.TEXT),
        Point(today - dt.timedelta(days=200), 4, Behaviour.TEXT, Channel.IN_PERSON),
    ]
    assert History.of(points) == History(count=2, max_severity=4, in_person=True, violent=False, threats=True)
    assert History.of([]) + History.of(points) == History.of(points)


def test_old_threats_count_for_recent_violence_through_the_history():
    today = BASE
    threat = Point(today - dt.timedelta(days=400), 2, Behaviour.THREATS, Channel.TEXT)
    violence = Point(today - dt.timedelta(days=3), 4, Behaviour.VIOLENCE, Channel.IN_PERSON)
    row = CaseRow(case_id=1, reference="CASE-1")
    whole = case_page(row, [threat, violence], [], today)
    fast = assess_case(row, [violence], [], today, History.of([threat]))
    assert "From threats to violence: violence in the last 8 weeks after earlier threats" in whole.reasons
    assert fast.reasons == whole.reasons


def test_a_burst_after_a_quiet_16_weeks_needs_the_history_to_rise_in_frequency():
    today = BASE
    old = Point(today - dt.timedelta(days=300), 1, Behaviour.TEXT, Channel.TEXT)
    burst = [Point(today - dt.timedelta(days=d), 1, Behaviour.TEXT, Channel.TEXT) for d in (1, 2, 3)]
    row = CaseRow(case_id=1, reference="CASE-1")
    whole = case_page(row, [old, *burst], [], today)
    assert whole.reasons[0].startswith("Rising frequency")
    detail, older = split([old, *burst], today)
    assert older.count == 1 and assess_case(row, detail, [], today, older) == whole
