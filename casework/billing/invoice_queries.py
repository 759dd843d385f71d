"""Readers for billable events, invoices, payments and credit notes, scoped here (deny by default).

Finance officers see every event and invoice, by permission; what a finance page reads of an event
is its references (the referral's and the case's), its organisation, contract, service, date and
amounts (``EVENT_FIELDS``), never the case's subject or anything clinical. Events are registered
with ``casework.access`` (within their case) for everyone else. A commissioner sees, in the
portal, the issued invoices of their own organisation that were made available there.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from casework.access import barrier
from casework.billing.choices import EventStatus, InvoiceStatus, PaymentState
from casework.billing.models import BillableEvent, Contract, CreditNote, Invoice, InvoiceLine, Payment

EVENT_FIELDS = (
    "id",
    "source_kind",
    "service",
    "occurred_on",
    "price_source",
    "unit_price",
    "vat_treatment",
    "vat_rate",
    "net_amount",
    "vat_amount",
    "status",
    "write_off_reason",
    "raised_at",
    "reviewed_at",
    "case__reference",
    "referral__reference",
    "organisation__name",
    "contract__reference",
    "contract__organisation_id",
    "quote__reference",
    "invoice_line__invoice_id",
)
ZERO = Decimal("0.00")


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


# --- Billable events ------------------------------------------------------------------------------


def events_visible_to(user) -> QuerySet[BillableEvent]:
    if not _active(user) or not user.has_perm("billing.view_events"):
        return BillableEvent.objects.none()
    return BillableEvent.objects.all()


def _events_for_page(queryset: QuerySet[BillableEvent]) -> QuerySet[BillableEvent]:
    return queryset.select_related("case", "referral", "organisation", "contract", "quote", "invoice_line").only(
        *EVENT_FIELDS
    )


def events_for_list(user, *, status: str = "", search: str = "") -> QuerySet[BillableEvent]:
    queryset = events_visible_to(user)
    if status:
        queryset = queryset.filter(status=status)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(
            Q(referral__reference__icontains=search)
            | Q(case__reference__icontains=search)
            | Q(contract__reference__icontains=search)
            | Q(organisation__name__icontains=search)
        )
    return _events_for_page(queryset).order_by("occurred_on", "id")


def event_for_page(user, pk: int) -> BillableEvent | None:
    return _events_for_page(events_visible_to(user)).filter(pk=pk).first()


def events_awaiting_review(user) -> QuerySet[BillableEvent]:
    return events_for_list(user, status=EventStatus.PENDING)


def events_to_invoice(user, contract: Contract) -> QuerySet[BillableEvent]:
    """Approved events of ``contract`` not on an invoice, oldest first."""
    return events_for_list(user, status=EventStatus.APPROVED).filter(contract=contract)


def contracts_with_events_to_invoice(user) -> QuerySet[Contract]:
    if not _active(user) or not user.has_perm("billing.create_invoice"):
        return Contract.objects.none()
    return (
        Contract.objects.filter(events__status=EventStatus.APPROVED)
        .select_related("organisation")
        .distinct()
        .order_by("organisation__name", "reference")
    )


# --- Invoices -------------------------------------------------------------------------------------


def invoices_visible_to(user) -> QuerySet[Invoice]:
    if not _active(user):
        return Invoice.objects.none()
    if user.has_perm("billing.view_invoices"):
        return Invoice.objects.all()
    if user.has_perm("billing.portal_list_invoices") and user.organisation_id:
        queryset = Invoice.objects.filter(
            organisation_id=user.organisation_id, status=InvoiceStatus.ISSUED, in_portal=True
        )
        # Never an invoice with a line for a referral across an information barrier from the user's
        # side (as for quotes, and as the portal hides such a referral itself).
        behind = barrier.referrals_behind_barrier_for(user)
        return queryset.exclude(lines__event__referral_id__in=behind) if behind else queryset
    return Invoice.objects.none()


# Something is still owed on an invoice (its total is more than what is paid and credited).
OWING = Q(total__gt=F("amount_paid") + F("amount_credited"))


def invoices_for_list(user, *, state: str = "", search: str = "", today: dt.date | None = None) -> QuerySet[Invoice]:
    today = today or timezone.localdate()
    queryset = invoices_visible_to(user).select_related("contract", "organisation")
    if state == PaymentState.DRAFT:
        queryset = queryset.filter(status=InvoiceStatus.DRAFT)
    elif state == PaymentState.PAID:
        queryset = queryset.filter(status=InvoiceStatus.ISSUED).exclude(OWING)
    elif state == PaymentState.OVERDUE:
        queryset = queryset.filter(OWING, status=InvoiceStatus.ISSUED, due_on__lt=today)
    elif state == PaymentState.PART_PAID:
        queryset = queryset.filter(OWING, status=InvoiceStatus.ISSUED, due_on__gte=today).filter(
            Q(amount_paid__gt=0) | Q(amount_credited__gt=0)
        )
    elif state == PaymentState.OUTSTANDING:
        queryset = queryset.filter(
            OWING, status=InvoiceStatus.ISSUED, due_on__gte=today, amount_paid=0, amount_credited=0
        )
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(
            Q(number__icontains=search)
            | Q(contract__reference__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(purchase_order__icontains=search)
        )
    return queryset.order_by(F("issued_on").desc(nulls_first=True), "-id")


def invoice_for_page(user, pk: int) -> Invoice | None:
    return (
        invoices_visible_to(user)
        .select_related("contract", "organisation", "created_by", "issued_by")
        .prefetch_related(
            Prefetch("lines", queryset=InvoiceLine.objects.order_by("occurred_on", "id")),
            Prefetch("payments", queryset=Payment.objects.order_by("received_on", "id")),
            Prefetch("credit_notes", queryset=CreditNote.objects.order_by("issued_on", "id")),
        )
        .filter(pk=pk)
        .first()
    )


def invoice_for_agency(user, pk: int) -> Invoice | None:
    """An issued invoice made available to ``user``'s organisation, as the portal and the agency API
    show it (the one rule for both): ``None`` for a draft, another organisation's, one not made
    available, one with a line across an information barrier from the user's side, or one the user
    may not see (``billing.portal_view_invoice``)."""
    invoice = invoice_for_page(user, pk)
    if invoice is None or not user.has_perm("billing.portal_view_invoice", invoice):
        return None
    return invoice


def overdue_invoices(user, today: dt.date) -> QuerySet[Invoice]:
    return invoices_for_list(user, state=PaymentState.OVERDUE, today=today).order_by("due_on", "id")


# --- A commissioner's statement -------------------------------------------------------------------


@dataclass
class StatementEntry:
    day: dt.date
    kind: str
    reference: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    balance: Decimal = ZERO


@dataclass
class Statement:
    entries: list[StatementEntry] = field(default_factory=list)
    balance: Decimal = ZERO


def statement_for(user) -> Statement:
    """The user's organisation's account with the clinic: the invoices made available to it, the
    credit notes and payments against them, in date order, with the running balance."""
    invoices = list(invoices_visible_to(user).filter(status=InvoiceStatus.ISSUED).order_by("issued_on", "id"))
    ids = [invoice.pk for invoice in invoices]
    numbers = {invoice.pk: invoice.number for invoice in invoices}
    entries = [StatementEntry(i.issued_on or dt.date.min, "Invoice", i.number, debit=i.total) for i in invoices]
    entries += [
        StatementEntry(n.issued_on, "Credit note", f"{n.number} (against {numbers[n.invoice_id]})", credit=n.amount)
        for n in CreditNote.objects.filter(invoice_id__in=ids)
    ]
    entries += [
        StatementEntry(
            p.received_on, "Payment", f"{p.remittance or 'Payment'} (against {numbers[p.invoice_id]})", credit=p.amount
        )
        for p in Payment.objects.filter(invoice_id__in=ids)
    ]
    order = {"Invoice": 0, "Credit note": 1, "Payment": 2}
    entries.sort(key=lambda e: (e.day, order[e.kind], e.reference))
    running = ZERO
    for entry in entries:
        running += entry.debit - entry.credit
        entry.balance = running
    return Statement(entries=entries, balance=running)
