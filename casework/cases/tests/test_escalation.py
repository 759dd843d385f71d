"""The escalation view and rule (docs/escalation-rule.md), on plain values: no database."""

from __future__ import annotations

import datetime as dt

from casework.cases.escalation import (
    OrderSpan,
    Point,
    assess,
    escalation_reasons,
    first_appearances,
    likely_breaches,
    windows_of,
)

TODAY = dt.date(2026, 11, 27)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def point(
    days: int,
    behaviour: str = "text",
    severity: int = 2,
    channel: str = "",
    victim: int | None = 1,
    precision: str = "day",
) -> Point:
    return Point(
        ago(days),
        severity,
        behaviour,
        channel or {"text": "text", "phone": "phone"}.get(behaviour, "in_person"),
        victim,
        precision,
    )


def reasons(points: list[Point]) -> list[str]:
    return escalation_reasons(points, windows_of(points, TODAY))


# --- Windows ------------------------------------------------------------------------------------


def test_windows_are_four_weeks_long_and_end_on_the_day_of_the_view():
    windows = windows_of([point(0), point(27), point(28), point(60)], TODAY)
    assert [w.count for w in windows] == [1, 1, 2]
    assert windows[-1].ends_on == TODAY and windows[-1].starts_on == ago(27)
    assert windows[-2].ends_on == ago(28) and windows[-2].starts_on == ago(55)
    assert all((w.ends_on - w.starts_on).days == 27 for w in windows)


def test_windows_reach_back_to_the_first_incident_and_count_empty_periods():
    windows = windows_of([point(1), point(200)], TODAY)
    assert len(windows) == 8
    assert sum(w.count for w in windows) == 2
    assert [w.count for w in windows[1:-1]] == [0] * 6


def test_each_window_has_its_highest_and_mean_severity():
    (window,) = windows_of([point(1, severity=1), point(2, severity=4), point(3, severity=2)], TODAY)
    assert window.max_severity == 4
    assert window.mean_severity == 2.3


def test_no_incidents_no_windows():
    assert windows_of([], TODAY) == []
    assert assess([], [], TODAY).escalating is False


def test_first_appearance_of_each_behaviour():
    points = [point(100, "text"), point(50, "phone"), point(40, "text"), point(5, "approaching")]
    assert first_appearances(points) == [("text", ago(100)), ("phone", ago(50)), ("approaching", ago(5))]
    escalation = assess(points, [], TODAY)
    assert escalation.windows[-1].new_behaviours == ["approaching"]


# --- The rule -----------------------------------------------------------------------------------


def test_a_steady_case_is_not_escalating():
    points = [point(d, "text", severity=2) for d in (5, 12, 33, 40, 61, 68, 89, 96)]
    assert reasons(points) == []


def test_rising_frequency_flags_the_case():
    points = [point(80), point(50)] + [point(d) for d in (1, 3, 5, 9)]
    found = reasons(points)
    assert any(r.startswith("Rising frequency: 4 incidents") for r in found)


def test_frequency_needs_at_least_three_recent_incidents():
    points = [point(80), point(1), point(3)]
    assert not any(r.startswith("Rising frequency") for r in reasons(points))


def test_frequency_needs_twice_the_earlier_average():
    # 4 in the last window against 3, 3 and 3 before: not rising fast enough.
    points = [point(d) for d in (1, 2, 3, 4)] + [point(28 + d) for d in (1, 2, 3)]
    points += [point(56 + d) for d in (1, 2, 3)] + [point(84 + d) for d in (1, 2, 3)]
    assert not any(r.startswith("Rising frequency") for r in reasons(points))


def test_a_first_burst_with_nothing_before_is_not_called_rising():
    assert not any(r.startswith("Rising frequency") for r in reasons([point(d) for d in (1, 2, 3, 4, 5)]))


def test_rising_severity_flags_the_case():
    points = [point(100, severity=2), point(70, severity=2), point(20, severity=4)]
    assert any(r.startswith("Rising severity: an incident of severity 4") for r in reasons(points))


def test_severity_must_reach_three_and_beat_everything_before():
    assert not any(r.startswith("Rising severity") for r in reasons([point(100, severity=1), point(20, severity=2)]))
    assert not any(r.startswith("Rising severity") for r in reasons([point(100, severity=4), point(20, severity=4)]))


def test_the_move_from_remote_to_in_person_contact_flags_the_case():
    points = [point(120, "text"), point(90, "phone"), point(10, "approaching")]
    assert any(r.startswith("From remote to in-person") for r in reasons(points))


def test_in_person_contact_earlier_means_no_move():
    points = [point(120, "loitering"), point(90, "phone"), point(10, "approaching")]
    assert not any(r.startswith("From remote to in-person") for r in reasons(points))


def test_threats_delivered_in_person_count_as_in_person():
    points = [point(120, "text"), point(10, "threats", channel="in_person")]
    assert any(r.startswith("From remote to in-person") for r in reasons(points))


def test_violence_after_threats_flags_the_case():
    points = [point(120, "text"), point(60, "threats", severity=4), point(5, "violence", severity=5)]
    found = reasons(points)
    assert any(r.startswith("From threats to violence") for r in found)


def test_violence_without_earlier_threats_is_not_a_move_from_threats():
    points = [point(120, "text"), point(5, "violence", severity=5)]
    assert not any(r.startswith("From threats to violence") for r in reasons(points))


def test_violence_long_ago_means_no_new_move_to_violence():
    points = [point(200, "violence", severity=5), point(100, "threats"), point(5, "violence", severity=5)]
    assert not any(r.startswith("From threats to violence") for r in reasons(points))


