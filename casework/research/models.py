"""The research extract log: each extract a researcher asked for, who approved it, and what was
issued (when, how many rows, how many cases left out for the National Data Opt-out, the file's
SHA-256). The file itself is never kept: the hash lets a file shown later be matched to its entry.

``__str__`` and audit labels are the extract's reference (RX-2026-00003).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

PURPOSE_LIMIT = 1000
APPROVAL_REFERENCE_LIMIT = 50
DECLINE_REASON_LIMIT = 500


class ExtractKind(models.TextChoices):
    CASES = "cases", "One row per case (pseudonymised)"
    SUMMARY = "summary", "Summary counts (cells under 10 suppressed)"


class ExtractStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved: ready to download"
    DECLINED = "declined", "Declined"
    ISSUED = "issued", "Issued"


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX (Excel)"


class ResearchExtract(models.Model):
    reference = models.CharField(max_length=20, unique=True, help_text="RX-2026-00003")
    kind = models.CharField(max_length=20, choices=ExtractKind.choices)
    purpose = models.TextField("Purpose", max_length=PURPOSE_LIMIT)
    approval_reference = models.CharField("Ethics or approval reference", max_length=APPROVAL_REFERENCE_LIMIT)
    status = models.CharField(max_length=20, choices=ExtractStatus.choices, default=ExtractStatus.REQUESTED)

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.CharField("Why it was declined", max_length=DECLINE_REASON_LIMIT, blank=True)

    issued_at = models.DateTimeField(null=True, blank=True)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices, blank=True)
    row_count = models.PositiveIntegerField(null=True, blank=True)
    opted_out_excluded = models.PositiveIntegerField(
        null=True, blank=True, help_text="Cases left out because the person opted out (never in the file)"
    )
    file_sha256 = models.CharField(max_length=64, blank=True)
    # Which research key made the pseudonyms (a fingerprint, never the key): extracts made under the
    # same key and approval reference share pseudonyms; a new key breaks the link.
    key_hash = models.CharField(max_length=16, blank=True)

    AUDITED_FIELDS = ("kind", "purpose", "approval_reference", "status")

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return self.reference or f"Research extract {self.pk}"

    @property
    def audit_label(self) -> str:
        return self.reference
