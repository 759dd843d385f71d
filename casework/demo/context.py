"""What every demo builder is given: a seeded Faker (``en_GB``), a seeded random generator, the
records earlier builders made, and somewhere to say what was done."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

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


def seeded_context(seed: int = 2026, out: Any = None) -> DemoContext:
    """The same seed gives the same data."""
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    return DemoContext(faker=faker, rng=random.Random(seed), out=out)
