"""What every demo builder is given: a seeded Faker (``en_GB``), a seeded random generator, the
records earlier builders made, and somewhere to say what was done."""

from __future__ import annotations

import random
import re
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


def drama_phone(generated: str) -> str:
    """A telephone number from Ofcom's London drama range (020 7946 0000 to 0999) that the
    ``phonenumbers`` library, and so every form, accepts. Faker's en_GB numbers include the 01632
    drama range, which the library rejects; the last three digits of Faker's number are kept, so
    the demo draws from Faker exactly as before and stays the same from one run to the next."""
    digits = re.sub(r"\D", "", generated)[-3:].rjust(3, "0")
    return f"020 7946 0{digits}"
