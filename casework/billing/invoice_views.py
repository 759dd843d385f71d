"""Finance pages for billable events and invoices, under /billing/: events to review (approve, or
write off with a reason), invoices (make from approved events, issue, send, take payments, credit),
the aged-debt report and the ledger export.

Finance officers only (403 for other roles); a record the user may not see is 404. Pages show
organisations, references, services, dates and amounts: never a name, never clinical content.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.audit.models import Action
from casework.audit.services import record
from casework.billing import invoice_queries, ledger, queries
from casework.billing.choices import EVENT_TAG_COLOURS, PAYMENT_TAG_COLOURS, EventStatus
from casework.billing.invoice_forms import (
    CreditNoteForm,
    EventFilterForm,
    InvoiceEventsForm,
    InvoiceFilterForm,
    PaymentForm,
    WriteOffForm,
)
from casework.billing.services import events as event_services
from casework.billing.services import invoices as invoice_services
from casework.billing.views_common import GET_POST, act, form_page, posted
from casework.core.formatting import date_gb
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require


def event_url(event) -> str:
    return reverse("billing:event", args=[event.pk])


def invoice_url(invoice) -> str:
    return reverse("billing:invoice", args=[invoice.pk])


# --- Billable events ------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_events")
    form = EventFilterForm(request.GET or None, initial={"status": EventStatus.PENDING})
    filters = form.cleaned_data if form.is_valid() else {"status": EventStatus.PENDING}
    queryset = invoice_queries.events_for_list(
        request.user, status=filters.get("status", ""), search=filters.get("q", "")
    )
    page = paginate(request, queryset)
    return render(
        request,
        "billing/event_list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "tag_colours": EVENT_TAG_COLOURS,
            "contracts": list(invoice_queries.contracts_with_events_to_invoice(request.user)[:50]),
        },
    )


def _event(request: HttpRequest, pk: int):
    require(request.user, "billing.view_events")
    event = invoice_queries.event_for_page(request.user, pk)
    if event is None:
        raise Http404("No such event")
    return event


@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    return render(
        request,
        "billing/event_detail.jinja",
        {
            "event": event,
            "tag_colours": EVENT_TAG_COLOURS,
            "may_review": request.user.has_perm("billing.review_event", event),
        },
    )


@require_POST
def event_approve(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    require(request.user, "billing.review_event", event)
    act(
        request,
        lambda: event_services.event_approve(event=event, by=request.user, request=request),
        "Event approved for invoicing",
    )
    return redirect(event_url(event))


@require_POST
def event_reprice(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    require(request.user, "billing.review_event", event)
    act(
        request,
        lambda: event_services.event_reprice(event=event, by=request.user, request=request),
        "Contract and price looked up again",
    )
    return redirect(event_url(event))


@never_cache
@require_http_methods(GET_POST)
def event_write_off(request: HttpRequest, pk: int) -> HttpResponse:
    event = _event(request, pk)
    require(request.user, "billing.review_event", event)
    form = WriteOffForm(posted(request))
    return form_page(
        request,
        form,
        save=lambda values: event_services.event_write_off(
            event=event, by=request.user, reason=values["reason"], request=request
        ),
        success=lambda _: ("Event written off", event_url(event)),
        title="Write the event off",
        caption=f"{event.get_service_display()} on {date_gb(event.occurred_on)}",
        intro="A written-off event is never invoiced. Say why, for the audit trail.",
        back=event_url(event),
        submit_text="Write it off",
    )


# --- Invoices -------------------------------------------------------------------------------------


@require_GET
def invoice_list(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_invoices")
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    today = timezone.localdate()
    page = paginate(
        request,
        invoice_queries.invoices_for_list(
            request.user, state=filters.get("state", ""), search=filters.get("q", ""), today=today
        ),
    )
    return render(
        request,
        "billing/invoice_list.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "tag_colours": PAYMENT_TAG_COLOURS,
            "today": today,
        },
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def invoice_create(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "billing.create_invoice")
    contract = queries.contract_for_page(request.user, pk)
    if contract is None:
        raise Http404("No such contract")
    events = list(invoice_queries.events_to_invoice(request.user, contract)[:200])
    choices = [
        (
            str(event.pk),
            f"{date_gb(event.occurred_on)}: {event.get_service_display()}, "
            f"referral {event.referral.reference if event.referral is not None else 'none'}, £{event.amount:,.2f}",
        )
        for event in events
    ]
    form = InvoiceEventsForm(posted(request), choices=choices, initial={"events": [c[0] for c in choices]})
    return form_page(
        request,
        form,
        save=lambda values: invoice_services.invoice_create(
            contract=contract, event_ids=values["events"], by=request.user, request=request
        ),
        success=lambda invoice: (
            "Draft invoice made. Check it, then issue it to give it its number.",
            invoice_url(invoice),
        ),
        title="Make an invoice",
        caption=f"{contract.reference}, {contract.organisation.name}",
        intro="The invoice is a draft, without a number, until it is issued."
        if choices
        else "This contract has no approved events waiting to be invoiced.",
        back=reverse("billing:contract", args=[contract.pk]),
        submit_text="Make the draft invoice",
    )


def _invoice(request: HttpRequest, pk: int):
    require(request.user, "billing.view_invoices")
    invoice = invoice_queries.invoice_for_page(request.user, pk)
    if invoice is None:
        raise Http404("No such invoice")
    return invoice


@require_GET
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    user = request.user
    return render(
        request,
        "billing/invoice_detail.jinja",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "payments": list(invoice.payments.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "state": invoice.payment_state(),
            "tag_colours": PAYMENT_TAG_COLOURS,
            "may_edit": user.has_perm("billing.edit_invoice", invoice),
            "may_issue": user.has_perm("billing.issue_invoice", invoice),
            "may_send": user.has_perm("billing.send_invoice", invoice),
            "may_pay": user.has_perm("billing.record_payment", invoice) and invoice.balance > 0,
            "may_credit": user.has_perm("billing.credit_invoice", invoice) and invoice.total > invoice.amount_credited,
        },
    )


def _act(request, invoice, action, success: str) -> bool:
    return act(request, lambda: action(invoice=invoice, by=request.user, request=request), success)


@require_POST
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.issue_invoice", invoice)
    _act(request, invoice, invoice_services.invoice_issue, "Invoice issued")
    return redirect(invoice_url(invoice))


@require_POST
def invoice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.edit_invoice", invoice)
    if _act(
        request, invoice, invoice_services.invoice_delete, "Draft invoice deleted: its events can be invoiced again"
    ):
        return redirect("billing:invoices")
    return redirect(invoice_url(invoice))


@require_POST
def invoice_send(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.send_invoice", invoice)
    _act(request, invoice, invoice_services.invoice_send, "Invoice emailed to the invoicing contact")
    return redirect(invoice_url(invoice))


@require_POST
def invoice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.send_invoice", invoice)
    _act(request, invoice, invoice_services.invoice_publish, "Invoice made available in the commissioner's portal")
    return redirect(invoice_url(invoice))


def pdf_response(invoice, request) -> HttpResponse:
    record(action=Action.EXPORT, request=request, obj=invoice)
    response = HttpResponse(invoice_services.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{invoice.number}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    if not invoice.number:
        raise Http404("A draft invoice has no PDF")
    return pdf_response(invoice, request)


@never_cache
@require_http_methods(GET_POST)
@creates_record
def payment_create(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.record_payment", invoice)
    form = PaymentForm(posted(request), initial={"amount": invoice.balance})
    return form_page(
        request,
        form,
        save=lambda values: invoice_services.payment_record(
            invoice=invoice, by=request.user, request=request, **values
        ),
        success=lambda _: ("Payment recorded", invoice_url(invoice)),
        title="Record a payment",
        caption=invoice.number,
        intro=f"£{invoice.balance:,.2f} is still owed. A part-payment leaves the rest outstanding.",
        back=invoice_url(invoice),
        submit_text="Record the payment",
    )


@never_cache
@require_http_methods(GET_POST)
@creates_record
def credit_note_create(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _invoice(request, pk)
    require(request.user, "billing.credit_invoice", invoice)
    form = CreditNoteForm(posted(request))
    return form_page(
        request,
        form,
        save=lambda values: invoice_services.credit_note_create(
            invoice=invoice, by=request.user, request=request, **values
        ),
        success=lambda note: (f"Credit note {note.number} raised", invoice_url(invoice)),
        title="Raise a credit note",
        caption=invoice.number,
        intro=f"Up to £{invoice.total - invoice.amount_credited:,.2f} can be credited against this invoice.",
        back=invoice_url(invoice),
        submit_text="Raise the credit note",
    )


# --- Reports --------------------------------------------------------------------------------------


@require_GET
def aged_debt(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_debt")
    today = timezone.localdate()
    rows, totals = ledger.aged_debt(request.user, today)
    return render(
        request,
        "billing/aged_debt.jinja",
        {"rows": rows, "totals": totals, "buckets": ledger.BUCKETS, "labels": ledger.BUCKET_LABELS, "today": today},
    )


def _export(request: HttpRequest, body: bytes, content_type: str, extension: str) -> HttpResponse:
    record(action=Action.EXPORT, request=request, object_type="billing.ledger", object_label=f"ledger {extension}")
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="ledger-{timezone.localdate():%Y-%m-%d}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def ledger_csv(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_debt")
    return _export(request, ledger.ledger_csv(request.user), "text/csv; charset=utf-8", "csv")


@require_GET
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    require(request.user, "billing.view_debt")
    return _export(
        request,
        ledger.ledger_xlsx(request.user),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xlsx",
    )
