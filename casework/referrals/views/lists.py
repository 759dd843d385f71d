"""The staff list of referrals: filters, sorts, clocks, a fixed number of queries per page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.working_days import working_days_before
from casework.referrals.choices import STATUS_TAG_COLOUR, Service, Status
from casework.referrals.forms import ReferralFilterForm
from casework.referrals.queries import (
    NOT_YET_ALLOCATED,
    information_overdue_working_days,
    referrals_filtered,
    referrals_visible_to,
)


def _row(referral, today, info_cutoff) -> dict:
    status = Status(referral.status)
    overdue = []
    if referral.report_due_on and referral.report_due_on < today and status in NOT_YET_ALLOCATED:
        overdue.append("Report due date passed")
    if (
        status == Status.AWAITING_INFORMATION
        and referral.information_requested_at
        and timezone.localdate(referral.information_requested_at) < info_cutoff
    ):
        overdue.append("Information overdue")
    return {
        "reference": referral.reference,
        "subject": referral.subject_name,
        "organisation": referral.referring_organisation.name,
        "services": [Service(s).label for s in referral.services],
        "status": status.label,
        "status_colour": STATUS_TAG_COLOUR[status],
        "received_at": referral.received_at,
        "report_due_on": referral.report_due_on,
        "days_to_decision": referral.days_to_decision(today),
        "decided": referral.decided_at is not None,
        "days_to_allocation": referral.days_to_allocation(today),
        "allocated": referral.allocated_at is not None,
        "overdue": overdue,
    }


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "referrals.view_list")
    form = ReferralFilterForm(request.GET or None)
    filters = form.filters()
    today = timezone.localdate()
    queryset = referrals_filtered(referrals_visible_to(request.user), today=today, **filters)
    page = paginate(request, queryset)
    info_cutoff = working_days_before(today, information_overdue_working_days())
    rows = [_row(referral, today, info_cutoff) for referral in page.object_list]
    record(
        action=Action.VIEW,
        request=request,
        object_type="referrals.referral",
        object_label=f"referral list, page {page.number}",
    )
    return render(
        request,
        "referrals/list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "rows": rows,
            "filtered": any(v for k, v in filters.items() if k != "sort"),
            "errors": form.error_summary() if form.is_bound else [],
            "can_log": request.user.has_perm("referrals.log"),
        },
    )
