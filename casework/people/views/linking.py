"""Linking a referral's subject and named parties to person records: the duplicate check.

For one slot of a referral (its subject, or one named party) the page shows what the referral
says, the persons who may be the same (ranked by the matching engine, each with a score and the
reasons in plain words), and lets a referrals coordinator or clinical lead confirm one of them or
add a new person from the referral's details. Candidates come from ``candidates.candidates_for``,
which only ever scores persons the user may see, and never compares a sealed person's contact
details for someone outside their care team.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.people import candidates, queries, services
from casework.people.forms import LinkForm, ReferralPersonForm
from casework.people.views.common import GET_POST, post_data
from casework.referrals.choices import PartyRole, SubjectRole


def _referral_and_party(request: HttpRequest, reference: str, party_id: int | None):
    """The referral (404 unless the user may see it), then the permission (403), then the party."""
    referral = queries.referral_for_linking(request.user, reference)
    if referral is None:
        raise Http404("No such referral")
    require(request.user, "people.link_referral")
    party = None
    if party_id is not None:
        party = queries.named_party_of(referral, party_id)
        if party is None or party.pk in queries.withheld_party_ids(request.user, referral):
            # A party linked to a sealed person or a victim behind a barrier from this user's
            # cases: the page would show her record or the details the referral gave.
            raise Http404("No such named party")
    current = queries.link_for(referral, party)
    if current is not None and queries.person_for(request.user, current.person.reference) is None:
        raise Http404("No such person slot")
    return referral, party


def _slot(referral, party) -> dict:
    """What the referral says about this person, for the page."""
    found = candidates.details_in_text(referral.subject_details if party is None else party.details)
    if party is None:
        return {
            "title": "Subject of the referral",
            "role": SubjectRole(referral.subject_role).label if referral.subject_role else "Not given",
            "name": referral.subject_name,
            "date_of_birth": referral.subject_date_of_birth,
            "details": referral.subject_details,
            "found": found,
            "is_victim": referral.subject_role == SubjectRole.VICTIM,
        }
    return {
        "title": f"Named party: {party.get_role_display().lower()}",
        "role": party.get_role_display(),
        "name": party.name,
        "date_of_birth": None,
        "relationship": party.relationship_to_subject,
        "details": party.details,
        "found": found,
        "is_victim": party.role == PartyRole.VICTIM,
    }


def _return_to(request: HttpRequest) -> str | None:
    """Where the user was going when they came to link (``?next=``, a path on this site only), so
    that linking the person referred is a step in opening a case, not a detour."""
    wanted = request.GET.get("next", "")
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return None


def _urls(request: HttpRequest, referral, party) -> dict:
    if party is None:
        urls = {
            "link": reverse("people:link_subject", args=[referral.reference]),
            "new": reverse("people:link_subject_new", args=[referral.reference]),
        }
    else:
        urls = {
            "link": reverse("people:link_party", args=[referral.reference, party.pk]),
            "new": reverse("people:link_party_new", args=[referral.reference, party.pk]),
        }
    then = _return_to(request)
    if then:
        urls = {name: f"{url}?{urlencode({'next': then})}" for name, url in urls.items()}
    return urls


def _done(request: HttpRequest, referral) -> HttpResponse:
    return redirect(_return_to(request) or reverse("referrals:detail", args=[referral.reference]))


@never_cache
@require_http_methods(GET_POST)
def link(request: HttpRequest, reference: str, party_id: int | None = None) -> HttpResponse:
    referral, party = _referral_and_party(request, reference, party_id)
    current = queries.link_for(referral, party)
    form = LinkForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        person = queries.person_for(request.user, form.cleaned_data["person"])
        if person is None:
            form.add_error("person", "Select a person from the list")
        else:
            try:
                services.referral_link(
                    referral=referral, named_party=party, person=person, by=request.user, request=request
                )
            except ValidationError as error:
                show_refusal(form, error)
            else:
                messages.success(request, f"{person.reference} linked to {referral.reference}")
                return _done(request, referral)
    exclude = [current.person_id] if current else []
    found = candidates.candidates_for(request.user, candidates.referral_record(referral, party), exclude_ids=exclude)
    # The referral is read, and so are the persons offered: their references go in the event.
    record(
        action=Action.VIEW,
        request=request,
        obj=referral,
        changes={
            "person check": {
                "old": None,
                "new": {
                    "slot": "subject" if party is None else f"named party {party.pk}",
                    "offered": [c.person.reference for c in found],
                    "linked": current.person.reference if current else None,
                },
            },
        },
    )
    return render(
        request,
        "people/link.jinja",
        {
            "form": form,
            "referral": referral,
            "party": party,
            "slot": _slot(referral, party),
            "urls": _urls(request, referral, party),
            "current": current,
            "candidates": found,
        },
        status=400 if form.errors else 200,
    )


def _initial(referral, party) -> dict:
    record = candidates.referral_record(referral, party)
    slot = _slot(referral, party)
    initial = {
        "given_name": record.given_name,
        "family_name": record.family_name,
        "nhs_number": record.nhs_number,
        "pnc_id": record.pnc_id,
        "prison_number": record.other_id,
        "address": record.address,
        "postcode": record.postcode,
        "phone": record.phone,
        "email": record.email,
        "is_sealed": slot["is_victim"],
    }
    if party is None and referral.subject_date_of_birth:
        initial["date_of_birth"] = referral.subject_date_of_birth
    elif record.date_of_birth:
        initial["date_of_birth"] = record.date_of_birth
    return initial


@never_cache
@require_http_methods(GET_POST)
@creates_record
def link_new(request: HttpRequest, reference: str, party_id: int | None = None) -> HttpResponse:
    referral, party = _referral_and_party(request, reference, party_id)
    require(request.user, "people.create")
    form = ReferralPersonForm(
        post_data(request), include_seal=True, initial=None if request.method == "POST" else _initial(referral, party)
    )
    if request.method == "POST" and form.is_valid():
        try:
            person, _ = services.person_create_and_link(
                referral=referral, named_party=party, by=request.user, request=request, **form.service_fields()
            )
        except ValidationError as error:
            show_refusal(form, error, field_map={"number": "phone"})
        else:
            messages.success(request, f"{person.reference} added and linked to {referral.reference}")
            for warning in form.warnings:
                messages.warning(request, warning)
            return _done(request, referral)
    record_view(request, referral)
    return render(
        request,
        "people/link_new.jinja",
        {
            "form": form,
            "referral": referral,
            "party": party,
            "slot": _slot(referral, party),
            "urls": _urls(request, referral, party),
        },
        status=400 if form.errors else 200,
    )
