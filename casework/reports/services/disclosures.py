"""Writers of the disclosure register that are not part of issuing: a download of an issued report
through the agency portal. (Issuing writes its own entry; a release made outside the system will
be recorded by a service of its own.)

Each download is a release: it is audited as an export of the issued report and writes a
``DisclosureEntry`` (method: portal download), in one transaction."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import require
from casework.reports.choices import DisclosureMethod, LegalBasis
from casework.reports.models import DisclosureEntry, IssuedReport

PDF = "pdf"
DOCX = "docx"
FILE_LABELS = {PDF: "PDF", DOCX: "Word document"}


def legal_basis_of(issued: IssuedReport) -> str:
    """The legal basis the issue was released on: its first disclosure entry's, else the letter
    of instruction."""
    first = issued.disclosures.order_by("released_at", "id").values_list("legal_basis", flat=True).first()
    return first or LegalBasis.LETTER_OF_INSTRUCTION


def portal_download(*, issued: IssuedReport, kind: str, by, request: HttpRequest | None = None) -> DisclosureEntry:
    """Record that ``by`` (an agency user of the recipient organisation) downloaded ``issued``'s
    ``kind`` file ("pdf" or "docx") through the portal."""
    require(by, "reports.portal_download", issued)
    if kind not in FILE_LABELS:
        raise ValueError(f"kind must be one of {sorted(FILE_LABELS)}")
    label = FILE_LABELS[kind]
    request_ = issued.report.request
    description = (
        f"{request_.get_report_type_display()}, issue {issued.number} ({label}), downloaded through the portal"
    )
    with transaction.atomic():
        entry = DisclosureEntry.objects.create(
            case_id=request_.case_id,
            issued_report=issued,
            description=description[: DisclosureEntry._meta.get_field("description").max_length],
            recipient_id=issued.recipient_id,
            recipient_name=(by.full_name or "")[:150],
            method=DisclosureMethod.PORTAL,
            legal_basis=legal_basis_of(issued),
            released_by=by,
        )
        record(
            action=Action.EXPORT,
            actor=by,
            request=request,
            obj=issued,
            reason=f"Issued report downloaded as {label} through the portal",
            changes={"disclosure": entry.pk, "file": kind},
        )
    return entry
