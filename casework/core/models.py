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


class SubmittedForm(models.Model):
    """A create form that was sent, by its idempotency token: the same token sent again (a double
    click, a retry after a lost response) is answered with the page the first one led to, and
    creates nothing (``casework.core.idempotency``). Only a digest of the token is kept."""

    token_digest = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    submitted_at = models.DateTimeField(db_index=True)
    # Where the first submission led (the record it made); blank while it is being handled.
    result_url = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"form sent by user {self.user_id} at {self.submitted_at:%Y-%m-%d %H:%M}"


def update_in_place(obj: models.Model, **fields) -> None:
    """Write ``fields`` straight to ``obj``'s row (one UPDATE touching nothing else, so a background
    task's status change cannot overwrite what a person saved meanwhile) and mirror them on ``obj``."""
    type(obj)._default_manager.filter(pk=obj.pk).update(**fields)
    for name, value in fields.items():
        setattr(obj, name, value)
