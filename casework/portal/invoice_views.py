"""Invoices in the portal: /portal/invoices/ lists the issued invoices the clinic made available to
the user's organisation (PDF to download), and /portal/statement/ is the organisation's account:
invoices, credit notes and payments with the running balance. Clinic staff get 403 (the portal is
for agencies); another organisation's invoice is 404."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.billing import invoice_queries
from casework.billing.choices import PAYMENT_TAG_COLOURS
from casework.billing.invoice_views import pdf_response
from casework.core.pagination import page_links, paginate


def _require_invoices(request: HttpRequest) -> None:
    if not request.user.has_perm("billing.portal_list_invoices"):
        raise PermissionDenied


@never_cache
@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    _require_invoices(request)
    today = timezone.localdate()
    page = paginate(request, invoice_queries.invoices_for_list(request.user, today=today))
    return render(
        request,
        "portal/invoice_list.jinja",
        {
            "page": page,
            "links": page_links(request, page),
            "tag_colours": PAYMENT_TAG_COLOURS,
            "today": today,
            "organisation": getattr(request.user, "organisation", None),
        },
    )


@never_cache
@require_GET
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    _require_invoices(request)
    invoice = invoice_queries.invoice_for_agency(request.user, pk)
    if invoice is None:
        raise Http404("No such invoice")
    return pdf_response(invoice, request)


@never_cache
@require_GET
def statement(request: HttpRequest) -> HttpResponse:
    _require_invoices(request)
    return render(
        request,
        "portal/statement.jinja",
        {
            "statement": invoice_queries.statement_for(request.user),
            "organisation": getattr(request.user, "organisation", None),
            "today": timezone.localdate(),
        },
    )
