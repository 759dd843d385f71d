"""The person list's name search on SQLite, with the FTS5 trigram index (people migration 0006)
and by the substring path it replaced (``icontains``), side by side (ADR 0025).

    CASEWORK_ENV=test .venv/bin/python benchmarks/people/sqlite_names.py --persons 50000

It migrates a new SQLite database (``--database``, by default casework_bench_names.sqlite3 in the temporary directory;
kept, so a second run skips the seeding), bulk-creates ``--persons`` persons with Faker en_GB names
(a tenth with a previous name; bulk_create, so the index is filled by its triggers), then for a
clinical lead times what the person list runs (``queries.persons_for_list``: the count and the first
page of 20), and the name lookup alone (``queries._named``), for 10 common surnames and 10 mid-name
fragments, through the index and through the substring path in turn (5 rounds after a warm-up);
median and 95th percentile in ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from seeding import SURNAMES, list_page, seed_persons, setup_django

FRAGMENTS = ["mit", "ones", "aylo", "row", "illia", "ilso", "ohns", "avie", "obin", "righ"]


def _side_by_side(first, second, items, rounds: int = 5) -> tuple[list[float], list[float]]:
    """Each item through ``first`` and ``second`` in turn, ``rounds`` times (interleaved, so a change
    in the machine's load falls on both alike), after one warm-up pass; milliseconds."""
    for item in items:
        first(item)
        second(item)
    taken: tuple[list[float], list[float]] = ([], [])
    for _ in range(rounds):
        for item in items:
            for run, into in ((first, taken[0]), (second, taken[1])):
                started = time.perf_counter()
                run(item)
                into.append((time.perf_counter() - started) * 1000)
    return taken


def _summary(taken: list[float]) -> str:
    taken = sorted(taken)
    p95 = taken[min(len(taken) - 1, int(len(taken) * 0.95))]
    return f"median {statistics.median(taken):7.1f} ms, p95 {p95:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=50000)
    parser.add_argument("--database", default=str(Path(tempfile.gettempdir()) / "casework_bench_names.sqlite3"))
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{args.database}"
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from casework.people import queries
    from casework.people.models import Person

    assert connection.vendor == "sqlite"
    call_command("migrate", verbosity=0)
    lead, new, started = seed_persons(args.persons)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM people_name_fts")
        indexed = cursor.fetchone()[0]
    print(
        f"{Person.objects.count()} persons, {indexed} indexed ({time.perf_counter() - started:.0f} s to add {len(new)})"
    )

    def search(text: str) -> None:
        list_page(lead, text)

    def lookup(text: str) -> None:
        # The ids of persons with the word in a name: the part the index serves.
        list(Person.objects.filter(queries._named(text)).values_list("pk", flat=True))

    def substring(run):
        def through_icontains(text: str) -> None:
            kept = queries.FTS_MIN_LENGTH
            queries.FTS_MIN_LENGTH = 10**6  # every word through icontains, as before the index
            try:
                run(text)
            finally:
                queries.FTS_MIN_LENGTH = kept

        return through_icontains

    for label, words in (("common surname", SURNAMES), ("mid-name fragment", FRAGMENTS)):
        for word in words:  # the same persons either way
            assert set(queries.persons_for_list(lead, word).values_list("pk", flat=True)) == _substring(
                queries, lead, word
            ), word
        for part, run in (("list (count + page)", search), ("name lookup only", lookup)):
            fts, old = _side_by_side(run, substring(run), words)
            print(f"{label:18} {part:20} FTS5 trigram: {_summary(fts)} | substring: {_summary(old)}")


def _substring(queries, lead, word) -> set[int]:
    kept = queries.FTS_MIN_LENGTH
    queries.FTS_MIN_LENGTH = 10**6
    try:
        return set(queries.persons_for_list(lead, word).values_list("pk", flat=True))
    finally:
        queries.FTS_MIN_LENGTH = kept


if __name__ == "__main__":
    main()
