"""The invoicing pages, end to end: finance reviews events, makes and issues an invoice, takes a
payment and credits; the aged-debt report and the ledger export; the commissioner's portal
(invoices, PDF, statement; another organisation gets 404). No page, PDF or export shows the
subject's name or anything clinical."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from casework.billing.choices import BillableService, EventStatus, InvoiceStatus
from casework.billing.models import BillableEvent, Invoice
from casework.billing.services import invoices
from casework.billing.tests import helpers
from casework.billing.tests.invoice_helpers import approved_events, billed_case, past_appointment
from casework.treatment.services import diary

pytestmark = pytest.mark.django_db


def _canaries(case) -> list[str]:
    return [case.subject.family_name, case.subject.given_name, helpers.CLINICAL_CANARY]


def _clean(body: str, case) -> None:
    for canary in _canaries(case):
        assert canary not in body, canary


def test_finance_reviews_an_event_and_invoices_it_through_the_pages(cast, client_for):
    case = billed_case(cast)
    agreement = helpers.contract(cast.finance, cast.organisation, purchase_order="PO-99")
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "150.00")
    appointment = past_appointment(cast, case)
    diary.attendance_record(appointment=appointment, attendance="attended", by=cast.clinician)
    event = BillableEvent.objects.get()
    finance = client_for(cast.finance)
    listing = finance.get(reverse("billing:events")).content.decode()
    assert "Treatment session" in listing and "£150.00" in listing
    _clean(listing, case)
    detail = finance.get(reverse("billing:event", args=[event.pk])).content.decode()
    assert case.reference in detail
    _clean(detail, case)
    assert finance.post(reverse("billing:event_approve", args=[event.pk])).status_code == 302
    event.refresh_from_db()
    assert event.status == EventStatus.APPROVED
    form = finance.get(reverse("billing:invoice_create", args=[agreement.pk])).content.decode()
    _clean(form, case)
    response = finance.post(reverse("billing:invoice_create", args=[agreement.pk]), {"events": [str(event.pk)]})
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and invoice.status == InvoiceStatus.DRAFT
    assert finance.post(reverse("billing:invoice_issue", args=[invoice.pk])).status_code == 302
    invoice.refresh_from_db()
    assert invoice.number.startswith("INV-") and invoice.purchase_order == "PO-99"
    page = finance.get(reverse("billing:invoice", args=[invoice.pk])).content.decode()
    assert invoice.number in page and "£150.00" in page
    _clean(page, case)
    pdf = finance.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    refused = finance.post(
        reverse("billing:payment_create", args=[invoice.pk]),
        {"amount": "200.00", "reference": "BACS 77", **_date("received_on", timezone.localdate())},
    )
    assert refused.status_code == 400 and "still owed" in refused.content.decode()
    assert "BACS 77" in refused.content.decode()
    paid = finance.post(
        reverse("billing:payment_create", args=[invoice.pk]),
        {"amount": "100.00", "reference": "BACS 77", **_date("received_on", timezone.localdate())},
    )
    assert paid.status_code == 302
    credited = finance.post(
        reverse("billing:credit_note_create", args=[invoice.pk]), {"amount": "50.00", "reason": "Goodwill"}
    )
    assert credited.status_code == 302
    invoice.refresh_from_db()
    assert invoice.balance == Decimal("0.00")


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _issued(cast, organisation=None, *, days_ago=0, price="500.00", portal=True):
    organisation = organisation or cast.organisation
    from casework.billing.models import Contract

    agreement = helpers.contract(cast.finance, organisation, reference=f"C-{Contract.objects.count() + 1}")
    made = approved_events(cast, agreement, count=1, price=price)
    invoice = invoices.invoice_create(contract=agreement, event_ids=[made[0].pk], by=cast.finance)
    invoice = invoices.invoice_issue(
        invoice=invoice, by=cast.finance, issued_on=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    if portal:
        invoice = invoices.invoice_publish(invoice=invoice, by=cast.finance)
    return invoice, made[0].case


def test_aged_debt_buckets_what_is_owed_by_days_overdue(cast, client_for):
    _issued(cast, days_ago=5)  # due in 25 days: current
    _issued(cast, days_ago=45, price="300.00")  # 15 days overdue
    _issued(cast, days_ago=150, price="200.00")  # 120 days overdue
    page = client_for(cast.finance).get(reverse("billing:aged_debt")).content.decode()
    assert cast.organisation.name in page
    assert "£500.00" in page and "£300.00" in page and "£200.00" in page and "£1,000.00" in page


def test_the_ledger_exports_one_row_per_line_and_credit_note_as_csv_and_xlsx(cast, client_for):
    invoice, case = _issued(cast)
    invoices.credit_note_create(invoice=invoice, amount="100.00", reason="Error", by=cast.finance)
    finance = client_for(cast.finance)
    body = finance.get(reverse("billing:ledger_csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:3] == ["Date", "Document", "Number"]
    assert [row[1] for row in rows[1:]] == ["Invoice", "Credit note"]
    assert rows[1][2] == invoice.number and rows[1][6] == "treatment_session" and rows[1][10] == "500.00"
    assert rows[2][10] == "-100.00"
    _clean(body, case)
    book = load_workbook(io.BytesIO(finance.get(reverse("billing:ledger_xlsx")).content))
    sheet = book.active
    assert sheet.max_row == 3 and sheet.cell(row=2, column=3).value == invoice.number


def test_the_portal_shows_the_organisations_issued_invoices_and_statement_only(cast, client_for):
    invoice, case = _issued(cast)
    invoices.payment_record(invoice=invoice, amount="200.00", received_on=timezone.localdate(), by=cast.finance)
    hidden, _ = _issued(cast, portal=False)
    theirs, _ = _issued(cast, cast.agency_other.organisation)
    agency = client_for(cast.agency)
    listing = agency.get(reverse("portal:invoices")).content.decode()
    assert invoice.number in listing and hidden.number not in listing and theirs.number not in listing
    _clean(listing, case)
    pdf = agency.get(reverse("portal:invoice_pdf", args=[invoice.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert agency.get(reverse("portal:invoice_pdf", args=[theirs.pk])).status_code == 404
    assert agency.get(reverse("portal:invoice_pdf", args=[hidden.pk])).status_code == 404
    assert client_for(cast.agency_other).get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 404
    statement = agency.get(reverse("portal:statement")).content.decode()
    assert "£300.00" in statement and invoice.number in statement and theirs.number not in statement


def test_an_invoice_for_work_across_an_information_barrier_is_not_shown_to_the_stalkers_referrer(cast, client_for):
    """An invoice with a line for Vera's referral, which sits across a barrier from Stan's (sent by
    the agency user): neither its number, its PDF nor its line on the statement reach that user; a
    colleague who sent nothing about Stan sees it."""
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    _, vera_case = helpers.referral_across_a_barrier(cast)
    agreement = helpers.contract(cast.finance, cast.organisation, reference="BARRIER")
    made = approved_events(cast, agreement, count=1, case=vera_case)
    invoice = invoices.invoice_create(contract=agreement, event_ids=[made[0].pk], by=cast.finance)
    invoice = invoices.invoice_publish(
        invoice=invoices.invoice_issue(invoice=invoice, by=cast.finance), by=cast.finance
    )
    agency = client_for(cast.agency)
    assert invoice.number not in agency.get(reverse("portal:invoices")).content.decode()
    assert invoice.number not in agency.get(reverse("portal:statement")).content.decode()
    assert agency.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 404
    colleague = client_for(UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation))
    assert invoice.number in colleague.get(reverse("portal:invoices")).content.decode()
    assert colleague.get(reverse("portal:invoice_pdf", args=[invoice.pk])).status_code == 200


def test_my_work_shows_finance_the_events_to_review_and_the_overdue_invoices(cast, client_for):
    overdue, case = _issued(cast, days_ago=45)
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-WORK")
    pending = approved_events(cast, agreement, count=1, price="123.00", case=case)[0]
    BillableEvent.objects.filter(pk=pending.pk).update(status=EventStatus.PENDING)
    page = client_for(cast.finance).get(reverse("core:my_work")).content.decode()
    assert "Billable events to review" in page and "£123.00" in page
    assert "Invoices overdue" in page and overdue.number in page
    _clean(page, case)
