"""Invoices, payments and credit notes (docs/adr/0021).

- An invoice is made (a draft, with no number) from approved billable events of one contract. The
  events are locked (FOR UPDATE) and each must still be approved and on no invoice, so two finance
  officers invoicing the same events at once make one invoice and the other is refused; an
  invoice line's event is unique in the database as well. Deleting a draft frees its events.
- Issuing allocates the number, INV-<financial year>-NNNNN (INV-2627-00001 for April 2026 to March
  2027), from a counter row locked until the transaction ends, so numbers are gap-free: a draft
  never takes one. The PDF is made and kept; the invoice never changes after.
- An issued invoice is sent by email (GOV.UK Notify, as letters are) to the contract's invoicing
  contact, or made available in the commissioner's portal, or both.
- Payments (all or part) never exceed the balance; a credit note (CN-<financial year>-NNNNN,
  gap-free) never exceeds the invoice total less what is already credited.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record, record_change, record_create, snapshot
from casework.billing.choices import EventStatus, InvoiceStatus
from casework.billing.models import (
    MAX_PRICE,
    PAYMENT_REFERENCE_LIMIT,
    REASON_LIMIT,
    BillableEvent,
    Contract,
    CreditNote,
    Invoice,
    InvoiceLine,
    Payment,
    to_pence,
)
from casework.billing.services._shared import BillingRefused
from casework.core.models import ReferenceSequence
from casework.core.permissions import requires

INVOICE_PREFIX = "INV"
CREDIT_NOTE_PREFIX = "CN"
ZERO = Decimal("0.00")


def financial_year(day: dt.date) -> int:
    """The year the financial year containing ``day`` starts in (April to March)."""
    return day.year if day.month >= 4 else day.year - 1


def next_number(prefix: str, day: dt.date) -> str:
    """The next number of ``prefix`` in ``day``'s financial year, e.g. INV-2627-00001. Gap-free: the
    counter row stays locked until the caller's transaction ends, and a rollback returns the number."""
    year = financial_year(day)
    with transaction.atomic():
        ReferenceSequence.objects.get_or_create(prefix=prefix, year=year)
        sequence = ReferenceSequence.objects.select_for_update().get(prefix=prefix, year=year)
        sequence.last_number += 1
        sequence.save(update_fields=["last_number"])
    return f"{prefix}-{year % 100:02d}{(year + 1) % 100:02d}-{sequence.last_number:05d}"


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _locked(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("contract", "organisation").get(pk=invoice.pk)


def _recount(invoice: Invoice) -> None:
    lines = list(invoice.lines.all())
    invoice.net_total = sum((line.net_amount for line in lines), ZERO)
    invoice.vat_total = sum((line.vat_amount for line in lines), ZERO)
    invoice.total = invoice.net_total + invoice.vat_total


def _purchase_order(contract: Contract, events: list[BillableEvent]) -> str:
    """The commissioner's purchase order: the one their accepted quotes carry when all agree, else
    the contract's."""
    orders = {event.quote.purchase_order for event in events if event.quote is not None and event.quote.purchase_order}
    return orders.pop() if len(orders) == 1 else contract.purchase_order


@requires("billing.create_invoice")
def invoice_create(*, contract: Contract, event_ids: list[int], by, request: HttpRequest | None = None) -> Invoice:
    """A draft invoice under ``contract`` from approved events of that contract not yet invoiced."""
    event_ids = sorted({int(pk) for pk in event_ids or []})
    if not event_ids:
        raise BillingRefused("Select at least one approved event to invoice", "events")
    with transaction.atomic():
        # Locked in a fixed order, so two officers invoicing overlapping events queue, never deadlock.
        events = list(
            BillableEvent.objects.select_for_update(of=("self",))
            .select_related("quote", "referral")
            .filter(pk__in=event_ids)
            .order_by("pk")
        )
        if len(events) != len(event_ids):
            raise BillingRefused("One of the events no longer exists", "events")
        for event in events:
            if event.contract_id != contract.pk:
                raise BillingRefused(f"Event {event.pk} is not under contract {contract.reference}", "events")
            if event.status == EventStatus.INVOICED:
                raise BillingRefused(f"Event {event.pk} is already on an invoice", "events")
            if event.status != EventStatus.APPROVED:
                raise BillingRefused(f"Event {event.pk} is not approved for invoicing", "events")
        invoice = Invoice.objects.create(
            contract=contract,
            organisation_id=contract.organisation_id,
            purchase_order=_purchase_order(contract, events),
            created_by=by,
        )
        for event in events:
            InvoiceLine.objects.create(
                invoice=invoice,
                event=event,
                service=event.service,
                occurred_on=event.occurred_on,
                reference=event.referral.reference if event.referral is not None else "",
                unit_price=event.unit_price,
                vat_treatment=event.vat_treatment,
                vat_rate=event.vat_rate,
                net_amount=event.net_amount,
                vat_amount=event.vat_amount,
            )
        BillableEvent.objects.filter(pk__in=event_ids).update(status=EventStatus.INVOICED)
        _recount(invoice)
        invoice.save()
        record_create(request=request, actor=by, obj=invoice, fields=Invoice.AUDITED_FIELDS)
    return invoice


@requires("billing.edit_invoice", obj="invoice")
def invoice_delete(*, invoice: Invoice, by, request: HttpRequest | None = None) -> None:
    """Delete a draft invoice (it has no number), freeing its events to be invoiced again."""
    with transaction.atomic():
        current = _locked(invoice)
        if current.status != InvoiceStatus.DRAFT:
            raise BillingRefused("Only a draft invoice can be deleted: correct an issued one with a credit note")
        event_ids = list(current.lines.values_list("event_id", flat=True))
        record(action=Action.DELETE, actor=by, request=request, obj=current)
        current.delete()
        BillableEvent.objects.filter(pk__in=event_ids).update(status=EventStatus.APPROVED)


@requires("billing.issue_invoice", obj="invoice")
def invoice_issue(
    *, invoice: Invoice, by, issued_on: dt.date | None = None, request: HttpRequest | None = None
) -> Invoice:
    """Issue a draft: its number, date and due date (the contract's days to pay), and its PDF."""
    from casework.billing import documents

    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        current = _locked(invoice)
        if current.status != InvoiceStatus.DRAFT:
            raise BillingRefused("This invoice is already issued")
        lines = list(current.lines.order_by("occurred_on", "id"))
        if not lines:
            raise BillingRefused("An invoice needs at least one line")
        before = snapshot(current, Invoice.AUDITED_FIELDS)
        current.number = next_number(INVOICE_PREFIX, issued_on)
        current.status = InvoiceStatus.ISSUED
        current.issued_on = issued_on
        current.due_on = issued_on + dt.timedelta(days=current.contract.payment_days)
        current.issued_at, current.issued_by = timezone.now(), by
        pdf = documents.render_invoice_pdf(current, lines)
        current.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
        current.pdf.save(f"{current.number}.pdf", ContentFile(pdf), save=False)
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Invoice.AUDITED_FIELDS)
    return current


