"""Merging two person records and undoing a merge: clinical leads only (403 for others)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.audit.services import record_view
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.people import queries, services
from casework.people.forms import MergeForm, ReasonForm
from casework.people.views.common import GET_POST, person_or_404, post_data


def _summary(person) -> dict:
    """What the comparison shows of one record: never contact details, only how many there are."""
    return {
        "reference": person.reference,
        "name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "sex": person.get_sex_display(),
        "nhs_number": person.nhs_number_display,
        "pnc_id": person.pnc_id,
        "prison_number": person.prison_number,
        "sealed": person.is_sealed,
        "other_names": person.other_names.count(),
        "addresses": person.addresses.count(),
        "phones": person.phones.count(),
        "emails": person.emails.count(),
        "online_identifiers": person.online_identifiers.count(),
        "referrals": person.referral_links.count(),
        "care_team": person.care_team.count(),
    }


@never_cache
@require_http_methods(GET_POST)
@creates_record
def merge(request: HttpRequest, reference: str) -> HttpResponse:
    """Merge another record into this one. The first POST shows both records side by side; the
    second (``confirm``) merges."""
    target = person_or_404(request, reference)
    require(request.user, "people.merge", target)
    initial = {"other": request.GET.get("other", "")} if request.method == "GET" else None
    form = MergeForm(post_data(request), initial=initial)
    source = None
    if request.method == "POST":
        form.is_valid()
        other = form.cleaned_data.get("other")
        if other:
            source = queries.person_for(request.user, other)
            if source is None:
                form.add_error("other", "Enter the reference of a person in the index, like PER-2026-00042")
            elif source.pk == target.pk:
                form.add_error("other", "Enter the reference of a different record")
                source = None
        if source is not None and not form.errors and form.cleaned_data.get("confirm"):
            try:
                services.person_merge(
                    source=source, target=target, by=request.user, request=request, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, f"{source.reference} merged into {target.reference}")
                return redirect("people:detail", reference=target.reference)
    comparison = None
    if source is not None and not form.errors:
        record_view(request, source)
        record_view(request, target)
        comparison = {"target": _summary(target), "source": _summary(source)}
    return render(
        request,
        "people/merge.jinja",
        {
            "form": form,
            "person": target,
            "comparison": comparison,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def unmerge(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "people.merge")
    merge_record = queries.merge_for(request.user, pk)
    if merge_record is None:
        raise Http404("No such merge")
    form = ReasonForm(
        post_data(request),
        label="Why are you undoing this merge?",
        required_message="Enter why the merge is being undone",
    )
    if request.method == "POST" and form.is_valid() and merge_record.is_active:
        try:
            services.person_unmerge(
                merge=merge_record, by=request.user, request=request, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"Merge undone: {merge_record.source.reference} is a separate record again")
            return redirect("people:detail", reference=merge_record.target.reference)
    return render(
        request, "people/unmerge.jinja", {"form": form, "merge": merge_record}, status=400 if form.errors else 200
    )
