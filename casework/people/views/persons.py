"""The person list, the person page, adding and correcting a person, sealing, break-glass."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.access import breakglass
from casework.access.grants import active_grant
from casework.access.links import record_log_url
from casework.access.review import recent_access
from casework.access.views import break_glass_page
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.core import identifiers
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate, paginate_counted
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.people import candidates, queries, services
from casework.people.forms import OptOutForm, PersonForm, PersonSearchForm, ReasonForm
from casework.people.models import Person
from casework.people.views.common import GET_POST, person_or_404, post_data

SEARCH_KINDS = (
    ("referral reference", lambda t: t.upper().startswith("REF-")),
    ("NHS number", lambda t: identifiers.is_valid_nhs_number(t)),
    ("PNC ID", lambda t: identifiers.parse_pnc_id(t) is not None),
    ("email address", lambda t: "@" in t),
    ("telephone number", lambda t: bool(identifiers.normalise_phone(t)) and sum(c.isdigit() for c in t) >= 9),
)


def _search_kind(text: str) -> str:
    """What kind of search was made, for the audit event (the text itself is not recorded: it may
    be a telephone number or an email address)."""
    if not text:
        return ""
    return next((name for name, test in SEARCH_KINDS if test(text)), "name or other identifier")


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "people.view_list")
    form = PersonSearchForm(request.GET or None)
    text = form.cleaned_data.get("q", "") if form.is_valid() else ""
    # A search's matches are counted as the page is read (one query); the whole list walks the name
    # index to its page and counts apart (docs/benchmarks/load.md).
    page = (paginate_counted if text else paginate)(request, queries.persons_for_list(request.user, text))
    rows = [
        {
            "reference": p.reference,
            "name": p.display_name,
            "preferred_name": p.preferred_name,
            "date_of_birth": p.date_of_birth,
            "nhs_number": p.nhs_number_display,
            "sealed": p.is_sealed,
        }
        for p in page.object_list
    ]
    record(
        action=Action.VIEW,
        request=request,
        object_type=queries.OBJECT_TYPE,
        object_label=f"person list, page {page.number}",
        changes={"search": _search_kind(text), "shown": [r["reference"] for r in rows]},
    )
    return render(
        request,
        "people/list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "rows": rows,
            "searched": bool(text),
            "can_create": request.user.has_perm("people.create"),
        },
        status=400 if form.errors else 200,
    )


@require_GET
def person_detail(request: HttpRequest, reference: str) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.view", person)
    user = request.user
    details = queries.person_details(user, person)
    record_view(request, person)
    return render(
        request,
        "people/detail.jinja",
        {
            "person": person,
            "details": details,
            # The duplicate check scores the person against the whole index the user may see: it
            # is loaded after the page (``person_duplicates``), not while the page waits (ADR 0025).
            "check_duplicates": user.has_perm("people.merge"),
            "can_edit": user.has_perm("people.edit", person),
            "can_edit_contact": user.has_perm("people.edit_contact_details", person),
            "can_seal": user.has_perm("people.seal", person),
            "can_unseal": user.has_perm("people.unseal", person),
            "can_break_glass": user.has_perm("people.break_glass", person),
            "can_manage_team": user.has_perm("people.manage_care_team", person),
            "can_merge": user.has_perm("people.merge", person),
            "break_glass_grant": active_grant(user, person),
            "access_events": recent_access(person, viewer=user),
            "access_log_url": record_log_url(person),
        },
    )


DUPLICATES_SHOWN = 5


@require_GET
def person_duplicates(request: HttpRequest, reference: str) -> HttpResponse:
    """Records that may be the same person, for a clinical lead: a page of its own (a link on the
    person page when scripts do not run), or with ``?fragment=1`` only the list, which the person
    page loads in place after it has been shown. The candidates are the persons the user may see
    (``candidates.candidates_for``: the same check, with the same rules, the person page ran)."""
    person = person_or_404(request, reference)
    require(request.user, "people.merge")
    user = request.user
    details_visible = queries.person_details(user, person).details_visible
    own = candidates.person_records(
        candidates.with_details(queries.persons_visible_to(user).filter(pk=person.pk)).get(),
        include_contact=details_visible,
    )[0]
    duplicates = candidates.candidates_for(user, own, exclude_ids=[person.pk], limit=DUPLICATES_SHOWN)
    record(
        action=Action.VIEW,
        request=request,
        obj=person,
        object_label=f"possible duplicates of {person.reference}",
        changes={"shown": [c.person.reference for c in duplicates]},
    )
    context = {
        "person": person,
        "duplicates": duplicates,
        "can_merge": user.has_perm("people.merge", person),
    }
    if request.GET.get("fragment") == "1":
        return render(request, "people/_duplicates.jinja", context)
    return render(request, "people/duplicates.jinja", context)


def _flash_warnings(request: HttpRequest, form: PersonForm) -> None:
    for warning in form.warnings:
        messages.warning(request, warning)


@never_cache
@require_http_methods(GET_POST)
@creates_record
def person_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "people.create")
    form = PersonForm(post_data(request), include_seal=True)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_create(by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{person.reference} added to the person index")
            _flash_warnings(request, form)
            return redirect("people:detail", reference=person.reference)
    return render(request, "people/form.jinja", {"form": form, "person": None}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
def person_edit(request: HttpRequest, reference: str) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.edit", person)
    include_workplace = request.user.has_perm("people.edit_contact_details", person)
    form = PersonForm(post_data(request), person=person, include_workplace=include_workplace)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(person=person, by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Details saved")
            _flash_warnings(request, form)
            return redirect("people:detail", reference=person.reference)
    record_view(request, person)
    return render(request, "people/form.jinja", {"form": form, "person": person}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
def person_seal(request: HttpRequest, reference: str) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.seal", person)
    form = ReasonForm(post_data(request), label="Why are you sealing this record? (optional)", required=False)
    if request.method == "POST" and form.is_valid():
        services.person_seal(person=person, by=request.user, request=request, reason=form.cleaned_data["reason"])
        messages.success(request, "Record sealed. Only the care team will see the contact details")
        return redirect("people:detail", reference=person.reference)
    return render(
        request,
        "people/seal.jinja",
        {"form": form, "person": person, "sealing": True},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def person_unseal(request: HttpRequest, reference: str) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.unseal", person)
    form = ReasonForm(
        post_data(request),
        label="Why do the details no longer need to be sealed?",
        required_message="Enter why the details no longer need to be sealed",
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.person_unseal(person=person, by=request.user, request=request, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Record unsealed")
            return redirect("people:detail", reference=person.reference)
    return render(
        request,
        "people/seal.jinja",
        {"form": form, "person": person, "sealing": False},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def person_opt_out(request: HttpRequest, reference: str) -> HttpResponse:
    """Record whether the person has opted out under the National Data Opt-out."""
    person = person_or_404(request, reference)
    require(request.user, "people.edit", person)
    form = OptOutForm(post_data(request), person=person)
    if request.method == "POST" and form.is_valid():
        opted_out = form.cleaned_data["opted_out"] == "yes"
        services.person_set_opt_out(person=person, opted_out=opted_out, by=request.user, request=request)
        messages.success(
            request,
            "Opt-out recorded: left out of research extracts" if opted_out else "Recorded as not opted out",
        )
        return redirect("people:detail", reference=person.reference)
    return render(request, "people/opt_out.jinja", {"form": form, "person": person}, status=400 if form.errors else 200)


@never_cache
@require_http_methods(GET_POST)
@creates_record
def person_break_glass(request: HttpRequest, reference: str) -> HttpResponse:
    """Clinical staff who can see a sealed person but are not on their care team open the sealed
    details with a written reason; a clinical lead may so open a person across an information
    barrier from their own cases (``casework.access.breakglass``: reading only, audited, alerted).
    Other roles get 403 on a person they can see; anyone on a person they cannot see, 404."""
    target = breakglass.target(request.user, Person, reference=reference)
    if target is None:
        person = person_or_404(request, reference)
        require(request.user, "access.use_break_glass")
        return redirect("people:detail", reference=person.reference)  # nothing sealed to open
    person = target.obj
    detail_url = reverse("people:detail", args=[person.reference])
    if not request.user.has_perm("people.break_glass", person):
        return redirect(detail_url)
    noun = "person" if target.crosses_barrier else "person's sealed details"
    return break_glass_page(
        request,
        target=target,
        record_label=person.reference,
        record_noun=noun,
        cancel_url=detail_url,
        success_url=detail_url,
    )
