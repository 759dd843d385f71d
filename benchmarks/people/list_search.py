"""The person list searching a common surname, as the page asks it (the count and the first page of
20, as a clinical lead, JIT off): before (the ids as ``pk__in``, one parameter each, ordered by the
indexed name columns) and after (``queries.persons_for_list``: one array parameter, an order the
name index cannot serve), interleaved, side by side.

Needs a database seeded by ``benchmarks/people/run.py`` (its clinical lead, lead@example.org):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench_people \\
        .venv/bin/python benchmarks/people/list_search.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import time

from seeding import LEAD_EMAIL, SURNAMES, list_page, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from casework.access import memo
    from casework.accounts.models import User
    from casework.people import queries
    from casework.people.models import Person

    lead = User.objects.get(email=LEAD_EMAIL)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")

    def before(word: str) -> None:
        ids = list(queries._named(word)[: queries.NAMED_IDS_READ_FIRST + 1].values_list("pk", flat=True))
        rows = queries.persons_visible_to(lead).filter(pk__in=ids).order_by(*queries.LIST_ORDER)
        rows.count()
        list(rows[:20])

    def after(word: str) -> None:
        list_page(lead, word)

    taken: dict[str, list[float]] = {"before": [], "after": []}
    for round_ in range(args.rounds + 1):
        for word in SURNAMES:
            for name, run in (("before", before), ("after", after)):
                with memo.request_scope():
                    started = time.perf_counter()
                    run(word)
                    if round_:  # the first round warms
                        taken[name].append((time.perf_counter() - started) * 1000)
    print(f"{Person.objects.count():,} persons; {len(SURNAMES)} surnames x {args.rounds} rounds, interleaved")
    print("| person list, common surname | median ms | p95 ms |")
    print("|---|---:|---:|")
    for name, times in taken.items():
        times.sort()
        print(f"| {name} | {statistics.median(times):.1f} | {times[int(len(times) * 0.95) - 1]:.1f} |")


if __name__ == "__main__":
    main()
