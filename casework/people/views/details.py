"""A person's other names, addresses, telephone numbers, email addresses and online identifiers
(add, change, remove), and their care team. Contact details of a sealed person can only be
reached by those who may see them (``people.edit_contact_details``): anyone else gets 403 and
the form never renders, so its initial values never leave the server."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.accounts.forms import ConfirmForm
from casework.audit.services import record_view
from casework.core.forms import NHSForm
from casework.core.idempotency import creates_record
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.people import queries, services
from casework.people.forms import (
    AddressForm,
    CareTeamForm,
    EmailForm,
    NameForm,
    OnlineIdentifierForm,
    PhoneForm,
    detail_initial,
)
from casework.people.models import OnlineIdentifier, PersonAddress, PersonEmail, PersonName, PersonPhone
from casework.people.views.common import GET_POST, person_or_404, post_data


@dataclass(frozen=True)
class DetailKind:
    model: type[Model]
    form: type[NHSForm]
    permission: str
    noun: str  # "address"
    add_title: str

    def make_form(self, data, detail=None):
        if detail is None:
            return self.form(data)
        if self.form in (PhoneForm, EmailForm):
            return self.form(data, detail=detail)
        return self.form(data, initial=detail_initial(detail, self.form.base_fields))


KINDS = {
    "names": DetailKind(PersonName, NameForm, "people.edit", "other name", "Add a previous name or alias"),
    "addresses": DetailKind(PersonAddress, AddressForm, "people.edit_contact_details", "address", "Add an address"),
    "phones": DetailKind(
        PersonPhone, PhoneForm, "people.edit_contact_details", "telephone number", "Add a telephone number"
    ),
    "emails": DetailKind(
        PersonEmail, EmailForm, "people.edit_contact_details", "email address", "Add an email address"
    ),
    "online": DetailKind(
        OnlineIdentifier,
        OnlineIdentifierForm,
        "people.edit_contact_details",
        "online identifier",
        "Add a social media handle, username or gaming ID",
    ),
}


def _kind(kind: str) -> DetailKind:
    if kind not in KINDS:
        raise Http404("No such page")
    return KINDS[kind]


def _detail(person, kind: DetailKind, pk):
    detail = queries.person_detail_of(person, kind.model, pk)
    if detail is None:
        raise Http404("No such record")
    return detail


@never_cache
@require_http_methods(GET_POST)
@creates_record
def detail_add(request: HttpRequest, reference: str, kind: str) -> HttpResponse:
    person = person_or_404(request, reference)
    spec = _kind(kind)
    require(request.user, spec.permission, person)
    form = spec.make_form(post_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.detail_add(
                person=person, model=spec.model, by=request.user, request=request, **form.service_fields()
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{spec.noun.capitalize()} added")
            return redirect("people:detail", reference=person.reference)
    return render(
        request,
        "people/detail_form.jinja",
        {
            "form": form,
            "person": person,
            "kind": kind,
            "title": spec.add_title,
            "detail": None,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def detail_edit(request: HttpRequest, reference: str, kind: str, pk: int) -> HttpResponse:
    person = person_or_404(request, reference)
    spec = _kind(kind)
    require(request.user, spec.permission, person)
    detail = _detail(person, spec, pk)
    form = spec.make_form(post_data(request), detail=detail)
    if request.method == "POST" and form.is_valid():
        try:
            services.detail_update(detail=detail, by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{spec.noun.capitalize()} saved")
            return redirect("people:detail", reference=person.reference)
    record_view(request, person, object_label=f"{person.reference} {spec.noun} {detail.pk}")
    return render(
        request,
        "people/detail_form.jinja",
        {
            "form": form,
            "person": person,
            "kind": kind,
            "title": f"Change {spec.noun}",
            "detail": detail,
        },
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def detail_remove(request: HttpRequest, reference: str, kind: str, pk: int) -> HttpResponse:
    person = person_or_404(request, reference)
    spec = _kind(kind)
    require(request.user, spec.permission, person)
    detail = _detail(person, spec, pk)
    form = ConfirmForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        services.detail_remove(detail=detail, by=request.user, request=request)
        messages.success(request, f"{spec.noun.capitalize()} removed")
        return redirect("people:detail", reference=person.reference)
    record_view(request, person, object_label=f"{person.reference} {spec.noun} {detail.pk}")
    return render(
        request,
        "people/detail_remove.jinja",
        {
            "form": form,
            "person": person,
            "kind": kind,
            "noun": spec.noun,
            "detail": detail,
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def care_team_add(request: HttpRequest, reference: str) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.manage_care_team", person)
    staff = [u for u in queries.staff_for_care_team(person) if u.pk != request.user.pk]
    form = CareTeamForm(post_data(request), staff=staff)
    if request.method == "POST" and form.is_valid():
        member = queries.staff_member(form.cleaned_data["user"])
        try:
            if member is None:
                raise ValidationError({"user": ["Select a member of staff from the list"]})
            services.care_team_add(
                person=person, user=member, role=form.cleaned_data["role"], by=request.user, request=request
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, f"{member.full_name} added to the care team")
            return redirect("people:detail", reference=person.reference)
    return render(
        request, "people/care_team_form.jinja", {"form": form, "person": person}, status=400 if form.errors else 200
    )


@never_cache
@require_http_methods(GET_POST)
def care_team_remove(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = person_or_404(request, reference)
    require(request.user, "people.manage_care_team", person)
    member = queries.care_team_member_of(person, pk)
    if member is None:
        raise Http404("No such team member")
    form = ConfirmForm(post_data(request))
    if request.method == "POST" and form.is_valid():
        services.care_team_remove(member=member, by=request.user, request=request)
        messages.success(request, f"{member.user.full_name} removed from the care team")
        return redirect("people:detail", reference=person.reference)
    return render(request, "people/care_team_remove.jinja", {"form": form, "person": person, "member": member})
