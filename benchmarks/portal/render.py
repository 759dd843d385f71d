"""Tables written out by hand: rendering 25 rows through the nhsuk-frontend table macro (as it was)
and through the table written out (as it is), side by side — the portal's referral table
(``portal/_tables.jinja``) and the access-review pages' events table (``audit/_events.jinja``).

    .venv/bin/python benchmarks/portal/render.py [--rows 25] [--runs 50]

No database: the rows are synthetic (``sample_rows`` and ``sample_events`` of the two tables' tests). Each
template is rendered 5 times untimed, then ``--runs`` times; printed: median and fastest milliseconds
per render and the size of the HTML.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=25)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CASEWORK_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()
    from casework.access.tests import test_events_table as events
    from casework.portal.tests import test_referral_table as portal

    tables = [
        (
            "referral table",
            portal.sample_rows(args.rows),
            portal.render,
            portal.THROUGH_THE_NHSUK_MACRO,
            portal.LEAN,
            {},
        ),
        (
            "audit events table (record log)",
            events.sample_events(args.rows),
            events.render,
            events.THROUGH_THE_NHSUK_MACRO,
            events.LEAN,
            {"show_record": False, "show_who": True},
        ),
    ]
    for title, rows, render, before, after, flags in tables:
        print(f"\n| {title}, {args.rows} rows | median ms | fastest ms | HTML bytes |")
        print("|---|---:|---:|---:|")
        for name, source in (("nhsuk-frontend macro (before)", before), ("written out (after)", after)):
            for _ in range(5):
                out = render(source, rows, **flags)
            taken = []
            for _ in range(args.runs):
                started = time.perf_counter()
                render(source, rows, **flags)
                taken.append((time.perf_counter() - started) * 1000)
            print(f"| {name} | {statistics.median(taken):.1f} | {min(taken):.1f} | {len(out):,} |")


if __name__ == "__main__":
    main()
