"""The disclosure register, at /reports/register/: every release of a report or document outside
the clinic, of the cases and referrals the user may read (letters to referrers included), searched, filtered, paginated, and exported as CSV.

Clinicians and clinical leads see every column; the referrals coordinator (who issues letters)
sees the date, case reference, recipient, method, legal basis and description only, on the page
and in the export (``reports.view_register_details``). Everyone else: 403. The page read is
audited as a view, the CSV as an export.
"""

from __future__ import annotations

import csv
import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.incident_table import safe_cell
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.reports import register_queries
from casework.reports.choices import DisclosureMethod, LegalBasis
from casework.reports.register_forms import RegisterFilterForm

ENTRY_TYPE = "reports.disclosureentry"
COLUMNS = ["Date released", "Case or referral", "Recipient", "Method", "Legal basis", "Description"]
DETAIL_COLUMNS = ["Recipient (officer or court)", "Released by", "Issue", "Note"]
METHODS = dict(DisclosureMethod.choices)
BASES = dict(LegalBasis.choices)


def _export_query(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
def register(request: HttpRequest) -> HttpResponse:
    require(request.user, "reports.view_register")
    form = RegisterFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, register_queries.register_rows(request.user, **filters))
    record(
        action=Action.VIEW,
        request=request,
        object_type=ENTRY_TYPE,
        object_label=f"disclosure register, page {page.number}",
    )
    query = _export_query(request)
    return render(
        request,
        "reports/register.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "filtered": any(filters.values()),
            "details": request.user.has_perm("reports.view_register_details"),
            "may_export": request.user.has_perm("reports.export_register"),
            "export_url": reverse("disclosures:export") + (f"?{query}" if query else ""),
            "methods": METHODS,
            "bases": BASES,
        },
        status=400 if form.errors else 200,
    )


def _csv_row(row: dict, details: bool) -> list[str]:
    cells = [
        timezone.localtime(row["released_at"]).strftime("%d/%m/%Y %H:%M"),
        row["case_reference"] or row["referral_reference"] or "",
        safe_cell(row["recipient_organisation"]),
        str(METHODS.get(row["method"], row["method"])),
        str(BASES.get(row["legal_basis"], row["legal_basis"])),
        safe_cell(row["description"]),
    ]
    if details:
        cells += [
            safe_cell(row["recipient_name"] or ""),
            safe_cell(row["released_by_name"] or ""),
            str(row["issue_number"]) if row["issue_number"] else "",
            safe_cell(row["note"] or ""),
        ]
    return cells


@require_GET
def register_export(request: HttpRequest) -> HttpResponse:
    """The same filtered rows as the page, every page of them, in the columns the user sees."""
    require(request.user, "reports.export_register")
    form = RegisterFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return register(request)
    filters = form.filters()
    details = request.user.has_perm("reports.view_register_details")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS + (DETAIL_COLUMNS if details else []))
    count = 0
    for row in register_queries.register_rows(request.user, **filters).iterator(chunk_size=500):
        writer.writerow(_csv_row(row, details))
        count += 1
    record(
        action=Action.EXPORT,
        request=request,
        object_type=ENTRY_TYPE,
        object_label="disclosure register",
        reason="Disclosure register exported as CSV",
        # Which filters were used, never the words searched for.
        changes={
            "rows": count,
            "searched": bool(filters.get("q")),
            "method": filters.get("method", ""),
            "legal_basis": filters.get("legal_basis", ""),
            "released_from": filters.get("released_from"),
            "released_to": filters.get("released_to"),
        },
    )
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="disclosure-register-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    return response
