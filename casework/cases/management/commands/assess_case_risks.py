"""Assess every open and on-hold case's risk for today and keep it (``models.KeptRisk``).

Run each night just after midnight (cron, a systemd timer or the platform's scheduler), so the
day's first My work does not assess every case itself (docs/adr/0027-kept-case-risk.md). Pages
never show a risk that is not current whether this ran or not: one not current is assessed when read.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from casework.cases import queries


class Command(BaseCommand):
    help = "Assess every open and on-hold case's risk for today and keep it (run nightly)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk", type=int, default=500, help="cases assessed a query at a time (default 500)")

    def handle(self, *args, chunk: int, **options) -> None:
        count = queries.refresh_kept_risks(chunk=max(1, chunk))
        self.stdout.write(f"Assessed and kept the risk of {count} open and on-hold cases.")
