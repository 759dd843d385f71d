"""Issued reports for tests, made directly (issuing itself is the lead's service): a request, its
report and a saved version on ``case``, and an issue to ``recipient`` with small real PDF and DOCX
files (``ContentFile``), with the disclosure entry issuing writes."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile

from casework.reports.models import DisclosureEntry, IssuedReport, Report, ReportRequest, ReportVersion

PDF_BYTES = b"%PDF-1.7\n% test report\n%%EOF\n"
DOCX_BYTES = b"PK\x03\x04 test report"


def report_on(case, *, by, report_type: str = "police", source_referral=None) -> Report:
    request = ReportRequest.objects.create(
        case=case, report_type=report_type, source_referral=source_referral, created_by=by, updated_by=by
    )
    report = Report.objects.create(request=request, author=by, created_by=by, status="issued")
    ReportVersion.objects.create(report=report, number=1, saved_by=by, sections=[])
    return report


def make_issued(
    report: Report,
    *,
    recipient,
    by,
    number: int = 1,
    replaces: IssuedReport | None = None,
    side: str = "police",
    legal_basis: str = "duty_to_share",
    method: str = "secure_email",
    recipient_name: str = "DC Dana Instructing",
) -> IssuedReport:
    issued = IssuedReport.objects.create(
        report=report,
        number=number,
        version=report.versions.order_by("-number").first(),
        replaces=replaces,
        correction_reason="A date was wrong" if replaces else "",
        recipient=recipient,
        recipient_side=side,
        recipient_name=recipient_name,
        pdf=ContentFile(PDF_BYTES, name=f"report-{number}.pdf"),
        pdf_sha256=hashlib.sha256(PDF_BYTES).hexdigest(),
        docx=ContentFile(DOCX_BYTES, name=f"report-{number}.docx"),
        docx_sha256=hashlib.sha256(DOCX_BYTES).hexdigest(),
        issued_by=by,
    )
    DisclosureEntry.objects.create(
        case=report.request.case,
        issued_report=issued,
        description=f"{report.request.get_report_type_display()}, issue {number}",
        recipient=recipient,
        recipient_name=recipient_name,
        method=method,
        legal_basis=legal_basis,
        note="Sent to the officer's secure address",
        released_by=by,
    )
    return issued
