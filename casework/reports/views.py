"""The report request pages, under a case: /cases/<reference>/reports/…

The case is loaded for the user (404 if they may not see it); the list is for clinicians, clinical
leads and the referrals coordinator (type, instructing party, due date, status: administration);
a request itself, with its questions and letter of instruction, is for clinical staff (403
otherwise), and among the requests the user may see (404 otherwise). Each page parses a form,
calls a service or a query, and renders; every page read and every change is audited against the
case.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import policy
from casework.audit.services import record_view
from casework.cases.views.common import case_or_404
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.reports import queries, services
from casework.reports.choices import DUE_SOON_DAYS, ReportType
from casework.reports.forms import RequestForm
from casework.reports.models import ReportRequest


def _case(request: HttpRequest, reference: str, permission: str = "reports.view"):
    case = case_or_404(request, reference)
    require(request.user, permission, case)
    return case


def _report(request: HttpRequest, case, pk: int) -> ReportRequest:
    return policy.get_or_404(request, ReportRequest, queryset=queries.request_for_page(request.user, case, pk), pk=pk)


def list_url(case) -> str:
    return reverse("reports:list", args=[case.reference])


def detail_url(report: ReportRequest) -> str:
    return reverse("reports:detail", args=[report.case.reference, report.pk])


def due_tag(report: ReportRequest, today) -> tuple[str, str]:
    """("Late", "red") past its due date, ("Due soon", "orange") within 14 days, else blank."""
    if not report.is_open or report.due_on is None:
        return "", ""
    if report.due_on < today:
        return "Late", "red"
    if (report.due_on - today).days <= DUE_SOON_DAYS:
        return "Due soon", "orange"
    return "", ""


def _form_page(request, *, case, form, title, cancel_url, submit_text="Save", status=None):
    return render(
        request,
        "reports/form.jinja",
        {"case": case, "form": form, "title": title, "cancel_url": cancel_url, "submit_text": submit_text},
        status=status or (400 if form.is_bound else 200),
    )


@require_GET
def request_list(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference, "reports.view_list")
    page = paginate(request, queries.requests_of_case(request.user, case))
    today = timezone.localdate()
    record_view(request, case, object_label=f"{case.reference}: report requests")
    may_add = request.user.has_perm("reports.add", case)
    return render(
        request,
        "reports/list.jinja",
        {
            "case": case,
            "page": page,
            "pagination": page_links(request, page),
            "tags": {r.pk: due_tag(r, today) for r in page.object_list},
            "may_add": may_add,
            "may_open": request.user.has_perm("reports.view", case),
            "pending": len(services.pending_from_case(case)) if may_add else 0,
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def from_referral(request: HttpRequest, reference: str) -> HttpResponse:
    """What the case's accepted report services would make, and the button that makes it."""
    case = _case(request, reference)
    require(request.user, "reports.add", case)
    if request.method == "POST":
        try:
            made = services.requests_from_case(case=case, by=request.user, request=request)
        except Refused as refused:
            messages.error(request, refused.message)
        else:
            if made:
                messages.success(request, f"{len(made)} report request{'s' if len(made) != 1 else ''} created")
            else:
                messages.info(request, "Every accepted report service already has a request: nothing was created")
        return redirect(list_url(case))
    pending = services.pending_from_case(case)
    record_view(request, case, object_label=f"{case.reference}: report requests from the referral")
    return render(
        request,
        "reports/from_referral.jinja",
        {"case": case, "pending": [(service, ReportType(kind).label) for service, kind in pending]},
    )


@require_http_methods(["GET", "POST"])
@creates_record
def request_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "reports.add", case)
    asked_for = request.GET.get("report_type")
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        initial={"report_type": asked_for} if asked_for in ReportType.values else None,
        parties=queries.instructing_parties(case),
        letters=queries.letters_of_instruction(request.user, case),
    )
    if request.method == "POST" and form.is_valid():
        try:
            report = services.request_add(case=case, by=request.user, request=request, **form.service_fields())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Report request added")
            return redirect(detail_url(report))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: add a report request")
    return _form_page(request, case=case, form=form, title="Add a report request", cancel_url=list_url(case))


@require_GET
def request_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    report = _report(request, case, pk)
    record_view(request, case, object_label=f"{case.reference}: {report.audit_label}")
    tag, colour = due_tag(report, timezone.localdate())
    return render(
        request,
        "reports/detail.jinja",
        {
            "case": case,
            "report": report,
            "tag": tag,
            "tag_colour": colour,
            "may_edit": request.user.has_perm("reports.edit", report) and report.status != "issued",
            "written": queries.report_for_page(request.user, case, report.pk).first(),
            "may_start": request.user.has_perm("reports.draft", report) and report.is_open,
        },
    )


@require_http_methods(["GET", "POST"])
def request_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    report = _report(request, case, pk)
    require(request.user, "reports.edit", report)
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        initial=RequestForm.initial_from(report),
        parties=queries.instructing_parties(case),
        letters=queries.letters_of_instruction(request.user, case),
        adding=False,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.request_update(report=report, by=request.user, request=request, **form.service_fields())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Report request updated")
            return redirect(detail_url(report))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {report.audit_label}")
    return _form_page(
        request,
        case=case,
        form=form,
        title=f"Change the request: {report.get_report_type_display()}",
        cancel_url=detail_url(report),
    )