def invoice_pdf(invoice: Invoice) -> bytes:
    """The issued invoice's PDF, as kept when it was issued."""
    with invoice.pdf.open("rb") as handle:
        return handle.read()


@requires("billing.send_invoice", obj="invoice")
def invoice_send(*, invoice: Invoice, by, request: HttpRequest | None = None) -> Invoice:
    """Email the issued invoice's PDF to the contract's invoicing contact through GOV.UK Notify (the
    path letters take; the stand-in outside production). The email names only the invoice number."""
    from notifications_python_client.utils import prepare_upload

    from casework.referrals import notify

    current = Invoice.objects.select_related("contract").get(pk=invoice.pk)
    address = current.contract.invoicing_contact_email
    if not address:
        raise BillingRefused(
            f"Contract {current.contract.reference} has no invoicing contact's email address: add it, or make "
            "the invoice available in the portal"
        )
    reference = f"invoice-{current.pk}"
    found = notify.already_sent(reference)
    if found is not None:
        notify_id = found["id"]
    else:
        answer = notify.client().send_email_notification(
            email_address=address,
            template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
            personalisation={
                "reference": current.number,
                "link_to_file": prepare_upload(
                    io.BytesIO(invoice_pdf(current)),
                    filename=f"{current.number}.pdf",
                    confirm_email_before_download=True,
                ),
            },
            reference=reference,
        )
        notify_id = answer["id"]
    with transaction.atomic():
        locked = _locked(current)
        before = snapshot(locked, Invoice.AUDITED_FIELDS)
        locked.sent_to, locked.sent_at, locked.notify_id = address, timezone.now(), notify_id
        locked.save()
        record_change(request=request, actor=by, obj=locked, before=before, fields=Invoice.AUDITED_FIELDS)
    return locked


