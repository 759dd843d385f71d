"""Asking for, deciding and issuing research extracts. Each checks its permission, then audits.

- ``extract_request``: a researcher gives the kind, the purpose and the ethics or approval
  reference (both required and checked).
- ``extract_decide``: a clinical lead, never the requester, approves (confirming they have seen
  the approval the reference names) or declines with a reason.
- ``extract_issue``: the requester takes the approved extract, once, as CSV or XLSX. The log
  keeps when, how many rows, how many cases the National Data Opt-out left out, the key's
  fingerprint and the file's SHA-256; the file itself is not kept.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.models import next_reference
from casework.core.permissions import require
from casework.research import extract
from casework.research.models import (
    APPROVAL_REFERENCE_LIMIT,
    DECLINE_REASON_LIMIT,
    PURPOSE_LIMIT,
    ExtractKind,
    ExtractStatus,
    FileFormat,
    ResearchExtract,
)

PURPOSE_MINIMUM = 20
# An approval reference: a REC/IRAS number, an HRA or CAG reference, a Caldicott approval number…
# Letters, digits, spaces and / - . _ ( ), at least one digit, 3 to 50 characters.
APPROVAL_REFERENCE = re.compile(r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9 /\-._()]{2,49}$")


def clean_request(kind: str, purpose: str, approval_reference: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    purpose = (purpose or "").strip()
    reference = " ".join((approval_reference or "").split())
    if kind not in ExtractKind.values:
        errors["kind"] = ["Select the kind of extract"]
    if not purpose:
        errors["purpose"] = ["Enter the purpose of the research"]
    elif len(purpose) < PURPOSE_MINIMUM:
        errors["purpose"] = [f"Describe the purpose in at least {PURPOSE_MINIMUM} characters"]
    elif len(purpose) > PURPOSE_LIMIT:
        errors["purpose"] = [f"The purpose must be {PURPOSE_LIMIT} characters or fewer"]
    if not reference:
        errors["approval_reference"] = ["Enter the ethics or approval reference"]
    elif len(reference) > APPROVAL_REFERENCE_LIMIT:
        errors["approval_reference"] = [
            f"The approval reference must be {APPROVAL_REFERENCE_LIMIT} characters or fewer"
        ]
    elif not APPROVAL_REFERENCE.match(reference):
        errors["approval_reference"] = [
            "Enter the approval reference as it is written on the approval, for example IRAS 312456 or 24/NW/0123 "
            "(letters, numbers, spaces and / - . _ ( ) only, with at least one number)"
        ]
    if errors:
        raise ValidationError(errors)
    return kind, purpose, reference


def extract_request(
    *, by, kind: str, purpose: str, approval_reference: str, request: HttpRequest | None = None
) -> ResearchExtract:
    require(by, "research.request")
    kind, purpose, reference = clean_request(kind, purpose, approval_reference)
    with transaction.atomic():
        now = timezone.now()
        found = ResearchExtract.objects.create(
            reference=next_reference("RX", timezone.localdate(now)),
            kind=kind,
            purpose=purpose,
            approval_reference=reference,
            requested_by=by,
            requested_at=now,
        )
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=found,
            changes={"kind": kind, "purpose": purpose, "approval_reference": reference},
        )
    return found


def extract_decide(
    *, research_extract: ResearchExtract, by, approve: bool, reason: str = "", request: HttpRequest | None = None
) -> ResearchExtract:
    require(by, "research.decide", research_extract)
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": ["Enter why the request is declined"]})
    if len(reason) > DECLINE_REASON_LIMIT:
        raise ValidationError({"reason": [f"The reason must be {DECLINE_REASON_LIMIT} characters or fewer"]})
    with transaction.atomic():
        found = ResearchExtract.objects.select_for_update().get(pk=research_extract.pk)
        require(by, "research.decide", found)
        found.status = ExtractStatus.APPROVED if approve else ExtractStatus.DECLINED
        found.decided_by, found.decided_at = by, timezone.now()
        found.decline_reason = "" if approve else reason
        found.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=found,
            reason="Research extract approved" if approve else "Research extract declined",
            changes={"status": {"old": ExtractStatus.REQUESTED, "new": found.status}},
        )
    return found


@dataclass
class Issued:
    extract: ResearchExtract
    content: bytes
    filename: str
    content_type: str


CONTENT_TYPES = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def extract_issue(
    *, research_extract: ResearchExtract, by, file_format: str, request: HttpRequest | None = None
) -> Issued:
    """Make the approved extract, once, and log it. Refused without the research key."""
    require(by, "research.download", research_extract)
    if file_format not in FileFormat.values:
        raise ValueError(f"Unknown file format {file_format!r}")
    fingerprint = extract.key_fingerprint()  # raises ResearchKeyMissing before anything is made
    with transaction.atomic():
        found = ResearchExtract.objects.select_for_update().get(pk=research_extract.pk)
        require(by, "research.download", found)
        built = extract.build(found.kind, found.approval_reference)
        if file_format == FileFormat.CSV:
            content = extract.as_csv(built)
        else:
            content = extract.as_xlsx(built, found.reference)
        found.status = ExtractStatus.ISSUED
        found.issued_at = timezone.now()
        found.file_format = file_format
        found.row_count = len(built.rows)
        found.opted_out_excluded = built.opted_out_excluded
        found.file_sha256 = hashlib.sha256(content).hexdigest()
        found.key_hash = fingerprint
        found.save(
            update_fields=[
                "status",
                "issued_at",
                "file_format",
                "row_count",
                "opted_out_excluded",
                "file_sha256",
                "key_hash",
            ]
        )
        record(
            action=Action.EXPORT,
            actor=by,
            request=request,
            obj=found,
            reason=f"Research extract issued as {file_format.upper()}",
            changes={
                "kind": found.kind,
                "rows": found.row_count,
                "opted_out_excluded": found.opted_out_excluded,
                "sha256": found.file_sha256,
                "key_hash": fingerprint,
            },
        )
    return Issued(
        extract=found,
        content=content,
        filename=f"{found.reference}.{file_format}",
        content_type=CONTENT_TYPES[FileFormat(file_format)],
    )
