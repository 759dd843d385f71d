"""Load synthetic demo data. Idempotent: running it twice adds nothing the second time.

The builders live in ``casework.demo`` (``seeds.BUILDERS``, in the order they run).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.demo.context import seeded_context
from casework.demo.seeds import seed_all


class Command(BaseCommand):
    help = "Create synthetic demo data (organisations, staff in every role, and each app's records)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed gives the same data)")

    def handle(self, *args, **options) -> None:
        if settings.CASEWORK_ENV == "production":
            raise CommandError(
                "seed_demo refuses to run in production: it creates synthetic people and demo passwords."
            )
        seed_all(seeded_context(options["seed"], out=self.stdout))
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
