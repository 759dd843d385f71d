"""Load synthetic demo data. Idempotent: running it twice adds nothing the second time.

Each app that has demo data provides ``<app>/demo.py`` with ``seed(context)``; they run in
INSTALLED_APPS order, so later apps can use what earlier ones made.
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from faker import Faker


@dataclass
class DemoContext:
    faker: Faker
    rng: random.Random
    made: dict[str, Any] = field(default_factory=dict)
    out: Any = None

    def say(self, message: str) -> None:
        if self.out is not None:
            self.out.write(message)


class Command(BaseCommand):
    help = "Create synthetic demo data (organisations, staff in every role, and each app's records)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (the same seed gives the same data)")

    def handle(self, *args, **options) -> None:
        if settings.CASEWORK_ENV == "production":
            raise CommandError("seed_demo refuses to run in production: it creates synthetic people and demo passwords.")
        faker = Faker("en_GB")
        faker.seed_instance(options["seed"])
        context = DemoContext(faker=faker, rng=random.Random(options["seed"]), out=self.stdout)
        for app in apps.get_app_configs():
            if not app.name.startswith("casework."):
                continue
            try:
                module = importlib.import_module(f"{app.name}.demo")
            except ModuleNotFoundError as error:
                if error.name == f"{app.name}.demo":
                    continue
                raise
            with transaction.atomic():
                module.seed(context)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
