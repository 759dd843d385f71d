"""My work's risk sections read a case's last 16 weeks of incidents and a summary of the rest
(``queries.case_risks``): the result is the one the whole timeline gives, and the incident rows read
do not grow with a case's history (issue 19: the clinical lead's My work read every incident of
every open case, 813,668 rows at national scale)."""

from __future__ import annotations

import datetime as dt
import random

from django.urls import reverse
from django.utils import timezone

from casework.cases import escalation, queries, risk
from casework.cases.choices import Behaviour, Channel, DatePrecision, Place, Source
from casework.cases.models import Case, Incident, LegalOrder
from casework.cases.tests.factories import OrderFactory, make_case
from casework.cases.tests.test_risk_recent import EDGES, case_page
from casework.core.testing import assert_page_queries_flat, assert_queries_flat
from casework.people.tests.factories import create_person


def whole_timeline(cases, today: dt.date) -> list[risk.CaseRisk]:
    """The computation ``case_risks`` replaced: every incident and every order of every case,
    assessed as the case page assesses them."""
    ids = cases.order_by().values("pk")
    points: dict[int, list[escalation.Point]] = {}
    for case_id, *values in (
        Incident.objects.filter(case__in=ids)
        .order_by("case_id", "occurred_on", "occurred_time", "id")
        .values_list("case_id", "occurred_on", "severity", "behaviour", "channel", "victim_id", "precision", "place")
    ):
        points.setdefault(case_id, []).append(escalation.Point(*values))
    orders: dict[int, list[LegalOrder]] = {}
    for order in LegalOrder.objects.filter(case__in=ids).select_related("source_referral").prefetch_related("protects"):
        orders.setdefault(order.case_id, []).append(order)
    spans = {case_id: escalation.order_spans(found) for case_id, found in orders.items()}
    risks = [
        case_page(row, points.get(row.case_id, []), spans.get(row.case_id, []), today)
        for (row,) in queries._risk_rows(cases, today)
    ]
    return sorted(risks, key=risk.sort_key)


def _case_with_victims(cast, victims: int):
    people = [
        (create_person(by=cast.coordinator, given_name=f"Vic{n}", family_name="Synthetic", sex="female"), "V", "Ex")
        for n in range(victims)
    ]
    return make_case(lead=cast.clinician, by=cast.clinical_lead, victims=people)


def _incident(case, by, day: dt.date, **fields) -> Incident:
    values = {
        "behaviour": Behaviour.TEXT,
        "channel": Channel.TEXT,
        "severity": 2,
        "precision": DatePrecision.DAY,
        "source": Source.VICTIM,
        "description": "Synthetic.",
        **fields,
    }
    return Incident(case=case, occurred_on=day, recorded_by=by, recorded_at=timezone.now(), **values)


def _random_incidents(rng: random.Random, case, by, count: int) -> list[Incident]:
    today = timezone.localdate()
    victims = [*case.parties.filter(role="victim").values_list("pk", flat=True), None]
    made = []
    for _ in range(count):
        back = rng.choice([rng.randint(-10, 260), rng.choice(EDGES) + rng.randint(0, 120), rng.randint(200, 1500)])
        day = today - dt.timedelta(days=back)
        precision = rng.choice([DatePrecision.DAY, DatePrecision.EXACT, DatePrecision.MONTH])
        made.append(
            _incident(
                case,
                by,
                day.replace(day=1) if precision == DatePrecision.MONTH else day,
                precision=precision,
                severity=rng.choice([1, 1, 2, 3, 4, 5]),
                behaviour=rng.choice([*Behaviour.values, Behaviour.THREATS, Behaviour.TEXT]),
                channel=rng.choice(Channel.values),
                victim_id=rng.choice(victims),
                place=rng.choice(["", *Place.values]),
            )
        )
    return made


def test_case_risks_gives_what_the_whole_timeline_gives_whatever_the_day(cast, world):
    rng = random.Random(1919)
    today = timezone.localdate()
    cases = [_case_with_victims(cast, victims) for victims in (1, 2, 3, 1, 2)]
    for case in cases:
        Incident.objects.bulk_create(_random_incidents(rng, case, cast.clinician, rng.randint(5, 60)))
        for _ in range(rng.randint(0, 3)):
            victims = list(case.parties.filter(role="victim"))
            zone = rng.random() < 0.5
            starts = today - dt.timedelta(days=rng.choice([500, 200, 100, 40]))
            OrderFactory(
                case=case,
                protects=rng.sample(victims, rng.randint(1, len(victims))),
                starts_on=starts,
                ends_on=rng.choice(
                    [None, starts + dt.timedelta(days=rng.randint(0, 200)), today + dt.timedelta(days=30)]
                ),
                no_contact=rng.random() < 0.7,
                exclusion_zone=zone,
                zone_places=rng.sample([Place.HOME, Place.WORK, Place.SCHOOL], 2) if zone else [],
            )
    active = Case.objects.filter(pk__in=[c.pk for c in [*cases, world.case]])
    flagged = 0
    for back in sorted({*range(-150, 150, 9), *EDGES, *(-e for e in EDGES)}):
        day = today - dt.timedelta(days=back)
        fast = queries.case_risks(active, day)
        assert fast == whole_timeline(active, day), day
        flagged += sum(r.flagged for r in fast)
    assert flagged >= 20  # the generated cases were flagged on many of the days, not never


def _points_read(monkeypatch) -> list[int]:
    """A counter of the incident rows ``case_risks`` turns into points."""
    read = [0]
    point = escalation.Point

    def counted(*args, **kwargs):
        read[0] += 1
        return point(*args, **kwargs)

    monkeypatch.setattr(queries.escalation, "Point", counted)
    return read


def test_the_incident_rows_read_do_not_grow_with_old_incidents(cast, world, client_for, monkeypatch):
    today = timezone.localdate()
    victim = world.victim_party
    OrderFactory(case=world.case, protects=[victim], starts_on=today - dt.timedelta(days=900))
    recent = [
        _incident(world.case, cast.clinician, today - dt.timedelta(days=d), victim=victim, severity=4)
        for d in (1, 3, 9)
    ]
    Incident.objects.bulk_create([*recent, _incident(world.case, cast.clinician, today - dt.timedelta(days=400))])
    read = _points_read(monkeypatch)
    cases = queries.active_cases(cast.clinical_lead)

    def add_old_incidents() -> None:
        Incident.objects.bulk_create(
            _incident(world.case, cast.clinician, today - dt.timedelta(days=120 + n), severity=1 + n % 2)
            for n in range(500)
        )

    before = queries.case_risks(cases)
    rows_before = read[0]
    assert_queries_flat(lambda: queries.case_risks(cases), grow=add_old_incidents)
    read[0] = 0
    after = queries.case_risks(cases)
    assert read[0] == rows_before == 3
    assert after == before and after[0].breaching and after[0].escalating
    assert after == whole_timeline(cases, today)
    # And the page: the same queries with 500 more old incidents.
    assert_page_queries_flat(client_for(cast.clinical_lead), reverse("core:my_work"), grow=add_old_incidents)
