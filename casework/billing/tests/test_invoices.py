"""Invoices from approved events: drafts have no number, issuing allocates a gap-free number per
financial year and keeps a PDF; nothing is billed twice (also with two officers at once, on
PostgreSQL); payments, part-payments, overdue, and credit notes never more than can be credited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from casework.billing.choices import EventStatus, InvoiceStatus, PaymentState
from casework.billing.models import BillableEvent, Contract, Invoice, InvoiceLine
from casework.billing.services import invoices
from casework.billing.services._shared import BillingRefused
from casework.billing.tests import helpers
from casework.billing.tests.invoice_helpers import approved_events

pytestmark = pytest.mark.django_db


def _draft(cast, count=2, price="500.00", agreement=None):
    agreement = agreement or helpers.contract(
        cast.finance, cast.organisation, reference=f"C-{Contract.objects.count() + 1}", purchase_order="PO-CONTRACT"
    )
    made = approved_events(cast, agreement, count=count, price=price)
    return invoices.invoice_create(contract=agreement, event_ids=[e.pk for e in made], by=cast.finance), made


def test_financial_years_run_from_april_to_march():
    assert invoices.financial_year(dt.date(2027, 3, 31)) == 2026
    assert invoices.financial_year(dt.date(2027, 4, 1)) == 2027


def test_a_draft_has_no_number_and_issuing_numbers_it_gap_free_per_financial_year(cast):
    first, events = _draft(cast)
    assert first.status == InvoiceStatus.DRAFT and first.number == ""
    assert first.total == Decimal("1000.00") and first.purchase_order == "PO-CONTRACT"
    assert {e.status for e in BillableEvent.objects.filter(pk__in=[e.pk for e in events])} == {EventStatus.INVOICED}
    abandoned, abandoned_events = _draft(cast)
    invoices.invoice_delete(invoice=abandoned, by=cast.finance)  # a deleted draft takes no number
    assert {e.status for e in BillableEvent.objects.filter(pk__in=[e.pk for e in abandoned_events])} == {
        EventStatus.APPROVED
    }
    second, _ = _draft(cast)
    issued = invoices.invoice_issue(invoice=first, by=cast.finance, issued_on=dt.date(2027, 3, 31))
    assert issued.number == "INV-2627-00001"
    assert issued.due_on == dt.date(2027, 4, 30)
    assert invoices.invoice_pdf(issued).startswith(b"%PDF-")
    assert invoices.invoice_issue(invoice=second, by=cast.finance, issued_on=dt.date(2027, 4, 1)).number == (
        "INV-2728-00001"
    )
    third, _ = _draft(cast)
    assert invoices.invoice_issue(invoice=third, by=cast.finance, issued_on=dt.date(2027, 3, 1)).number == (
        "INV-2627-00002"
    )
    with pytest.raises(PermissionDenied):  # an issued invoice is never changed
        invoices.invoice_delete(invoice=issued, by=cast.finance)


def test_an_event_is_never_invoiced_twice(cast):
    invoice, events = _draft(cast)
    with pytest.raises(BillingRefused, match="already on an invoice"):
        invoices.invoice_create(contract=invoice.contract, event_ids=[events[0].pk], by=cast.finance)
    pending = approved_events(cast, invoice.contract, count=1)[0]
    BillableEvent.objects.filter(pk=pending.pk).update(status=EventStatus.PENDING)
    with pytest.raises(BillingRefused, match="not approved"):
        invoices.invoice_create(contract=invoice.contract, event_ids=[pending.pk], by=cast.finance)
    other = helpers.contract(cast.finance, cast.organisation, reference="OTHER")
    BillableEvent.objects.filter(pk=pending.pk).update(status=EventStatus.APPROVED)
    with pytest.raises(BillingRefused, match="not under contract"):
        invoices.invoice_create(contract=other, event_ids=[pending.pk], by=cast.finance)
    assert InvoiceLine.objects.count() == 2


def test_payments_part_payments_overdue_and_paid(cast):
    invoice, _ = _draft(cast)
    today = timezone.localdate()
    invoice = invoices.invoice_issue(invoice=invoice, by=cast.finance, issued_on=today - dt.timedelta(days=10))
    assert invoice.payment_state() == PaymentState.OUTSTANDING
    invoices.payment_record(invoice=invoice, amount="400.00", received_on=today, reference="BACS 1", by=cast.finance)
    invoice.refresh_from_db()
    assert invoice.payment_state() == PaymentState.PART_PAID and invoice.balance == Decimal("600.00")
    assert invoice.payment_state(today + dt.timedelta(days=30)) == PaymentState.OVERDUE
    with pytest.raises(BillingRefused, match="more than the £600.00 still owed"):
        invoices.payment_record(invoice=invoice, amount="600.01", received_on=today, by=cast.finance)
    with pytest.raises(BillingRefused, match="two decimal places"):
        invoices.payment_record(invoice=invoice, amount="1.001", received_on=today, by=cast.finance)
    invoices.payment_record(invoice=invoice, amount="600.00", received_on=today, by=cast.finance)
    invoice.refresh_from_db()
    assert invoice.payment_state(today + dt.timedelta(days=90)) == PaymentState.PAID


def test_a_credit_note_is_numbered_and_never_more_than_can_be_credited(cast):
    invoice, _ = _draft(cast)
    invoice = invoices.invoice_issue(invoice=invoice, by=cast.finance, issued_on=timezone.localdate())
    invoices.payment_record(invoice=invoice, amount="1000.00", received_on=timezone.localdate(), by=cast.finance)
    with pytest.raises(BillingRefused, match="reason"):
        invoices.credit_note_create(invoice=invoice, amount="100.00", reason="", by=cast.finance)
    note = invoices.credit_note_create(
        invoice=invoice,
        amount="250.00",
        reason="Session charged in error",
        by=cast.finance,
        issued_on=dt.date(2026, 5, 1),
    )
    assert note.number == "CN-2627-00001" and note.net_amount == Decimal("250.00")
    with pytest.raises(BillingRefused, match="£750.00"):
        invoices.credit_note_create(invoice=invoice, amount="750.01", reason="Too much", by=cast.finance)
    invoices.credit_note_create(invoice=invoice, amount="750.00", reason="Cancelled in full", by=cast.finance)
    invoice.refresh_from_db()
    assert invoice.amount_credited == Decimal("1000.00")


def test_only_finance_officers_invoice(cast):
    agreement = helpers.contract(cast.finance, cast.organisation)
    made = approved_events(cast, agreement, count=1)
    for user in (cast.clinician, cast.coordinator, cast.agency):
        with pytest.raises(PermissionDenied):
            invoices.invoice_create(contract=agreement, event_ids=[made[0].pk], by=user)


THREADS = 2


@pytest.mark.django_db(transaction=True)
def test_two_officers_invoicing_the_same_events_at_once_make_one_invoice_on_postgresql(
    cast, audit_log_flushable, monkeypatch
):
    """Each thread has its own connection and invoices the same approved events; the check is slowed
    so that, without the events locked (FOR UPDATE), both would pass it. The database's unique event
    per invoice line stands behind the lock. Records are committed (a transactional test)."""
    if connection.vendor != "postgresql":
        pytest.skip("the race needs PostgreSQL's row locks (SQLite locks the whole database)")
    import threading
    import time

    from django.db import connections

    agreement = helpers.contract(cast.finance, cast.organisation)
    made = approved_events(cast, agreement, count=3)
    ids = [e.pk for e in made]
    real = invoices._purchase_order

    def slow(*args):
        time.sleep(0.3)  # widen the window between checking the events and writing the lines
        return real(*args)

    monkeypatch.setattr(invoices, "_purchase_order", slow)
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def invoice(n: int) -> None:
        try:
            start.wait(timeout=30)
            invoices.invoice_create(contract=agreement, event_ids=ids, by=cast.finance)
            outcomes.append("invoiced")
        except BillingRefused:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=invoice, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(outcomes) == ["invoiced"] + ["refused"] * (THREADS - 1)
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.filter(event_id__in=ids).count() == 3


@pytest.fixture
def notify(settings):
    from casework.referrals.notify_standin import STANDIN_KEY, StandIn

    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


def test_an_issued_invoice_is_emailed_to_the_invoicing_contact_as_a_pdf_naming_only_its_number(cast, notify):
    import base64

    invoice, _ = _draft(cast)
    invoice = invoices.invoice_issue(invoice=invoice, by=cast.finance)
    sent = invoices.invoice_send(invoice=invoice, by=cast.finance)
    assert sent.sent_to == "ap@example.org" and sent.sent_at is not None
    message = notify.notifications[sent.notify_id]
    assert message["email_address"] == "ap@example.org"
    assert message["reference"] == f"invoice-{invoice.pk}"
    assert message["personalisation"]["reference"] == invoice.number
    assert base64.b64decode(message["personalisation"]["link_to_file"]["file"]).startswith(b"%PDF-")
    again = invoices.invoice_send(invoice=invoice, by=cast.finance)  # a retry adopts the one Notify holds
    assert again.notify_id == sent.notify_id and len(notify.notifications) == 1