@requires("billing.send_invoice", obj="invoice")
def invoice_publish(*, invoice: Invoice, by, request: HttpRequest | None = None) -> Invoice:
    """Make the issued invoice available to the commissioner in the portal."""
    with transaction.atomic():
        current = _locked(invoice)
        if current.status != InvoiceStatus.ISSUED:
            raise BillingRefused("Only an issued invoice can be made available")
        before = snapshot(current, Invoice.AUDITED_FIELDS)
        current.in_portal = True
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Invoice.AUDITED_FIELDS)
    return current


def _amount(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise BillingRefused("Enter an amount in pounds and pence, like 250.00", field) from None
    if amount != amount.quantize(Decimal("0.01")):
        raise BillingRefused("The amount can have at most two decimal places", field)
    if amount <= 0 or amount > MAX_PRICE:
        raise BillingRefused("The amount must be more than £0", field)
    return amount.quantize(Decimal("0.01"))


@requires("billing.record_payment", obj="invoice")
def payment_record(
    *,
    invoice: Invoice,
    amount,
    received_on: dt.date | None,
    reference: str = "",
    by,
    request: HttpRequest | None = None,
) -> Payment:
    """Money received against the invoice: all of its balance or part, never more."""
    amount = _amount(amount, "amount")
    if received_on is None:
        raise BillingRefused("Enter the date the payment was received", "received_on")
    if received_on > timezone.localdate():
        raise BillingRefused("The date received must be today or in the past", "received_on")
    reference = (reference or "").strip()
    if len(reference) > PAYMENT_REFERENCE_LIMIT:
        raise BillingRefused(f"The reference must be {PAYMENT_REFERENCE_LIMIT} characters or fewer", "reference")
    with transaction.atomic():
        current = _locked(invoice)
        if current.status != InvoiceStatus.ISSUED:
            raise BillingRefused("Payments are recorded against issued invoices only")
        if current.issued_on is not None and received_on < current.issued_on:
            raise BillingRefused("The date received must be on or after the invoice date", "received_on")
        if amount > current.balance:
            raise BillingRefused(
                f"The payment is more than the {_pounds(current.balance)} still owed on {current.number}", "amount"
            )
        payment = Payment.objects.create(
            invoice=current, amount=amount, received_on=received_on, remittance=reference, recorded_by=by
        )
        before = snapshot(current, Invoice.AUDITED_FIELDS)
        current.amount_paid += amount
        current.save()
        record_create(request=request, actor=by, obj=payment, fields=Payment.AUDITED_FIELDS)
        record_change(request=request, actor=by, obj=current, before=before, fields=Invoice.AUDITED_FIELDS)
    return payment


@requires("billing.credit_invoice", obj="invoice")
def credit_note_create(
    *,
    invoice: Invoice,
    amount,
    reason: str,
    by,
    issued_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> CreditNote:
    """A credit note against the invoice, saying why: never more than the invoice's total less what is
    already credited (what is outstanding plus what is paid). The VAT is credited in the invoice's
    proportion."""
    amount = _amount(amount, "amount")
    reason = (reason or "").strip()
    if not reason:
        raise BillingRefused("Enter the reason for the credit", "reason")
    if len(reason) > REASON_LIMIT:
        raise BillingRefused(f"The reason must be {REASON_LIMIT} characters or fewer", "reason")
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        current = _locked(invoice)
        if current.status != InvoiceStatus.ISSUED:
            raise BillingRefused("Credit notes are raised against issued invoices only")
        creditable = current.total - current.amount_credited
        if amount > creditable:
            raise BillingRefused(
                f"The credit is more than the {_pounds(creditable)} of {current.number} not yet credited", "amount"
            )
        vat = to_pence(amount * current.vat_total / current.total) if current.total else ZERO
        note = CreditNote.objects.create(
            number=next_number(CREDIT_NOTE_PREFIX, issued_on),
            invoice=current,
            issued_on=issued_on,
            reason=reason,
            net_amount=amount - vat,
            vat_amount=vat,
            amount=amount,
            created_by=by,
        )
        before = snapshot(current, Invoice.AUDITED_FIELDS)
        current.amount_credited += amount
        current.save()
        record_create(request=request, actor=by, obj=note, fields=CreditNote.AUDITED_FIELDS)
        record_change(request=request, actor=by, obj=current, before=before, fields=Invoice.AUDITED_FIELDS)
    return note
