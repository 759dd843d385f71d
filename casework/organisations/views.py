"""Organisation pages, for system administrators: the list, one organisation with its agency
referrers, create, edit, deactivate and reactivate."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.accounts.forms import ConfirmForm
from casework.accounts.http import AuthenticatedHttpRequest
from casework.audit.services import record_view
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import show_refusal
from casework.organisations import queries, services
from casework.organisations.forms import OrganisationFilterForm, OrganisationForm
from casework.organisations.models import Organisation

GET_POST = ["GET", "POST"]


def _posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one, so it is validated), None on a GET."""
    return request.POST if request.method == "POST" else None


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    require(request.user, "organisations.manage")
    return get_object_or_404(queries.organisations_visible_to(request.user), pk=pk)


@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "organisations.manage")
    form = OrganisationFilterForm(request.GET or None)
    queryset = queries.organisations_filtered(queries.organisations_visible_to(request.user), **form.filters())
    page = paginate(request, queryset)
    return render(
        request,
        "organisations/list.jinja",
        {"form": form, "page": page, "links": page_links(request, page)},
        status=400 if form.errors else 200,
    )


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation and its agency referrers (people: so the page view is audited)."""
    organisation = _organisation(request, pk)
    record_view(request, organisation)
    page = paginate(request, queries.agency_referrers_of(request.user, organisation))
    return render(
        request,
        "organisations/detail.jinja",
        {"organisation": organisation, "page": page, "links": page_links(request, page)},
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def organisation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "organisations.manage")
    form = OrganisationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(by=request.user, request=request, **form.service_fields())
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Organisation added")
            return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request, "organisations/form.jinja", {"form": form, "organisation": None}, status=400 if form.errors else 200
    )


@never_cache
@require_http_methods(GET_POST)
def organisation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    form = OrganisationForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(
                organisation=organisation, by=request.user, request=request, **form.service_fields()
            )
        except ValidationError as error:
            show_refusal(form, error)
        else:
            messages.success(request, "Organisation updated")
            return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request,
        "organisations/form.jinja",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def organisation_deactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    require(request.user, "organisations.deactivate", organisation)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        disabled = services.organisation_deactivate(organisation=organisation, by=request.user, request=request)
        accounts = "account" if disabled == 1 else "accounts"
        messages.success(request, f"Organisation deactivated. {disabled} agency referrer {accounts} disabled.")
        return redirect("organisations:detail", pk=organisation.pk)
    return render(
        request,
        "organisations/deactivate.jinja",
        {"form": form, "organisation": organisation, "active_referrers": queries.active_referrers_count(organisation)},
    )


@never_cache
@require_http_methods(GET_POST)
def organisation_reactivate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation(request, pk)
    require(request.user, "organisations.reactivate", organisation)
    form = ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.organisation_reactivate(organisation=organisation, by=request.user, request=request)
        messages.success(
            request, "Organisation reactivated. Re-enable its agency referrers one by one if they still need access."
        )
        return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/reactivate.jinja", {"form": form, "organisation": organisation})
