"""Compliance notices: the case's notices (with their sending status), one notice, raising one now
(the rule applied on demand), recording an acknowledgement the officer gave by telephone; and the
public page where the supervising officer acknowledges a notice through the signed link it carries
(no account: the link is the authority, and it expires)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from casework.access import policy
from casework.accounts.middleware import second_factor_not_required
from casework.audit.services import record_view
from casework.cases.models import Case
from casework.cases.views.common import case_or_404
from casework.core.forms import NHSForm
from casework.core.idempotency import creates_record
from casework.core.refusals import Refused, show_refusal
from casework.treatment.choices import EnrolmentStatus
from casework.treatment.models import OFFICER_NAME_LIMIT, ComplianceNotice, Enrolment
from casework.treatment.services import compliance


class AcknowledgeForm(NHSForm):
    name = forms.CharField(
        label="Your full name",
        max_length=OFFICER_NAME_LIMIT,
        error_messages={"required": "Enter your full name"},
    )
    confirm = forms.BooleanField(
        label="I have read this compliance notice",
        error_messages={"required": "Confirm that you have read the notice"},
    )


class RecordAcknowledgementForm(NHSForm):
    name = forms.CharField(
        label="Name of the officer who acknowledged it",
        max_length=OFFICER_NAME_LIMIT,
        error_messages={"required": "Enter the name of the officer who acknowledged the notice"},
    )


def notices_url(case: Case) -> str:
    return reverse("treatment:notices", args=[case.reference])


def notice_url(case: Case, notice: ComplianceNotice) -> str:
    return reverse("treatment:notice", args=[case.reference, notice.pk])


def _notices_of(case: Case, request: HttpRequest):
    return (
        policy.visible(request.user, ComplianceNotice)
        .filter(enrolment__case=case)
        .select_related("enrolment", "enrolment__supervising_agency", "raised_by")
    )


def _notice_or_404(request: HttpRequest, case: Case, pk: int) -> ComplianceNotice:
    notice = _notices_of(case, request).prefetch_related("absences").filter(pk=pk).first()
    if notice is None:
        raise Http404("No such notice")
    return notice


@require_http_methods(["GET"])
def notice_list(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "treatment.view")
    record_view(request, case)
    can_notice = request.user.has_perm("treatment.notice", case)
    enrolments = list(
        policy.visible(request.user, Enrolment)
        .filter(case=case, status=EnrolmentStatus.ACTIVE)
        .select_related("supervising_agency")
    )
    return render(
        request,
        "treatment/compliance_notices.jinja",
        {
            "case": case,
            "notices": list(_notices_of(case, request)),
            "enrolments": [(e, compliance.countable_absences(e).count()) for e in enrolments] if can_notice else [],
            "can_notice": can_notice,
            "threshold": settings.TREATMENT_COMPLIANCE_ABSENCES,
            "period_days": settings.TREATMENT_COMPLIANCE_PERIOD_DAYS,
        },
    )


@require_POST
@creates_record
def notice_check(request: HttpRequest, reference: str, enrolment_id: int) -> HttpResponse:
    """Apply the compliance rule now (a clinician need not wait for the next attendance record)."""
    case = case_or_404(request, reference, "treatment.notice")
    enrolment = policy.visible(request.user, Enrolment).filter(case=case, pk=enrolment_id).first()
    if enrolment is None:
        raise Http404("No such enrolment")
    notice = compliance.check(enrolment=enrolment, by=request.user, request=request)
    if notice is None:
        messages.info(
            request,
            "No notice was raised: the absences not yet notified do not reach the rule (or there are none).",
        )
        return redirect(notices_url(case))
    messages.success(request, "Compliance notice raised. It is being sent to the supervising officer.")
    return redirect(notice_url(case, notice))


@require_http_methods(["GET"])
def notice_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "treatment.view")
    notice = _notice_or_404(request, case, pk)
    record_view(request, case)
    return render(
        request,
        "treatment/compliance_notice.jinja",
        {
            "case": case,
            "notice": notice,
            "absences": sorted(notice.absences.all(), key=lambda a: a.starts_at),
            "can_notice": request.user.has_perm("treatment.notice", case),
        },
    )


@require_POST
def notice_resend(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Send a failed notice again, once what made it fail is put right."""
    case = case_or_404(request, reference, "treatment.notice")
    notice = _notice_or_404(request, case, pk)
    try:
        compliance.send_again(notice=notice, by=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "The notice is being sent again.")
    return redirect(notice_url(case, notice))


@require_http_methods(["GET", "POST"])
def notice_acknowledge(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Record an acknowledgement the officer gave another way (by telephone)."""
    case = case_or_404(request, reference, "treatment.notice")
    notice = _notice_or_404(request, case, pk)
    form = RecordAcknowledgementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            compliance.record_acknowledgement(
                notice=notice, name=form.cleaned_data["name"], by=request.user, request=request
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Acknowledgement recorded.")
            return redirect(notice_url(case, notice))
    return render(
        request,
        "treatment/compliance_record_acknowledgement.jinja",
        {"case": case, "notice": notice, "form": form, "cancel_url": notice_url(case, notice)},
        status=400 if form.is_bound else 200,
    )


# --- The supervising officer's page (no account) ----------------------------------------------


@login_not_required
@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, token: str) -> HttpResponse:
    notice = compliance.notice_for_token(token)
    if notice is None:
        return render(request, "treatment/compliance_link_invalid.jinja", {}, status=404)
    form = AcknowledgeForm(request.POST or None)
    done = False
    if request.method == "POST" and notice.acknowledged_at is None and form.is_valid():
        try:
            notice = compliance.acknowledge_by_link(notice=notice, name=form.cleaned_data["name"], request=request)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            done = True
    return render(
        request,
        "treatment/compliance_acknowledge.jinja",
        {"notice": notice, "reference": notice.enrolment.case.reference, "form": form, "done": done},
        status=400 if form.is_bound and form.errors else 200,
    )
