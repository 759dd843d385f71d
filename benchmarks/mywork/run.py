"""My work's risk sections (issue 19, ADR 0026 and 0027): ``queries.case_risks`` before and after it
stopped reading every incident of every open case, and the kept risks that replaced assessing on
each request, side by side, on PostgreSQL in a few minutes.

    createdb -h 127.0.0.1 -U postgres casework_bench_mywork
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench_mywork \\
        .venv/bin/python benchmarks/mywork/run.py --cases 2000 --incidents 95

It migrates the database, then (once; a second run reuses the data) bulk-creates ``--cases`` cases
(six in seven open, as benchmarks/load/seed.py does; the cast's clinician leads 60 of them, the other clinician the rest) with a
victim each and ``--incidents`` incidents on average (40 %–160 %), dated over the last 900 days,
and a no-contact order on every third case. Then, for the clinical lead (every open case) and the
clinician (their 60), it times the whole-timeline computation (the code before ADR 0026, kept here)
and ``case_risks`` as it is, checks they give the same result, and prints median and 95th
percentile in milliseconds with the incident rows each read; then the whole My work page for both,
through the test client, with ``--profile`` printing the top of a cProfile of the clinician's.
Then the nightly ``assess_case_risks`` once, ``kept_case_risks`` against assessing (the same result
checked), and the page four ways: the whole timeline, ADR 0026 (assessing every case on each
request), the day's first view with no kept risk current, and kept risks all current.
JIT is off, as the application runs.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _times(run, repeat: int) -> tuple[float, float]:
    run()
    taken = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        taken.append((time.perf_counter() - started) * 1000)
    taken.sort()
    return statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.95))]


def main() -> None:  # noqa: C901, PLR0915 (a script, top to bottom)
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--incidents", type=int, default=95, help="per case, on average")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CASEWORK_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from django.utils import timezone

    from casework.accounts.models import User
    from casework.cases import escalation, queries, risk
    from casework.cases.models import Case, CaseParty, CaseTeamMember, Incident, LegalOrder
    from casework.people.models import Person

    setup_test_environment()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    rng = random.Random(19)
    today = timezone.localdate()
    if not User.objects.filter(email="lead@nsc.example.nhs.uk").exists():
        from conftest import make_cast

        make_cast()
    lead = User.objects.get(email="lead@nsc.example.nhs.uk")
    clinician = User.objects.get(email="clinician@nsc.example.nhs.uk")
    other = User.objects.get(email="other.clinician@nsc.example.nhs.uk")
    if not Case.objects.exists():
        Person.objects.all().delete()  # a seeding cut short
        started = time.perf_counter()
        now = timezone.now()
        persons = Person.objects.bulk_create(
            Person(
                reference=f"PER-2026-{n + 1:06d}",
                given_name="Synthetic",
                family_name=f"Person{n}",
                sex="female",
                created_by=lead,
            )
            for n in range(2 * args.cases)
        )
        statuses = [rng.choice(["open"] * 5 + ["on_hold", "closed"]) for _ in range(args.cases)]
        cases = Case.objects.bulk_create(
            Case(
                reference=f"CASE-2026-{n + 1:06d}",
                kind="perpetrator",
                status=status,
                subject=persons[n],
                opened_on=today - dt.timedelta(days=900),
                opened_by=lead,
                closed_on=today if status == "closed" else None,
                closure_reason="work_completed" if status == "closed" else "",
            )
            for n, status in enumerate(statuses)
        )
        CaseTeamMember.objects.bulk_create(
            CaseTeamMember(
                case=c, user=clinician if n < 60 else other, role="lead_clinician", added_at=now, added_by=lead
            )
            for n, c in enumerate(cases)
        )
        victims = CaseParty.objects.bulk_create(
            CaseParty(
                case=c, person=persons[args.cases + n], role="victim", name_as_given="V", added_at=now, added_by=lead
            )
            for n, c in enumerate(cases)
        )
        for n, victim in enumerate(victims):
            if n % 3 == 0:
                order = LegalOrder.objects.create(
                    case_id=victim.case_id,
                    kind="restraining",
                    issued_by="Northshire Magistrates' Court",
                    starts_on=today - dt.timedelta(days=rng.randint(30, 600)),
                    no_contact=True,
                    recorded_by=lead,
                    recorded_at=now,
                )
                order.protects.set([victim])
        behaviours = ["following", "loitering", "phone", "text", "email", "social_media", "threats", "violence"]
        batch = []
        for victim in victims:
            for _ in range(rng.randint(args.incidents * 4 // 10, args.incidents * 16 // 10)):
                day = today - dt.timedelta(days=rng.randint(1, 900))
                batch.append(
                    Incident(
                        case_id=victim.case_id,
                        occurred_on=day,
                        behaviour=rng.choice(behaviours),
                        channel=rng.choice(["in_person", "phone", "text", "email", "social_media", "post"]),
                        victim_id=victim.pk,
                        source="victim",
                        severity=rng.choice([1, 2, 2, 3, 3, 4, 5]),
                        description="Synthetic.",
                        recorded_by=lead,
                        recorded_at=now,
                    )
                )
            if len(batch) >= 50_000:
                Incident.objects.bulk_create(batch, batch_size=10_000)
                batch = []
        Incident.objects.bulk_create(batch, batch_size=10_000)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    active = queries.active_cases(lead)
    print(
        f"{Case.objects.count():,} cases ({active.count():,} open or on hold), {Incident.objects.count():,} incidents, "
        f"{Incident.objects.filter(case__in=active).count():,} of them on open cases"
    )

    def whole_timeline(cases) -> list[risk.CaseRisk]:
        """``case_risks`` before ADR 0026: every incident of every case, assessed in Python."""
        ids = cases.order_by().values("pk")
        points: dict[int, list[escalation.Point]] = {}
        for case_id, *values in (
            Incident.objects.filter(case__in=ids)
            .order_by("case_id", "occurred_on", "occurred_time", "id")
            .values_list(
                "case_id", "occurred_on", "severity", "behaviour", "channel", "victim_id", "precision", "place"
            )
        ):
            points.setdefault(case_id, []).append(escalation.Point(*values))
        orders: dict[int, list[LegalOrder]] = {}
        for order in LegalOrder.objects.filter(case__in=ids, no_contact=True).prefetch_related("protects"):
            orders.setdefault(order.case_id, []).append(order)
        spans = {case_id: escalation.order_spans(found) for case_id, found in orders.items()}
        risks = []
        for (row,) in queries._risk_rows(cases, today):
            found = points.get(row.case_id)
            if not found:
                risks.append(risk.CaseRisk(row=row))
                continue
            result = escalation.assess(found, spans.get(row.case_id, []), today)
            last = risk.recent_breach_on(result.breaches, today)
            risks.append(risk.CaseRisk(row=row, reasons=result.reasons, last_breach_on=last))
        return sorted(risks, key=risk.sort_key)

    counted = [0]
    point = escalation.Point

    def counting(*a, **k):
        counted[0] += 1
        return point(*a, **k)

    def rows_read(run) -> int:
        escalation.Point, counted[0] = counting, 0
        try:
            run()
        finally:
            escalation.Point = point
        return counted[0]

    print(f"\n{'case_risks':<40} {'before (whole timeline)':>26} {'after (ADR 0026)':>26}")
    for who, cases in (
        ("clinical lead: every open case", active),
        ("clinician: their cases", queries.my_active_cases(clinician)),
    ):
        assert queries.case_risks(cases, today) == whole_timeline(cases), who
        old = _times(lambda c=cases: whole_timeline(c), args.repeat)
        new = _times(lambda c=cases: queries.case_risks(c, today), args.repeat)
        old_rows = rows_read(lambda c=cases: whole_timeline(c))
        new_rows = rows_read(lambda c=cases: queries.case_risks(c, today))
        print(
            f"{who:<40} {old[0]:>9.0f} ms p95 {old[1]:>5.0f} {old_rows:>7,} rows"
            f" {new[0]:>9.0f} ms p95 {new[1]:>5.0f} {new_rows:>7,} rows"
        )

    from casework.cases.models import KeptRisk

    started = time.perf_counter()
    assessed = queries.refresh_kept_risks(today)
    print(f"\nassess_case_risks (the nightly run): {assessed:,} open cases in {time.perf_counter() - started:.1f} s")
    print(f"\n{'kept risks (ADR 0027), every one current':<40} {'assessing (ADR 0026)':>26} {'kept':>26}")
    for who, cases, flagged_only in (
        ("clinical lead: flagged open cases", active, True),
        ("clinician: their cases", queries.my_active_cases(clinician), False),
    ):
        wanted = [r for r in queries.case_risks(cases, today) if r.flagged or not flagged_only]
        assert queries.kept_case_risks(cases, today, flagged_only=flagged_only) == wanted, who
        old = _times(
            lambda c=cases, f=flagged_only: [r for r in queries.case_risks(c, today) if r.flagged or not f], args.repeat
        )
        new = _times(lambda c=cases, f=flagged_only: queries.kept_case_risks(c, today, flagged_only=f), args.repeat)
        print(f"{who:<40} {old[0]:>9.0f} ms p95 {old[1]:>5.0f}{'':>12} {new[0]:>9.0f} ms p95 {new[1]:>5.0f}")

    from conftest import signed_in_client

    def assessing(cases, today=None, *, flagged_only=False):
        """My work as after ADR 0026: every case assessed on each request, nothing kept."""
        return [r for r in queries.case_risks(cases, today) if r.flagged or not flagged_only]

    def whole(cases, today=None, *, flagged_only=False):
        return [r for r in whole_timeline(cases) if r.flagged or not flagged_only]

    kept_risks = queries.kept_case_risks
    print(
        f"\n{'My work page (test client, in process)':<40} {'whole timeline':>18} {'ADR 0026':>18}"
        f" {'kept, first view':>18} {'kept, current':>18}"
    )
    for who, user in (("clinical lead", lead), ("clinician", clinician)):
        client = signed_in_client(user)
        url = reverse("core:my_work")

        def page(c=client, u=url) -> None:
            assert c.get(u).status_code == 200

        def first_view() -> None:
            KeptRisk.objects.all().delete()
            page()

        figures = []
        for kind in (whole, assessing, None, kept_risks):
            queries.kept_case_risks = kind or kept_risks
            try:
                figures.append(_times(first_view if kind is None else page, args.repeat))
            finally:
                queries.kept_case_risks = kept_risks
        print(f"{who:<40}" + "".join(f" {m:>8.0f} p95 {p:>5.0f}" for m, p in figures))
        if args.profile and user == clinician:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.repeat):
                page()
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    queries.refresh_kept_risks(today)


if __name__ == "__main__":
    main()
