"""Reports issued to the agency, in the portal: /portal/reports/ lists the issued reports addressed
to the user's organisation (never another's), and /portal/reports/<id>/pdf/ and /docx/ download
one. Clinic staff get 403 (the portal is for agencies); an issued report not addressed to the
user's organisation is 404 (the refused attempt is audited). Every download is a release:
``casework.reports.downloads.agency_download`` (shared with the agency API) audits it and writes a
disclosure entry.

A report that a later issue replaced is still listed and still downloadable, marked "Replaced by
issue N"; the agency never sees the case's reference or anything else of the case."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.pagination import page_links, paginate
from casework.reports import register_queries
from casework.reports.downloads import agency_download
from casework.reports.models import IssuedReport
from casework.reports.services import issuing
from casework.reports.services.disclosures import DOCX, PDF


def _require_reports(request: HttpRequest) -> None:
    if not request.user.has_perm("reports.portal_list_issued"):
        raise PermissionDenied


def issued_row(user, issued: IssuedReport, *, namespace: str = "portal") -> dict:
    """What the portal shows of one issue (``issued_to_organisation`` has loaded what it reads); the
    agency API answers the same, its download links in its own ``namespace``."""
    request_ = issued.report.request
    replacement = next(iter(issued.replaced_by.all()), None)
    referral = request_.source_referral
    followed = referral is not None and user.has_perm("referrals.portal_follow_referral", referral)
    return {
        "pk": issued.pk,
        "title": request_.get_report_type_display(),
        "number": issued.number,
        "issued_at": issued.issued_at,
        "recipient_name": issued.recipient_name,
        "is_correction": issued.replaces_id is not None,
        "replaced_by": replacement.number if replacement is not None else None,
        "referral": referral.reference if followed and referral is not None else "",
        "pdf_url": reverse(f"{namespace}:report_pdf", kwargs={"pk": issued.pk}),
        "docx_url": reverse(f"{namespace}:report_docx", kwargs={"pk": issued.pk}),
    }


@never_cache
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    _require_reports(request)
    # Nobody signed out has the portal permission.
    assert isinstance(request.user, User)
    page = paginate(request, register_queries.issued_to_organisation(request.user))
    record(
        action=Action.VIEW,
        request=request,
        object_type="reports.issuedreport",
        object_label=f"portal reports issued, page {page.number}",
    )
    return render(
        request,
        "portal/report_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "rows": [issued_row(request.user, issued) for issued in page.object_list],
            "organisation": request.user.organisation,
        },
    )


def _download(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    _require_reports(request)
    try:
        return agency_download(request, pk, kind)
    except issuing.FileAltered as altered:
        return HttpResponse(altered.message, content_type="text/plain; charset=utf-8", status=409)


@never_cache
@require_GET
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, PDF)


@never_cache
@require_GET
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    return _download(request, pk, DOCX)