def test_a_closed_case_is_judged_as_of_the_day_it_closed():
    points = [point(400), point(300)] + [point(d) for d in (201, 203, 205, 207)]
    closed_on = ago(200)
    assert assess(points, [], closed_on).escalating is True
    assert assess(points, [], TODAY).escalating is False


# --- Likely breaches ----------------------------------------------------------------------------


def order(start_days: int, end_days: int | None = None, *, no_contact: bool = True, protects=(1,)) -> OrderSpan:
    return OrderSpan(
        order_id=1,
        label="Restraining order",
        starts_on=ago(start_days),
        ends_on=ago(end_days) if end_days is not None else None,
        no_contact=no_contact,
        protects=frozenset(protects),
    )


def test_contact_with_a_protected_victim_while_the_order_is_in_force_is_a_likely_breach():
    found = likely_breaches([point(10, "text")], [order(30)])
    assert [b.point.occurred_on for b in found] == [ago(10)]


def test_contact_on_the_first_and_last_day_counts_but_not_before_or_after():
    orders = [order(30, 5)]
    assert likely_breaches([point(30, "phone")], orders)
    assert likely_breaches([point(5, "phone")], orders)
    assert not likely_breaches([point(31, "phone")], orders)
    assert not likely_breaches([point(4, "phone")], orders)


def test_no_breach_without_a_no_contact_condition_or_for_another_victim():
    assert not likely_breaches([point(10, "text")], [order(30, no_contact=False)])
    assert not likely_breaches([point(10, "text", victim=2)], [order(30)])
    assert not likely_breaches([point(10, "text", victim=None)], [order(30)])


def test_behaviour_that_is_not_contact_is_not_a_breach_of_no_contact():
    assert not likely_breaches([point(10, "monitoring", channel="device")], [order(30)])
    assert not likely_breaches([point(10, "loitering")], [order(30)])


def test_a_month_only_incident_counts_only_if_the_whole_month_is_covered():
    start = dt.date(2026, 6, 15)
    span = OrderSpan(1, "Order", start, dt.date(2026, 9, 10), True, frozenset({1}))
    june = Point(dt.date(2026, 6, 1), 2, "text", "text", 1, "month")
    july = Point(dt.date(2026, 7, 1), 2, "text", "text", 1, "month")
    september = Point(dt.date(2026, 9, 1), 2, "text", "text", 1, "month")
    assert [b.point for b in likely_breaches([june, july, september], [span])] == [july]


def test_breaches_are_counted_in_their_window():
    escalation = assess([point(10, "text"), point(12, "email", channel="email")], [order(30)], TODAY)
    assert escalation.windows[-1].breaches == 2
    assert len(escalation.breaches) == 2


def test_rising_frequency_says_none_before_in_words_not_an_average_of_nought():
    """Issue 11.9: "against an average of 0.0 in each of the 4-week periods before"."""
    found = [r for r in reasons([point(200)] + [point(d) for d in (1, 3, 5)]) if r.startswith("Rising frequency")]
    assert found == ["Rising frequency: 3 incidents in the last 4 weeks, none in the 12 weeks before"]


def test_rising_frequency_counts_the_weeks_before_when_there_were_some():
    found = [
        r
        for r in reasons([point(80), point(50)] + [point(d) for d in (1, 3, 5, 9)])
        if r.startswith("Rising frequency")
    ]
    assert found == [
        "Rising frequency: 4 incidents in the last 4 weeks, against 2 incidents in the 12 weeks "
        "before (at most 1 in any 4 weeks)"
    ]


# --- Exclusion zones (issue 11.9: no flag when an incident happened inside an order's zone) ------


def zone(start_days: int, places=("home",), end_days: int | None = None, protects=frozenset({1})) -> OrderSpan:
    return OrderSpan(
        order_id=2,
        label="Stalking Protection Order",
        starts_on=ago(start_days),
        ends_on=ago(end_days) if end_days is not None else None,
        no_contact=False,
        protects=protects,
        zone_places=frozenset(places),
    )


def at(days: int, place: str, behaviour: str = "loitering", victim: int | None = 1) -> Point:
    return Point(ago(days), 3, behaviour, "in_person", victim, "day", place)


def test_being_at_a_place_the_zone_covers_while_it_is_in_force_is_a_likely_breach():
    found = likely_breaches([at(10, "home")], [zone(30)])
    assert len(found) == 1 and found[0].zone
    assert found[0].what == "inside the exclusion zone of the stalking protection order"


def test_no_zone_breach_elsewhere_before_the_order_or_for_someone_it_does_not_protect():
    assert not likely_breaches([at(10, "other")], [zone(30)])
    assert not likely_breaches([at(10, "work")], [zone(30, places=("home",))])
    assert not likely_breaches([at(40, "home")], [zone(30)])
    assert not likely_breaches([at(10, "home", victim=2)], [zone(30)])
    assert not likely_breaches([Point(ago(10), 3, "text", "text", 1, "day", "home")], [zone(30)])  # not in person


def test_contact_inside_a_zone_is_one_breach_and_says_the_zone():
    order = OrderSpan(3, "Restraining order", ago(60), None, True, frozenset({1}), frozenset({"home"}))
    found = likely_breaches([at(5, "home", behaviour="approaching")], [order])
    assert len(found) == 1 and found[0].zone
    assert [b.zone for b in likely_breaches([at(5, "other", behaviour="approaching")], [order])] == [False]
