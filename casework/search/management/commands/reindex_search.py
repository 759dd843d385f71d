"""Rebuild the search index from the referrals and cases.

    manage.py reindex_search

Safe to run at any time: the rebuild is one transaction, so searches see the old index until it
commits. Prints counts only.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from casework.search.services import reindex_all


class Command(BaseCommand):
    help = "Rebuild the search index from every submitted referral and every case."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="Records read at a time (default 500)")

    def handle(self, *args, batch_size: int, **options) -> None:
        done = reindex_all(batch_size=max(1, batch_size))
        self.stdout.write(self.style.SUCCESS(f"Indexed {done.referrals} referrals and {done.cases} cases."))
