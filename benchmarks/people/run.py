"""Person index benchmark (ADR 0025): the person list's name search with and without the
``pg_trgm`` indexes, and the duplicate check that the person page no longer waits for.

    createdb -h 127.0.0.1 -U postgres casework_bench_people
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench_people \\
        .venv/bin/python benchmarks/people/run.py --persons 20000

It migrates the (empty) database, bulk-creates ``--persons`` persons with Faker en_GB names (a tenth
with a previous name) and their match keys, then for a clinical lead times, for 10 common surnames,
what the person list runs (``queries.persons_for_list``: the count and the first page of 20) with
the trigram indexes, again with them dropped, and the query as it was before (four ``icontains``
ORed with an EXISTS on other names, no index: the old path); and ``candidates.candidates_for``
for 10 persons (the duplicate check, now loaded after the person page). Each is run once to warm,
then timed; median and 95th percentile in milliseconds. JIT is off, as the application runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from seeding import SURNAMES, list_page, seed_persons, setup_django


def _times(run, items) -> tuple[float, float]:
    for item in items:
        run(item)
    taken = []
    for item in items:
        started = time.perf_counter()
        run(item)
        taken.append((time.perf_counter() - started) * 1000)
    taken.sort()
    return statistics.median(taken), taken[min(len(taken) - 1, int(len(taken) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=20000)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Exists, OuterRef, Q

    from casework.people import candidates, queries
    from casework.people.models import Person, PersonMatchKey, PersonName

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    lead, new, started = seed_persons(args.persons)
    for chunk in range(0, len(new), 1000):
        rows = candidates.with_details(Person.objects.filter(pk__in=[p.pk for p in new[chunk : chunk + 1000]]))
        PersonMatchKey.objects.bulk_create(
            PersonMatchKey(person=p, key_hash=h, from_contact_details=c)
            for p in rows
            for h, c in candidates.match_keys_for(p).items()
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # the steady state: hint bits set, visibility map built
    print(f"{Person.objects.count()} persons ({time.perf_counter() - started:.0f} s to add {len(new)})")

    def search(surname: str) -> None:
        list_page(lead, surname)

    def old_search(surname: str) -> None:
        """The query before ADR 0025: four ``icontains`` ORed with an EXISTS on other names."""
        other = PersonName.objects.filter(person=OuterRef("pk")).filter(
            Q(given_name__icontains=surname) | Q(family_name__icontains=surname)
        )
        rows = (
            queries.persons_visible_to(lead)
            .filter(
                Q(given_name__icontains=surname)
                | Q(family_name__icontains=surname)
                | Q(middle_names__icontains=surname)
                | Q(preferred_name__icontains=surname)
                | Exists(other)
            )
            .order_by("family_name", "given_name", "id")
        )
        rows.count()
        list(rows[:20])

    sample = list(Person.objects.order_by("?")[:10])

    def duplicates(person) -> None:
        own = candidates.person_records(
            candidates.with_details(Person.objects.filter(pk=person.pk)).get(), include_contact=True
        )[0]
        candidates.candidates_for(lead, own, exclude_ids=[person.pk], limit=5)

    with_index = _times(search, SURNAMES)
    module = __import__("casework.people.migrations.0005_name_search", fromlist=["INDEXES"])
    with connection.cursor() as cursor:
        for name, _, _ in module.INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    without_index = _times(search, SURNAMES)
    old_path = _times(old_search, SURNAMES)
    with connection.schema_editor() as editor:
        module.forwards(None, editor)
    check = _times(duplicates, sample)
    print(f"name search, trigram indexes:    median {with_index[0]:.1f} ms, p95 {with_index[1]:.1f} ms")
    print(f"name search, union, no index:    median {without_index[0]:.1f} ms, p95 {without_index[1]:.1f} ms")
    print(f"name search, old query, no index: median {old_path[0]:.1f} ms, p95 {old_path[1]:.1f} ms")
    print(f"duplicate check (candidates_for): median {check[0]:.1f} ms, p95 {check[1]:.1f} ms")


if __name__ == "__main__":
    main()
