"""Quotes in the portal: /portal/quotes/ lists the quotes the clinic sent under the user's
organisation's contracts (never another organisation's, never a draft), and the commissioner
accepts one (giving their purchase order number) or rejects it (saying why) while it awaits their
answer. Clinic staff get 403 (the portal is for agencies); another organisation's quote is 404.

The portal shows what the quote says: the referral's reference, the contract, the services, the
amounts. Nothing about the people in the referral is on a quote."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from casework.billing import queries
from casework.billing.choices import QUOTE_TAG_COLOURS, QuoteStatus
from casework.billing.forms import AcceptForm, RejectForm
from casework.billing.services import quotes as quote_services
from casework.core.pagination import page_links, paginate
from casework.core.refusals import Refused, show_refusal


def _require_quotes(request: HttpRequest) -> None:
    if not request.user.has_perm("billing.portal_list_quotes"):
        raise PermissionDenied


def _quote(request: HttpRequest, pk: int):
    _require_quotes(request)
    quote = queries.quote_for_page(request.user, pk)
    if quote is None or not request.user.has_perm("billing.portal_view_quote", quote):
        raise Http404("No such quote")
    return quote


@never_cache
@require_GET
def quote_list(request: HttpRequest) -> HttpResponse:
    _require_quotes(request)
    status = request.GET.get("status", "")
    page = paginate(request, queries.quotes_for_list(request.user, status=status if status in QuoteStatus else ""))
    return render(
        request,
        "portal/quote_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "tag_colours": QUOTE_TAG_COLOURS,
            "organisation": getattr(request.user, "organisation", None),
        },
    )


@never_cache
@require_GET
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = _quote(request, pk)
    return render(
        request,
        "portal/quote_detail.jinja",
        {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "tag_colours": QUOTE_TAG_COLOURS,
            "may_answer": request.user.has_perm("billing.portal_answer_quote", quote),
        },
    )


def _answer(request: HttpRequest, pk: int, form_class, *, title: str, submit_text: str, act) -> HttpResponse:
    quote = _quote(request, pk)
    if not request.user.has_perm("billing.portal_answer_quote", quote):
        messages.info(request, "This quote is no longer awaiting your answer")
        return redirect(reverse("portal:quote", args=[quote.pk]))
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = act(quote, form.cleaned_data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Quote {done.reference} {done.get_status_display().lower()}")
            return redirect(reverse("portal:quote", args=[quote.pk]))
    return render(
        request,
        "portal/quote_answer.jinja",
        {"quote": quote, "form": form, "title": title, "submit_text": submit_text},
        status=400 if form.is_bound and form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        AcceptForm,
        title="Accept the quote",
        submit_text="Accept the quote",
        act=lambda quote, data: quote_services.quote_accept(
            quote=quote, by=request.user, purchase_order=data["purchase_order"], request=request
        ),
    )


@never_cache
@require_http_methods(["GET", "POST"])
def quote_reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _answer(
        request,
        pk,
        RejectForm,
        title="Reject the quote",
        submit_text="Reject the quote",
        act=lambda quote, data: quote_services.quote_reject(
            quote=quote, by=request.user, reason=data["reason"], request=request
        ),
    )
