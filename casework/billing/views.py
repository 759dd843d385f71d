"""Billing pages for finance staff, under /billing/: contracts, the tariff, quotes, and a finance
page for a referral (its reference, organisations, requested services and quotes; never its
subject or anything clinical).

Who may use each page is a permission (``billing.rules``): 403 for a role without it; a record the
user may not see is 404. Each page parses a form, calls a service or a query, and renders.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.audit.models import Action
from casework.audit.services import record
from casework.billing import queries
from casework.billing.choices import QUOTE_TAG_COLOURS
from casework.billing.forms import (
    ContractFilterForm,
    ContractForm,
    QuoteFilterForm,
    QuoteForm,
    QuoteLineForm,
    TariffForm,
    WithdrawForm,
)
from casework.billing.services import contracts as contract_services
from casework.billing.services import quotes as quote_services
from casework.billing.views_common import GET_POST, act, form_page, posted
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused

# The prices a contract page lists before linking to the tariff filtered by the contract.
CONTRACT_PRICES_SHOWN = 20


# --- Contracts ------------------------------------------------------------------------------------


def contract_url(contract) -> str:
    return reverse("billing:contract", args=[contract.pk])


def _contract(request: HttpRequest, pk: int):
    require(request.user, "billing.view_contracts")
    contract = queries.contract_for_page(request.user, pk)
    if contract is None:
        raise Http404("No such contract")
    return contract


@require_GET
def contract_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_contracts")
    form = ContractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    queryset = queries.contracts_filtered(
        queries.contracts_visible_to(request.user),
        search=filters.get("q", ""),
        current_on=timezone.localdate() if filters.get("current") else None,
    )
    page = paginate(request, queryset)
    return render(
        request,
        "billing/contract_list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "may_manage": request.user.has_perm("billing.manage_contracts"),
        },
    )


@require_GET
def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    page = paginate(request, queries.quotes_for_list(request.user).filter(contract=contract))
    prices = list(queries.tariffs_for_list(request.user, contract=contract)[: CONTRACT_PRICES_SHOWN + 1])
    return render(
        request,
        "billing/contract_detail.jinja",
        {
            "contract": contract,
            "prices": prices[:CONTRACT_PRICES_SHOWN],
            "more_prices": len(prices) > CONTRACT_PRICES_SHOWN,
            "today": timezone.localdate(),
            "page": page,
            "links": page_links(request, page),
            "tag_colours": QUOTE_TAG_COLOURS,
            "may_manage": request.user.has_perm("billing.manage_contracts"),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def contract_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.manage_contracts")
    form = ContractForm(posted(request), organisations=queries.commissioners_for_form(request.user))
    return form_page(
        request,
        form,
        save=lambda values: contract_services.contract_create(by=request.user, values=values, request=request),
        success=lambda contract: (f"Contract {contract.reference} added", contract_url(contract)),
        title="Add a contract",
        back=reverse("billing:contracts"),
        submit_text="Add the contract",
    )


@never_cache
@require_http_methods(GET_POST)
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    require(request.user, "billing.manage_contracts")
    form = ContractForm(
        posted(request),
        initial=ContractForm.initial_from(contract),
        organisations=queries.commissioners_for_form(request.user, contract),
    )
    return form_page(
        request,
        form,
        save=lambda values: contract_services.contract_update(
            contract=contract, by=request.user, values=values, request=request
        ),
        success=lambda _: ("Contract updated", contract_url(contract)),
        title="Change the contract",
        caption=contract.reference,
        back=contract_url(contract),
        submit_text="Save changes",
    )


# --- The tariff -----------------------------------------------------------------------------------


@require_GET
def tariff_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_contracts")
    contract_pk = request.GET.get("contract", "")
    contract = queries.contract_for_page(request.user, int(contract_pk)) if contract_pk.isdigit() else None
    page = paginate(request, queries.tariffs_for_list(request.user, contract=contract))
    return render(
        request,
        "billing/tariff_list.jinja",
        {
            "page": page,
            "contract": contract,
            "links": page_links(request, page),
            "today": timezone.localdate(),
            "may_manage": request.user.has_perm("billing.manage_contracts"),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def tariff_create(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.manage_contracts")
    form = TariffForm(
        posted(request),
        initial={"contract": request.GET.get("contract")} if request.GET.get("contract", "").isdigit() else None,
        contracts=queries.contracts_for_prices(request.user),
    )
    return form_page(
        request,
        form,
        save=lambda values: contract_services.tariff_create(by=request.user, values=values, request=request),
        success=lambda _: ("Price added to the tariff", reverse("billing:tariffs")),
        title="Add a price",
        intro="A new price for a service replaces its current open-ended price (the clinic's, or the same "
        "contract's) from the date it takes effect. Quotes already made keep the prices they were made with.",
        back=reverse("billing:tariffs"),
        submit_text="Add the price",
    )


@never_cache
@require_http_methods(GET_POST)
def tariff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "billing.manage_contracts")
    tariff = queries.tariff_for_page(request.user, pk)
    if tariff is None:
        raise Http404("No such price")
    form = TariffForm(
        posted(request),
        initial=TariffForm.initial_from(tariff),
        contracts=queries.contracts_for_prices(request.user, tariff),
    )
    return form_page(
        request,
        form,
        save=lambda values: contract_services.tariff_update(
            tariff=tariff, by=request.user, values=values, request=request
        ),
        success=lambda _: ("Price updated", reverse("billing:tariffs")),
        title="Correct a price",
        intro="Quotes already made keep the prices they were made with.",
        back=reverse("billing:tariffs"),
        submit_text="Save changes",
    )


# --- Referrals, as finance sees them --------------------------------------------------------------


@require_GET
def referral_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_quotes")
    search = (request.GET.get("q") or "").strip()[:30]
    page = paginate(request, queries.referrals_to_quote(request.user, search=search))
    return render(
        request, "billing/referral_list.jinja", {"page": page, "links": page_links(request, page), "search": search}
    )


def _referral(request: HttpRequest, reference: str):
    require(request.user, "billing.view_quotes")
    referral = queries.referral_for_finance(request.user, reference)
    if referral is None:
        raise Http404("No such referral")
    return referral


@require_GET
def referral_detail(request: HttpRequest, reference: str) -> HttpResponse:
    referral = _referral(request, reference)
    record(
        action=Action.VIEW,
        request=request,
        object_type="referrals.referral",
        object_id=referral.pk,
        object_label=f"{referral.reference}: billing",
    )
    quotes = list(queries.quotes_of_referral(request.user, referral.pk)[:50])
    return render(
        request,
        "billing/referral_detail.jinja",
        {
            "referral": referral,
            "quotes": quotes,
            "tag_colours": QUOTE_TAG_COLOURS,
            "may_quote": request.user.has_perm("billing.create_quote")
            and referral.status in queries.QUOTABLE_REFERRAL_STATUSES
            and not queries.live_quote_exists(referral.pk),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def quote_create(request: HttpRequest, reference: str) -> HttpResponse:
    shown = _referral(request, reference)
    require(request.user, "billing.create_quote")
    referral = queries.referral_for_quote(request.user, reference)
    if referral is None:
        raise Http404("No such referral")
    today = timezone.localdate()
    form = QuoteForm(posted(request), contracts=queries.contracts_for_quote(request.user, shown.commissioner_id, today))
    return form_page(
        request,
        form,
        save=lambda values: quote_services.quote_create(
            referral=referral, contract=values["contract"], by=request.user, request=request
        ),
        success=lambda quote: (f"Quote {quote.reference} started. Add the services it covers.", quote_url(quote)),
        title="Start a quote",
        caption=shown.reference,
        intro=f"For {shown.commissioner or shown.referring_organisation}. Prices are taken from the tariff in force "
        "today and do not change afterwards.",
        back=reverse("billing:referral", args=[shown.reference]),
        submit_text="Start the quote",
    )


# --- Quotes ---------------------------------------------------------------------------------------


@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_quotes")
    form = QuoteFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(
        request, queries.quotes_for_list(request.user, status=filters.get("status", ""), search=filters.get("q", ""))
    )
    return render(
        request,
        "billing/quote_list.jinja",
        {"form": form, "page": page, "links": page_links(request, page), "tag_colours": QUOTE_TAG_COLOURS},
    )


def _quote(request: HttpRequest, pk: int):
    require(request.user, "billing.view_quotes")
    quote = queries.quote_for_page(request.user, pk)
    if quote is None:
        raise Http404("No such quote")
    return quote


def quote_url(quote) -> str:
    return reverse("billing:quote", args=[quote.pk])


@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    return render(
        request,
        "billing/quote_detail.jinja",
        {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "tag_colours": QUOTE_TAG_COLOURS,
            "may_edit": request.user.has_perm("billing.edit_quote", quote),
            "may_send": request.user.has_perm("billing.send_quote", quote),
            "may_withdraw": request.user.has_perm("billing.withdraw_quote", quote),
            "line_form": QuoteLineForm(),
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def quote_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    require(request.user, "billing.edit_quote", quote)
    form = QuoteLineForm(posted(request), initial={"quantity": 1})
    return form_page(
        request,
        form,
        save=lambda values: quote_services.quote_line_add(quote=quote, by=request.user, request=request, **values),
        success=lambda _: ("Service added to the quote", quote_url(quote)),
        title="Add a service to the quote",
        caption=quote.reference,
        intro=f"Priced from the tariff in force on {quote.quoted_on:%-d %B %Y}.",
        back=quote_url(quote),
        submit_text="Add the service",
    )


@require_POST
def quote_line_remove(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    quote = _quote(request, pk)
    require(request.user, "billing.edit_quote", quote)
    act(
        request,
        lambda: quote_services.quote_line_remove(quote=quote, line_id=line_id, by=request.user, request=request),
        "Service removed from the quote",
    )
    return redirect(quote_url(quote))


@never_cache
@require_http_methods(GET_POST)
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    require(request.user, "billing.send_quote", quote)
    problem = ""
    if request.method == "POST":
        try:
            quote_services.quote_send(quote=quote, by=request.user, request=request)
        except Refused as refused:
            problem = refused.message
        else:
            messages.success(request, f"Quote {quote.reference} sent to {quote.contract.organisation.name}")
            return redirect(quote_url(quote))
    return render(
        request,
        "billing/quote_send.jinja",
        {"quote": quote, "problem": problem},
        status=400 if problem else 200,
    )


@never_cache
@require_http_methods(GET_POST)
def quote_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    require(request.user, "billing.withdraw_quote", quote)
    form = WithdrawForm(posted(request))
    return form_page(
        request,
        form,
        save=lambda values: quote_services.quote_withdraw(
            quote=quote, by=request.user, reason=values["reason"], request=request
        ),
        success=lambda _: (f"Quote {quote.reference} withdrawn", quote_url(quote)),
        title="Withdraw the quote",
        caption=quote.reference,
        intro="A withdrawn quote cannot be accepted. The referral can then be quoted for again.",
        back=quote_url(quote),
        submit_text="Withdraw the quote",
    )
