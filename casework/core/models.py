from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone


class ReferenceSequence(models.Model):
    """Counters for human references such as REF-2026-00042 and CASE-2026-00017."""

    prefix = models.CharField(max_length=10)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="reference_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.year}: {self.last_number}"


def next_reference(prefix: str, when=None) -> str:
    """The next reference for ``prefix`` in the current year, e.g. REF-2026-00042. Gap-free per year
    under concurrency: the counter row is locked until the caller's transaction ends."""
    year = (when or timezone.localdate()).year
    with transaction.atomic():
        ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
    return f"{prefix}-{year}-{sequence.last_number:05d}"
