"""Screening decisions, moving a referral along the workflow by hand, and allocation."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from casework.access.sealed import withheld_party_ids
from casework.audit.services import record_view
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.referrals import eligibility, letters
from casework.referrals.choices import STATUS_TAG_COLOUR, Decision, Service, Status
from casework.referrals.forms import AllocationForm, ScreeningDecisionForm, TransitionForm, srp_status_text
from casework.referrals.queries import clinicians_across_barrier, clinicians_for_allocation
from casework.referrals.services.triage import (
    SRP_NEEDED,
    allocate,
    barrier_refusal_text,
    default_letter_text,
    preview_letter,
    screening_decide,
    srp_refusal_text,
    transition,
    work_needs_srp,
)
from casework.referrals.views.common import error_summary, referral_or_404
from casework.referrals.views.detail import summary_sections
from casework.referrals.workflow import WORKFLOW

MANUAL_TARGETS = {s.value: s for s in (Status.SCREENING, Status.WITHDRAWN, Status.CLOSED)}


def _decide_or_preview(request: HttpRequest, referral, form: ScreeningDecisionForm) -> HttpResponse | None:
    """A valid decision is first shown as the letter it will issue (``step`` "preview", the
    default), where the letter's paragraph can be edited; only ``step`` "confirm" records the
    decision and issues the letter. ``step`` "change" goes back to the decision, filled in. None:
    show the decision page (refused, or changing)."""
    data = form.cleaned_data
    step = request.POST.get("step", "preview")
    if step == "change":
        return None
    decision = Decision(data["decision"])
    chosen = data["accepted_services"] if decision == Decision.ACCEPT else []
    letter_text = data["letter_text"] if "letter_text" in request.POST else None
    try:
        if step == "confirm":
            letter = screening_decide(
                referral=referral,
                by=request.user,
                request=request,
                decision=decision,
                reason=data["reason"],
                accepted_services=chosen,
                letter_text=letter_text,
            )
        else:
            body = preview_letter(
                referral=referral,
                by=request.user,
                decision=decision,
                reason=data["reason"],
                accepted_services=chosen,
                letter_text=letter_text,
            )
    except Refused as refusal:
        show_refusal(form, refusal)
        if refusal.field != "letter_text":
            return None
        # The edited wording was refused: show the preview again, with the message at the field.
        body = ""
    else:
        if step == "confirm":
            messages.success(request, f"{decision.label} recorded. The letter to the referrer is issued.")
            return redirect("referrals:letter", reference=referral.reference, pk=letter.pk)
    if letter_text is None:  # the first preview: the wording starts as the default
        # Bound to request.POST: a QueryDict, copied to be changed.
        assert isinstance(form.data, QueryDict)
        form.data = form.data.copy()
        form.data["letter_text"] = default_letter_text(decision, data["reason"])
    return render(
        request,
        "referrals/screening_preview.jinja",
        {
            "referral": referral,
            "form": form,
            "decision": decision,
            "body": body,
            "accepted": [Service(s).label for s in chosen],
            "errors": error_summary(form),
            "marking": letters.PROTECTIVE_MARKING,
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@creates_record
def screening(request: HttpRequest, reference: str) -> HttpResponse:
    """The referral's answers beside the eligibility rules, each with its reason, and (while
    screening) the decision. The answers are the referral page's, withholding what it withholds
    (a sealed party's details, a party behind an information barrier)."""
    referral = referral_or_404(request, reference)
    require(request.user, "referrals.view_screening", referral)
    results = eligibility.evaluate(referral)
    requested = referral.services
    refused = eligibility.refused_services(referral, requested, results)
    may_decide = request.user.has_perm("referrals.screen", referral)
    form = None
    status = 200
    if may_decide:
        form = ScreeningDecisionForm(
            request.POST if request.method == "POST" else None, requested=requested, refused=refused
        )
        if request.method == "POST" and form.is_valid():
            answer = _decide_or_preview(request, referral, form)
            if answer is not None:
                return answer
        if form.errors:
            status = 400
    elif request.method == "POST":
        raise PermissionDenied
    record_view(request, referral)
    current = Status(referral.status)
    return render(
        request,
        "referrals/screening.jinja",
        {
            "referral": referral,
            "results": results,
            "form": form,
            "sections": summary_sections(referral, withheld_party_ids(request.user, referral)),
            "refused": [(Service(s).label, why) for s, why in refused.items()],
            "errors": error_summary(form) if form is not None else [],
            "status_label": current.label,
            "status_colour": STATUS_TAG_COLOUR[current],
            "may_start": current == Status.RECEIVED and request.user.has_perm("referrals.transition", referral),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def change_status(request: HttpRequest, reference: str, target: str) -> HttpResponse:
    """Start screening, information received (back to screening), withdraw, close."""
    referral = referral_or_404(request, reference)
    if target not in MANUAL_TARGETS:
        raise Http404("No such step")
    target_status = MANUAL_TARGETS[target]
    require(request.user, "referrals.transition", referral)
    form = TransitionForm(request.POST if request.method == "POST" else None, target=target_status)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                transition(
                    referral=referral,
                    to=target_status,
                    by=request.user,
                    request=request,
                    reason=form.cleaned_data["reason"],
                )
            except Refused as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, f"Referral is now {Status(referral.status).label.lower()}")
                return redirect("referrals:detail", reference=referral.reference)
        status = 400
    invalid_message = None
    if not WORKFLOW.allows(referral.status, target_status) and not form.errors:
        try:
            WORKFLOW.check(referral.status, target_status)
        except Refused as invalid:
            invalid_message = invalid.message
    current = Status(referral.status)
    return render(
        request,
        "referrals/transition.jinja",
        {
            "referral": referral,
            "form": form,
            "target": target_status,
            "errors": error_summary(form),
            "invalid_message": invalid_message,
            "status_label": current.label,
            "status_colour": STATUS_TAG_COLOUR[current],
            "from_awaiting": current == Status.AWAITING_INFORMATION,
        },
        status=status if invalid_message is None else 409,
    )


def _not_offered(clinicians, needs_srp: bool, across_barrier: Collection[int] = ()) -> dict[int, str]:
    """The clinicians who may not take this work, each with why: those on the team of a case
    across an information barrier from it, and, for work that needs the Stalking Risk Profile, those
    whose SRP training is not current (read from what ``clinicians_for_allocation`` annotates;
    ``allocate`` asks again when it writes)."""
    barred = {c.pk: barrier_refusal_text(c.full_name) for c in clinicians if c.pk in across_barrier}
    if not needs_srp:
        return barred
    today = timezone.localdate()
    refusals = {
        c.pk: srp_refusal_text(
            c.full_name, current=c.srp_current, latest_expiry=c.srp_latest_expiry, trained=c.srp_trained, today=today
        )
        for c in clinicians
    }
    return {**{pk: f"{why}. {SRP_NEEDED}" for pk, why in refusals.items() if why}, **barred}


@require_http_methods(["GET", "POST"])
def allocation(request: HttpRequest, reference: str) -> HttpResponse:
    """Allocate accepted work. Only the clinicians who may take it are offered; for work that
    needs the Stalking Risk Profile the others are listed apart, with why, and are no choice."""
    referral = referral_or_404(request, reference)
    require(request.user, "referrals.allocate", referral)
    needs_srp = work_needs_srp(referral)
    clinicians = list(clinicians_for_allocation())
    across = clinicians_across_barrier(referral)
    not_offered = _not_offered(clinicians, needs_srp, across)
    offered = [c for c in clinicians if c.pk not in not_offered]
    form = AllocationForm(
        request.POST if request.method == "POST" else None, clinicians=offered, not_offered=not_offered
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                allocate(
                    referral=referral,
                    lead_clinician=data["lead"],
                    second_assessor=data["second"],
                    by=request.user,
                    request=request,
                    reason=data["reason"],
                )
            except Refused as refusal:
                show_refusal(form, refusal)
            else:
                messages.success(request, f"Allocated to {data['lead'].full_name}")
                return redirect("referrals:detail", reference=referral.reference)
        status = 400
    record_view(request, referral)

    def row(c) -> dict:
        return {
            "name": c.full_name,
            "profession": c.get_profession_display(),
            "caseload": c.caseload,
            "srp": srp_status_text(c),
            "srp_current": c.srp_current,
            "why_not": "On a case across an information barrier" if c.pk in across else srp_status_text(c),
        }

    return render(
        request,
        "referrals/allocate.jinja",
        {
            "referral": referral,
            "form": form,
            "errors": error_summary(form),
            "clinicians": [row(c) for c in offered],
            "not_offered": [row(c) for c in clinicians if c.pk in not_offered],
            "needs_srp": needs_srp,
        },
        status=status,
    )
