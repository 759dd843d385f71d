"""The person list searching a common surname, as the page asks it (the total and the first page of
25, JIT off), for a clinical lead and, with ``--email``, anyone else; interleaved, side by side:

- ``pk__in`` (the first way): the ids as ``pk__in``, one parameter each, ordered by the indexed name
  columns; counted, then paged;
- ``count, then page`` (issue 19's national run): the ids read first (a UNION of the trigram
  lookups), then as one array parameter, in an order the name index cannot serve, through
  ``paginate``: a count, then the page (three queries, each matching row fetched by id twice);
- ``page with its count`` (now): ``queries.persons_for_list`` through ``paginate_counted``: the
  names' conditions and the visibility filter in the page query itself (one BitmapOr of the trigram
  indexes), the page and the total in one query (``COUNT(*) OVER ()``).

Needs a database seeded by ``benchmarks/people/run.py`` (its clinical lead, lead@example.org) or by
``benchmarks/load/seed.py`` (``--email lead@nsc.example.nhs.uk``, ``clinician@nsc.example.nhs.uk``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench_people \\
        .venv/bin/python benchmarks/people/list_search.py [--rounds 5] [--email lead@example.org]
"""

from __future__ import annotations

import argparse
import statistics
import time

from seeding import LEAD_EMAIL, SURNAMES, setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--email", action="append", help="whose list (repeatable); default lead@example.org")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.db.models import F, Q
    from django.test import RequestFactory

    from casework.access import memo
    from casework.accounts.models import User
    from casework.core.pagination import paginate, paginate_counted
    from casework.people import queries
    from casework.people.models import Person, PersonName

    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    factory = RequestFactory()

    def named_ids(word: str) -> list[int]:
        """The ids read first, as the list did before (a UNION of the two index-served lookups)."""
        own = Person.objects.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(middle_names__icontains=word)
            | Q(preferred_name__icontains=word)
        )
        other = PersonName.objects.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
        return list(own.order_by().values_list("pk", flat=True).union(other.order_by().values_list("person_id")))

    def first_way(user, word: str) -> int:
        rows = queries.persons_visible_to(user).filter(pk__in=named_ids(word)).order_by(*queries.LIST_ORDER)
        page = paginate(factory.get("/", {"q": word}), rows)
        list(page.object_list)
        return page.paginator.count

    def count_then_page(user, word: str) -> int:
        rows = queries.persons_visible_to(user).filter(queries._IdAmong(F("pk"), named_ids(word)))
        page = paginate(factory.get("/", {"q": word}), rows.order_by(*queries._SEARCH_ORDER))
        list(page.object_list)
        return page.paginator.count

    def page_with_count(user, word: str) -> int:
        return paginate_counted(factory.get("/", {"q": word}), queries.persons_for_list(user, word)).paginator.count

    ways = {"pk__in": first_way, "count, then page": count_then_page, "page with its count": page_with_count}
    print(f"{Person.objects.count():,} persons; {len(SURNAMES)} surnames x {args.rounds} rounds, interleaved")
    for email in args.email or [LEAD_EMAIL]:
        user = User.objects.get(email=email)
        taken: dict[str, list[float]] = {name: [] for name in ways}
        for round_ in range(args.rounds + 1):
            for word in SURNAMES:
                totals = set()
                for name, run in ways.items():
                    with memo.request_scope():
                        started = time.perf_counter()
                        totals.add(run(user, word))
                        if round_:  # the first round warms
                            taken[name].append((time.perf_counter() - started) * 1000)
                assert len(totals) == 1, (word, totals)
        print(f"\n{user.role} ({email}); SMITH: {page_with_count(user, 'SMITH'):,} found")
        print("| person list, common surname | median ms | p95 ms |")
        print("|---|---:|---:|")
        for name, times in taken.items():
            times.sort()
            print(f"| {name} | {statistics.median(times):.1f} | {times[int(len(times) * 0.95) - 1]:.1f} |")


if __name__ == "__main__":
    main()
