"""Issuing a signed-off report, and the disclosure register's writers.

Issuing takes the signed-off version, removes what the recipient may not have (``redaction``:
every sealed victim detail, and any section marked as not for the recipient's side), renders it as
PDF (tagged, signed with the clinic's certificate: PAdES) and DOCX (``rendering``), records the
SHA-256 of each file, and writes the release into the disclosure register. The files are written
once and never changed: a correction is a later issue naming the one it replaces and why.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.core import completions
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.organisations.models import Organisation, OrganisationKind
from casework.reports import rendering
from casework.reports.choices import (
    DisclosureMethod,
    DraftStatus,
    LegalBasis,
    RecipientSide,
    ReportType,
    RequestStatus,
)
from casework.reports.models import (
    DISCLOSURE_NOTE_LIMIT,
    DisclosureEntry,
    IssuedReport,
    Report,
    ReportRequest,
    ReportVersion,
)
from casework.reports.redaction import Redaction, redact_sections
from casework.reports.services.drafting import latest_version

# The side a recipient organisation is usually on (the author can choose another).
SIDE_BY_ORGANISATION_KIND = {
    OrganisationKind.COURT: RecipientSide.COURT,
    OrganisationKind.POLICE_FORCE: RecipientSide.POLICE,
    OrganisationKind.PROBATION: RecipientSide.PROBATION,
    OrganisationKind.MAPPA_AREA: RecipientSide.MAPPA,
    OrganisationKind.NHS_TRUST: RecipientSide.HEALTH,
    OrganisationKind.SOCIAL_SERVICES: RecipientSide.SOCIAL_SERVICES,
}


class IssueRefused(Refused):
    """Issuing or a disclosure refused, with the reason."""


def side_for(organisation: Organisation | None) -> str:
    if organisation is None:
        return RecipientSide.COURT.value
    found = (
        SIDE_BY_ORGANISATION_KIND.get(OrganisationKind(organisation.kind))
        if organisation.kind in OrganisationKind.values
        else None
    )
    return (found or RecipientSide.COURT).value


def _redacted(version: ReportVersion, report: Report, recipient_side: str) -> tuple[list[dict], list[Redaction]]:
    return redact_sections(list(version.sections), case=report.request.case, recipient_side=recipient_side)


def preview(*, report: Report, recipient_side: str, by) -> tuple[list[dict], list[Redaction]]:
    """What the recipient would receive from the latest version, and what would be removed."""
    require(by, "reports.view", report)
    version = latest_version(report)
    if version is None:
        return [], []
    return _redacted(version, report, recipient_side)


def document_for(
    report: Report,
    sections: list[dict],
    *,
    recipient: str,
    version_label: str,
    correction_note: str = "",
    draft: bool,
) -> rendering.ReportDocument:
    request_ = report.request
    subject = request_.case.subject
    author = report.author
    return rendering.ReportDocument(
        title=ReportType(request_.report_type).label,
        case_reference=request_.case.reference,
        subject_name=subject.full_name,
        subject_date_of_birth=subject.date_of_birth,
        recipient=recipient,
        author_name=author.full_name,
        author_role=author.job_title or author.get_role_display(),
        approved_by=report.lead_signed_by.full_name if report.lead_signed_by is not None else "",
        dated=timezone.localdate(),
        version_label=version_label,
        correction_note=correction_note,
        sections=tuple(
            rendering.DocumentSection(key=s["key"], title=s["title"], body_markdown=s["body"]) for s in sections
        ),
        draft=draft,
    )


def draft_pdf(*, report: Report, by) -> bytes:
    """The latest version as a PDF marked DRAFT on every page, for reading over before sign-off.
    Sealed victim details are removed here too: a draft printed is a draft that can leave the room."""
    require(by, "reports.view", report)
    version = latest_version(report)
    if version is None:
        raise IssueRefused("The report has no saved version yet")
    sections, _ = redact_sections(list(version.sections), case=report.request.case, recipient_side="")
    document = document_for(
        report, sections, recipient="Not issued", version_label=f"Draft version {version.number}", draft=True
    )
    return rendering.render_pdf(document)


def _recipient_line(organisation: Organisation, name: str) -> str:
    return f"{name}, {organisation.name}" if name else organisation.name


def report_issue(
    *,
    report: Report,
    recipient: Organisation,
    recipient_side: str,
    recipient_name: str = "",
    method: str,
    legal_basis: str,
    by,
    request: HttpRequest | None = None,
) -> IssuedReport:
    """Issue the signed-off report to one recipient: frozen, signed PDF and DOCX, redacted for the
    recipient, logged in the disclosure register. A report issued again to another recipient is
    another issue of the same version."""
    require(by, "reports.issue", report)
    if recipient_side not in RecipientSide.values:
        raise IssueRefused("Select which side the recipient is on", "recipient_side")
    if method not in DisclosureMethod.values:
        raise IssueRefused("Select how the report is sent", "method")
    if legal_basis not in LegalBasis.values:
        raise IssueRefused("Select the legal basis for sharing the report", "legal_basis")
    recipient_name = (recipient_name or "").strip()[:150]
    with transaction.atomic():
        locked = Report.objects.select_for_update().select_related("request__case__subject", "author").get(pk=report.pk)
        if locked.status not in (DraftStatus.APPROVED, DraftStatus.ISSUED):
            raise IssueRefused("A clinical lead signs the report off before it is issued")
        version = latest_version(locked)
        if version is None or (locked.signed_version is not None and version.number != locked.signed_version):
            raise IssueRefused("The report changed after it was signed: sign it again before issuing")
        number = (IssuedReport.objects.filter(report=locked).aggregate(n=Max("number"))["n"] or 0) + 1
        replaces = None
        correction_note = ""
        if locked.correction_reason:
            replaces = IssuedReport.objects.filter(report=locked, replaced_by__isnull=True).order_by("-number").first()
            if replaces is not None:
                correction_note = f"This issue replaces issue {replaces.number}: {locked.correction_reason}"
        sections, removed = _redacted(version, locked, recipient_side)
        label = f"Issue {number}" + (f", correcting issue {replaces.number}" if replaces else "")
        document = document_for(
            locked,
            sections,
            recipient=_recipient_line(recipient, recipient_name),
            version_label=label,
            correction_note=correction_note,
            draft=False,
        )
        pdf, signer = rendering.sign_pdf(rendering.render_pdf(document))
        docx = rendering.render_docx(document)
        base = f"{locked.request.case.reference}-{locked.request.report_type}-issue-{number}"
        issued = IssuedReport(
            report=locked,
            number=number,
            version=version,
            replaces=replaces,
            correction_reason=locked.correction_reason,
            recipient=recipient,
            recipient_side=recipient_side,
            recipient_name=recipient_name,
            pdf_sha256=rendering.sha256(pdf),
            docx_sha256=rendering.sha256(docx),
            redactions=[asdict(r) for r in removed],
            signer=signer,
            issued_by=by,
        )
        issued.pdf.save(f"{base}.pdf", ContentFile(pdf), save=False)
        issued.docx.save(f"{base}.docx", ContentFile(docx), save=False)
        issued.save()
        now = timezone.now()
        Report.objects.filter(pk=locked.pk).update(status=DraftStatus.ISSUED, correction_reason="", updated_at=now)
        ReportRequest.objects.filter(pk=locked.request_id).update(
            status=RequestStatus.ISSUED, updated_at=now, updated_by=by
        )
        entry = DisclosureEntry.objects.create(
            case=locked.request.case,
            issued_report=issued,
            description=f"{ReportType(locked.request.report_type).label}, {label.lower()}",
            recipient=recipient,
            recipient_name=recipient_name,
            method=method,
            legal_basis=legal_basis,
            note="Made available in the portal: each download is recorded too"
            if method == DisclosureMethod.PORTAL
            else "",
            released_at=now,
            released_by=by,
        )
        _audit_issue(issued, entry, by=by, request=request, removed=removed)
        completions.announce(completions.REPORT_ISSUED, issued, by=by, request=request)
    return issued


def _audit_issue(issued: IssuedReport, entry: DisclosureEntry, *, by, request, removed: list[Redaction]) -> None:
    case = entry.case
    record(
        action=Action.CREATE,
        actor=by,
        request=request,
        obj=case,
        object_label=f"{case.reference}: {issued.audit_label}",
        changes={
            issued.audit_label: {
                "old": None,
                "new": {
                    "number": issued.number,
                    "recipient": issued.recipient.name,
                    "pdf_sha256": issued.pdf_sha256,
                    "docx_sha256": issued.docx_sha256,
                    "replaces": issued.replaces.number if issued.replaces else None,
                    "removed": sum(r.count for r in removed),
                },
            },
            entry.audit_label: {"old": None, "new": {"method": entry.method, "legal_basis": entry.legal_basis}},
        },
    )


def disclosure_record(
    *,
    issued: IssuedReport,
    method: str,
    legal_basis: str,
    recipient: Organisation | None = None,
    recipient_name: str = "",
    note: str = "",
    by,
    request: HttpRequest | None = None,
) -> DisclosureEntry:
    """Record another release of an issued report (sent again by secure email, posted, handed over
    at a hearing, downloaded from the portal)."""
    require(by, "reports.disclose", issued)
    if method not in DisclosureMethod.values:
        raise IssueRefused("Select how the report was released", "method")
    if legal_basis not in LegalBasis.values:
        raise IssueRefused("Select the legal basis for the release", "legal_basis")
    if len(note or "") > DISCLOSURE_NOTE_LIMIT:
        raise IssueRefused(f"Note must be {DISCLOSURE_NOTE_LIMIT:,} characters or fewer", "note")
    with transaction.atomic():
        report = issued.report
        entry = DisclosureEntry.objects.create(
            case=report.request.case,
            issued_report=issued,
            description=f"{ReportType(report.request.report_type).label}, issue {issued.number}",
            recipient=recipient or issued.recipient,
            recipient_name=(recipient_name or "").strip()[:150],
            method=method,
            legal_basis=legal_basis,
            note=(note or "").strip(),
            released_by=by,
        )
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=entry.case,
            object_label=f"{entry.case.reference}: {entry.audit_label}",
            changes={entry.audit_label: {"old": None, "new": _entry_values(entry)}},
        )
    return entry


class FileAltered(IssueRefused):
    """An issued file no longer matches the SHA-256 recorded when it was issued."""


def frozen_bytes(issued: IssuedReport, kind: str) -> bytes:
    """The issued PDF or DOCX as it was issued: read, and checked against its recorded SHA-256 so
    that a file altered on disk is never served as the report."""
    stored, expected = (issued.pdf, issued.pdf_sha256) if kind == "pdf" else (issued.docx, issued.docx_sha256)
    with stored.open("rb") as handle:
        content = handle.read()
    if rendering.sha256(content) != expected:
        raise FileAltered(
            f"The stored {kind.upper()} of issue {issued.number} does not match the SHA-256 recorded when it was "
            "issued, so it is not served. Tell the system administrator: restore it from the backups."
        )
    return content


def _entry_values(entry: DisclosureEntry) -> dict[str, Any]:
    return {
        "issued_report": entry.issued_report_id,
        "recipient": entry.recipient.name,
        "method": entry.method,
        "legal_basis": entry.legal_basis,
        "note": "given" if entry.note else "",
    }
