"""The list of cases, and the list of referrals ready to open a case from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases import queries
from casework.cases.choices import STATUS_TAG_COLOUR, CaseKind, CaseStatus
from casework.cases.forms import CaseFilterForm
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.referrals.models import Referral


def _row(case) -> dict:
    status = CaseStatus(case.status)
    return {
        "reference": case.reference,
        "subject": case.subject.full_name,
        "kind": CaseKind(case.kind).label,
        "status": status.label,
        "status_colour": STATUS_TAG_COLOUR[status],
        "lead": case.lead_name or "Not set",
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
    }


@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "cases.view_list")
    form = CaseFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, queries.cases_for_list(request.user, **filters))
    record(
        action=Action.VIEW,
        request=request,
        object_type=queries.OBJECT_TYPE,
        object_label=f"case list, page {page.number}",
    )
    return render(
        request,
        "cases/list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "rows": [_row(case) for case in page.object_list],
            "filtered": any(filters.values()),
            "can_open": request.user.has_perm("cases.open"),
            "can_see_risk": request.user.has_perm("cases.view_clinical"),
        },
    )


def _ready_row(referral: Referral) -> dict:
    return {
        "reference": referral.reference,
        "subject": referral.subject_name,
        "organisation": referral.referring_organisation.name,
        "status": referral.get_status_display(),
        "decided_at": referral.decided_at,
        "lead": referral.lead_clinician.full_name if referral.lead_clinician else "Not allocated",
    }


@require_GET
def open_list(request: HttpRequest) -> HttpResponse:
    """Accepted referrals, with their subject linked to a person, whose work is in no case yet."""
    require(request.user, "cases.open")
    page = paginate(request, queries.referrals_ready_to_open(request.user))
    record(
        action=Action.VIEW,
        request=request,
        object_type="referrals.referral",
        object_label=f"referrals ready for a case, page {page.number}",
    )
    return render(
        request,
        "cases/open_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "rows": [_ready_row(r) for r in page.object_list],
        },
    )
