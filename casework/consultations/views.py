"""A consultation's pages, under a consultation case: /cases/<reference>/consultation/…

The case is loaded for the user (404 if they may not see it or it is not a consultation case, 403
if their role may not read its clinical content); each page parses a form, calls a service or a
query, and renders. Every read is audited as a view of the case.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from casework.audit.services import record_view
from casework.cases.views.common import case_or_404
from casework.consultations import queries
from casework.consultations.forms import AdviceForm, MeetingForm, RequestForm
from casework.consultations.services import conversion, meetings
from casework.consultations.services import requests as request_services
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.reports.choices import ReportType


def _case(request: HttpRequest, reference: str):
    case = case_or_404(request, reference, "cases.view_clinical")
    if case.kind != "consultation":
        raise Http404("Not a consultation case")
    require(request.user, "consultations.view", case)
    return case


def overview_url(case) -> str:
    return reverse("consultations:overview", args=[case.reference])


@require_GET
def overview(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    found = queries.request_of_case(request.user, case)
    page = paginate(request, queries.meetings_of_case(request.user, case))
    may_record = request.user.has_perm("consultations.record", case)
    record_view(request, case, object_label=f"{case.reference}: consultation")
    return render(
        request,
        "consultations/overview.jinja",
        {
            "case": case,
            "found": found,
            "page": page,
            "links": page_links(request, page),
            "letters": list(queries.advice_letters(request.user, case)[:20]),
            "letter_url": reverse("reports:add", args=[case.reference]) + f"?report_type={ReportType.CONSULTATION}",
            "may_record": may_record,
            "may_write_letter": request.user.has_perm("reports.add", case),
            "may_convert": found is not None
            and found.became_referral_id is None
            and request.user.has_perm("consultations.convert", case),
        },
    )


def _form_page(request, case, form, *, title: str, intro: str = "", submit_text: str) -> HttpResponse:
    return render(
        request,
        "cases/form.jinja",
        {
            "case": case,
            "form": form,
            "title": title,
            "intro": intro,
            "cancel_url": overview_url(case),
            "submit_text": submit_text,
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
@creates_record
def request_edit(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "consultations.record", case)
    found = queries.request_of_case(request.user, case)
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        initial=RequestForm.initial_from(found),
        agencies=queries.agencies_for_form(request.user, found),
    )
    if request.method == "POST" and form.is_valid():
        try:
            request_services.request_save(case=case, by=request.user, values=form.cleaned_data, request=request)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Consultation request saved")
            return redirect(overview_url(case))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: consultation request form")
    return _form_page(
        request,
        case,
        form,
        title="Change the consultation request" if found else "Record the consultation request",
        intro="Who is asking, what they ask and the material they sent.",
        submit_text="Save the request",
    )


@require_http_methods(["GET", "POST"])
@creates_record
def meeting_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "consultations.record", case)
    form = MeetingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.meeting_add(case=case, by=request.user, request=request, **form.cleaned_data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Meeting recorded")
            return redirect(reverse("consultations:meeting", args=[case.reference, meeting.pk]))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: consultation meeting form")
    return _form_page(request, case, form, title="Record a meeting", submit_text="Save the meeting")


@require_GET
def meeting_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    meeting = queries.meeting_for_page(request.user, case, pk)
    if meeting is None:
        raise Http404("No such meeting")
    record_view(request, meeting)
    return render(request, "consultations/meeting.jinja", {"case": case, "meeting": meeting})


@require_http_methods(["GET", "POST"])
def advice_record(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "consultations.record", case)
    found = queries.request_of_case(request.user, case)
    if found is None:
        messages.info(request, "Record the agency's request before the advice")
        return redirect(reverse("consultations:request_edit", args=[case.reference]))
    initial = {"summary": found.advice_summary, "given_on": found.advice_given_on} if found.advice_summary else None
    form = AdviceForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            request_services.advice_record(
                case=case,
                by=request.user,
                summary=form.cleaned_data["summary"],
                given_on=form.cleaned_data["given_on"],
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Advice recorded")
            return redirect(overview_url(case))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: consultation advice form")
    return _form_page(
        request,
        case,
        form,
        title="Record the advice given",
        intro="A summary for the case. Write the advice letter itself as a report: it is issued to the agency "
        "and goes on the disclosure register.",
        submit_text="Save the advice",
    )


@require_http_methods(["GET", "POST"])
@creates_record
def convert(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "consultations.convert", case)
    found = queries.request_of_case(request.user, case)
    problem = ""
    if request.method == "POST":
        try:
            referral = conversion.convert(case=case, by=request.user, request=request)
        except Refused as refused:
            problem = refused.message
        else:
            messages.success(request, f"Referral {referral.reference} made from this consultation")
            return redirect(overview_url(case))
    else:
        record_view(request, case, object_label=f"{case.reference}: turn the consultation into a referral")
    return render(
        request,
        "consultations/convert.jinja",
        {
            "case": case,
            "found": found,
            "problem": problem,
            "history": conversion.carried_history(case, found) if found else "",
        },
        status=400 if problem else 200,
    )
