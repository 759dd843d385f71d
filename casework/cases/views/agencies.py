"""Agencies involved in a case, and their officers."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from casework.cases import queries
from casework.cases.forms import AgencyForm, OfficerForm
from casework.cases.services import records
from casework.cases.views.common import case_or_404, case_url, form_page
from casework.core.idempotency import creates_record

OFFICER_FIELDS = ("role", "name", "job_title", "email", "phone")


@require_http_methods(["GET", "POST"])
@creates_record
def agency_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    form = AgencyForm(
        request.POST if request.method == "POST" else None, organisations=list(queries.agency_organisations())
    )
    return form_page(
        request,
        case=case,
        form=form,
        title="Add an agency",
        save=lambda data: records.agency_add(
            case=case,
            organisation=queries.agency_organisation(data.get("organisation")),
            name=data.get("name") or "",
            by=request.user,
            request=request,
        ),
        success_message="Agency added",
        success_url=case_url(case, "agencies"),
    )


def _officer_fields(data) -> dict:
    return {name: data.get(name) or "" for name in OFFICER_FIELDS}


@require_http_methods(["GET", "POST"])
@creates_record
def officer_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    agency = queries.agency_of(case, pk)
    if agency is None:
        raise Http404("No such agency")
    form = OfficerForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        case=case,
        form=form,
        title=f"Add an officer of {agency.name}",
        save=lambda data: records.officer_add(agency=agency, by=request.user, request=request, **_officer_fields(data)),
        success_message="Officer added",
        success_url=case_url(case, "agencies"),
    )


@require_http_methods(["GET", "POST"])
def officer_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_admin")
    officer = queries.officer_of(case, pk)
    if officer is None:
        raise Http404("No such officer")
    form = OfficerForm(
        request.POST if request.method == "POST" else None,
        initial={name: getattr(officer, name) for name in OFFICER_FIELDS},
    )
    return form_page(
        request,
        case=case,
        form=form,
        title=f"Change an officer of {officer.agency.name}",
        save=lambda data: records.officer_update(
            officer=officer, by=request.user, request=request, **_officer_fields(data)
        ),
        success_message="Officer changed",
        success_url=case_url(case, "agencies"),
    )
