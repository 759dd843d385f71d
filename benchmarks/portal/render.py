"""The portal's referral table: rendering 25 rows through the nhsuk-frontend table macro (as it was)
and through the table written out in ``portal/_tables.jinja`` (as it is), side by side.

    .venv/bin/python benchmarks/portal/render.py [--rows 25] [--runs 50]

No database: the rows are synthetic (``casework.portal.tests.test_referral_table.sample_rows``). Each
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
    from casework.portal.tests.test_referral_table import LEAN, THROUGH_THE_NHSUK_MACRO, render, sample_rows

    rows = sample_rows(args.rows)
    print(f"| referral table, {args.rows} rows | median ms | fastest ms | HTML bytes |")
    print("|---|---:|---:|---:|")
    for name, source in (("nhsuk-frontend macro (before)", THROUGH_THE_NHSUK_MACRO), ("written out (after)", LEAN)):
        for _ in range(5):
            out = render(source, rows)
        taken = []
        for _ in range(args.runs):
            started = time.perf_counter()
            render(source, rows)
            taken.append((time.perf_counter() - started) * 1000)
        print(f"| {name} | {statistics.median(taken):.1f} | {min(taken):.1f} | {len(out):,} |")


if __name__ == "__main__":
    main()
