"""Logging a referral that arrived by telephone, post or email, and correcting its details."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework.audit.services import record_view
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.referrals.choices import STAFF_CHANNELS
from casework.referrals.forms import ADD_PARTY, ReferralForm, party_formset, with_another_row
from casework.referrals.queries import referring_organisations
from casework.referrals.services.intake import referral_log, referral_update
from casework.referrals.views.common import error_summary, referral_or_404


def _render(request: HttpRequest, form, parties, *, referral=None, status: int = 200) -> HttpResponse:
    if referral is not None:
        record_view(request, referral)  # the form shows the referral's details
    errors = error_summary(form, parties)
    if not parties.readable:
        parties = party_formset()  # blank rows to fill in again
    return render(
        request,
        "referrals/form.jinja",
        {"form": form, "parties": parties, "referral": referral, "errors": errors},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@creates_record
def referral_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "referrals.log")
    organisations = referring_organisations()
    if request.method == "POST":
        form = ReferralForm(request.POST, organisations=organisations)
        if ADD_PARTY in request.POST:
            return _render(request, *with_another_row(form, request.POST))
        parties = party_formset(request.POST)
        form_ok, parties_ok = form.is_valid(), parties.is_valid()
        if form_ok and parties_ok:
            try:
                referral = referral_log(
                    by=request.user,
                    request=request,
                    services=form.cleaned_data["services"],
                    parties=parties.parties(),
                    **form.referral_fields(),
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, f"Referral {referral.reference} logged")
                return redirect("referrals:detail", reference=referral.reference)
        return _render(request, form, parties, status=400)
    form = ReferralForm(organisations=organisations)
    return _render(request, form, party_formset())


@require_http_methods(["GET", "POST"])
def referral_edit(request: HttpRequest, reference: str) -> HttpResponse:
    referral = referral_or_404(request, reference)
    require(request.user, "referrals.edit", referral)
    organisations = referring_organisations(current=referral.referring_organisation)
    channel_editable = referral.received_via in {c.value for c in STAFF_CHANNELS}
    initial = ReferralForm.initial_from(referral)
    if request.method == "POST":
        form = ReferralForm(
            request.POST, initial=initial, organisations=organisations, channel_editable=channel_editable
        )
        if ADD_PARTY in request.POST:
            return _render(request, *with_another_row(form, request.POST), referral=referral)
        parties = party_formset(request.POST)
        form_ok, parties_ok = form.is_valid(), parties.is_valid()
        if form_ok and parties_ok:
            try:
                referral_update(
                    referral=referral,
                    by=request.user,
                    request=request,
                    services=form.cleaned_data["services"],
                    parties=parties.parties(),
                    **form.referral_fields(),
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, "Referral details saved")
                return redirect("referrals:detail", reference=referral.reference)
        return _render(request, form, parties, referral=referral, status=400)
    form = ReferralForm(initial=initial, organisations=organisations, channel_editable=channel_editable)
    parties = party_formset(
        parties=[
            {"role": p.role, "name": p.name, "relationship_to_subject": p.relationship_to_subject, "details": p.details}
            for p in referral.named_parties.all()
        ]
    )
    return _render(request, form, parties, referral=referral)
