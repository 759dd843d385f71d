"""Opening a case from an accepted referral, or adding the referral's work to an open case."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from casework.audit.services import record_view
from casework.cases import queries
from casework.cases.choices import CaseKind
from casework.cases.forms import NEW_CASE, OpenCaseForm
from casework.cases.services.opening import case_add_referral, case_open
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.referrals.choices import Service, SubjectRole


def suggested_kind(referral) -> str:
    """The kind of case the referral points to: a victim case for a person stalked, a consultation
    when consultation is all that is asked for, otherwise a perpetrator case."""
    if referral.subject_role == SubjectRole.VICTIM:
        return CaseKind.VICTIM
    services = set(referral.services)
    if services == {Service.CONSULTATION}:
        return CaseKind.CONSULTATION
    return CaseKind.PERPETRATOR


def _needs_subject_link(request: HttpRequest, referral) -> HttpResponse:
    """A case belongs to a person record: say so, and offer the link as a step on the way."""
    record_view(request, referral)
    link_url = None
    if request.user.has_perm("people.link_referral"):
        back_here = reverse("cases:open", args=[referral.reference])
        link_url = f"{reverse('people:link_subject', args=[referral.reference])}?{urlencode({'next': back_here})}"
    return render(request, "cases/open_needs_link.jinja", {"referral": referral, "link_url": link_url})


@require_http_methods(["GET", "POST"])
@creates_record
def open_case(request: HttpRequest, referral_reference: str) -> HttpResponse:
    require(request.user, "cases.open")
    referral = queries.referral_ready_to_open(request.user, referral_reference)
    if referral is None:
        waiting = queries.referral_awaiting_subject_link(request.user, referral_reference)
        if waiting is None:
            raise Http404("No such referral ready for a case")
        return _needs_subject_link(request, waiting)
    subject = queries.subject_of(referral)
    open_cases = queries.open_cases_of(request.user, subject)
    clinicians = list(queries.case_clinicians())
    initial = {
        "target": NEW_CASE,
        "kind": suggested_kind(referral),
        "lead_clinician": str(referral.lead_clinician_id or ""),
    }
    form = OpenCaseForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        open_cases=open_cases,
        clinicians=clinicians,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["target"] == NEW_CASE:
                case = case_open(
                    referral=referral,
                    kind=data["kind"],
                    lead_clinician=queries.case_clinician(data["lead_clinician"]),
                    by=request.user,
                    request=request,
                )
                messages.success(request, f"Case {case.reference} opened")
            else:
                target = next(c for c in open_cases if str(c.pk) == data["target"])
                case = case_add_referral(case=target, referral=referral, by=request.user, request=request)
                messages.success(request, f"The referral's work was added to {case.reference}")
        except Refused as refused:
            show_refusal(form, refused)
        else:
            return redirect("cases:detail", reference=case.reference)
    if request.method == "GET":
        record_view(request, referral)
    links = queries.party_links_of(referral)
    return render(
        request,
        "cases/open.jinja",
        {
            "referral": referral,
            "subject": subject,
            "form": form,
            "links": links,
            "unlinked": queries.unlinked_party_count(referral),
            "allocated": [u for u in (referral.lead_clinician, referral.second_assessor) if u is not None],
        },
        status=400 if form.is_bound else 200,
    )
