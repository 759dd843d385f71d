"""Where the person list's time goes when it searches a common surname (issue 19): the whole request
(``GET /people/?q=Smith`` through every middleware, signed in, as the load benchmark asks it) for a
clinical lead and a clinician, each query's time, EXPLAIN (ANALYZE, BUFFERS) of each, and a cProfile
of the Python side.

Needs a database seeded by ``benchmarks/load/seed.py`` (its cast: clinical lead and clinician):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_surname CASEWORK_ENV=test \\
        .venv/bin/python benchmarks/people/profile_list.py [--word Smith] [--explain] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import time

from seeding import setup_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--word", default="Smith")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--page", default="1")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.urls import reverse

    from casework.accounts.models import User
    from conftest import signed_in_client

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        print(f"{connection.vendor}; jit = {cursor.fetchone()[0]}")
    url = reverse("people:list") + f"?q={args.word}&page={args.page}"
    for email in ("lead@nsc.example.nhs.uk", "clinician@nsc.example.nhs.uk"):
        user = User.objects.filter(email=email).first() or User.objects.get(role=email.split("@")[0])
        client = signed_in_client(user)
        assert client.get(url).status_code == 200
        taken = []
        for _ in range(args.rounds):
            started = time.perf_counter()
            response = client.get(url)
            taken.append((time.perf_counter() - started) * 1000)
        shown = response.content.decode().count('href="/people/PER-')
        print(f"\n== {user.role} ({email}): {url}: {shown} rows shown")
        print(f"request: median {statistics.median(taken):.1f} ms, min {min(taken):.1f} ms")
        captured: list[tuple[str, object, float]] = []

        def capture(execute, sql, params, many, context, captured=captured):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                captured.append((sql, params, (time.perf_counter() - started) * 1000))

        with connection.execute_wrapper(capture):
            client.get(url)
        for sql, params, ms in captured:
            size = f" [{len(params)} params]" if params else ""
            print(f"  {ms:7.2f} ms  {sql[:150]}{size}")
        print(f"  {sum(ms for _, _, ms in captured):7.2f} ms in {len(captured)} queries")
        if args.explain and connection.vendor == "postgresql":
            for sql, params, ms in captured:
                if ms < 1 or not sql.lstrip().upper().startswith("SELECT"):
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    print(f"\n-- {ms:.1f} ms: {sql[:300]}")
                    print("\n".join(row[0] for row in cursor.fetchall()))
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(5):
                client.get(url)
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
            print(out.getvalue())


if __name__ == "__main__":
    main()
