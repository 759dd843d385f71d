"""What the people benchmarks share (``run.py``, ``sqlite_names.py``, ``list_search.py``): Django set
up as the application runs it, the benchmark's clinical lead, the persons seeded with Faker en_GB
names, the common surnames searched for, and what the person list runs for a search.

Imported by the scripts in this folder (the folder of the script run is on ``sys.path``); Django's
modules are imported only inside the functions, after ``setup_django``.
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SURNAMES = ["SMITH", "JONES", "TAYLOR", "BROWN", "WILLIAMS", "WILSON", "JOHNSON", "DAVIES", "ROBINSON", "WRIGHT"]
LEAD_EMAIL = "lead@example.org"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("CASEWORK_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()


def seed_persons(persons: int):
    """Bulk-create persons up to ``persons`` in all with Faker en_GB names (seeded, so every run
    draws the same; about 8 % with a common surname, a tenth with a previous name), created by the
    benchmark's clinical lead. Returns the lead, the persons added and when the seeding started
    (``time.perf_counter``). A database already seeded keeps its persons and gets only the rest."""
    from faker import Faker

    from casework.accounts.models import User
    from casework.core.roles import Role
    from casework.people.models import NameKind, Person, PersonName

    fake = Faker("en_GB")
    Faker.seed(19)
    random.seed(19)
    lead, _ = User.objects.get_or_create(
        email=LEAD_EMAIL, defaults={"role": Role.CLINICAL_LEAD, "full_name": "Bench Lead"}
    )
    have = Person.objects.count()
    started = time.perf_counter()
    batch = []
    for number in range(have, persons):
        family = random.choice(SURNAMES).title() if random.random() < 0.08 else fake.last_name()
        batch.append(
            Person(
                reference=f"PER-2026-{number + 1:06d}",
                given_name=fake.first_name(),
                family_name=family,
                middle_names=fake.first_name() if random.random() < 0.3 else "",
                date_of_birth=fake.date_of_birth(minimum_age=16, maximum_age=80),
                sex=random.choice(["female", "male"]),
                created_by=lead,
            )
        )
    Person.objects.bulk_create(batch, batch_size=2000)
    new = list(Person.objects.order_by("pk")[have:])
    PersonName.objects.bulk_create(
        [
            PersonName(person=p, kind=NameKind.PREVIOUS, family_name=fake.last_name())
            for p in new
            if random.random() < 0.1
        ]
    )
    return lead, new, started


def list_page(lead, text: str) -> int:
    """What the person list runs for ``text``: ``queries.persons_for_list``, its first page and the
    total, as the page reads them (``paginate_counted`` for a search, ``paginate`` for the whole list)."""
    from django.test import RequestFactory

    from casework.core.pagination import paginate, paginate_counted
    from casework.people import queries

    request = RequestFactory().get("/", {"q": text} if text else {})
    page = (paginate_counted if text else paginate)(request, queries.persons_for_list(lead, text))
    list(page.object_list)
    return page.paginator.count
