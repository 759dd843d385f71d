"""Finance reports: the aged-debt report (what each commissioner owes, by how long it is overdue)
and the ledger export (CSV and XLSX, one row per invoice line and per credit note), in the shape a
trust's ledger imports. Both read only organisations, references, services, dates and amounts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal

from casework.billing import invoice_queries
from casework.billing.choices import BillableService, InvoiceStatus
from casework.billing.models import CreditNote, InvoiceLine

ZERO = Decimal("0.00")
BUCKETS = ("current", "1_30", "31_60", "61_90", "over_90")
BUCKET_LABELS = {
    "current": "Not yet due",
    "1_30": "1 to 30 days overdue",
    "31_60": "31 to 60 days overdue",
    "61_90": "61 to 90 days overdue",
    "over_90": "More than 90 days overdue",
}
LEDGER_COLUMNS = (
    "Date",
    "Document",
    "Number",
    "Customer",
    "Purchase order",
    "Contract",
    "Service code",
    "Service",
    "Net",
    "VAT",
    "Gross",
    "Due date",
)


def bucket_for(due_on: dt.date, today: dt.date) -> str:
    days = (today - due_on).days
    if days <= 0:
        return "current"
    if days <= 30:
        return "1_30"
    if days <= 60:
        return "31_60"
    if days <= 90:
        return "61_90"
    return "over_90"


@dataclass
class DebtRow:
    organisation: str
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(BUCKETS, ZERO))

    @property
    def total(self) -> Decimal:
        return sum(self.amounts.values(), ZERO)


def aged_debt(user, today: dt.date) -> tuple[list[DebtRow], DebtRow]:
    """Per commissioner, what is owed on issued invoices by days overdue; and the totals."""
    rows: dict[str, DebtRow] = {}
    totals = DebtRow(organisation="Total")
    owing = (
        invoice_queries.invoices_for_list(user, today=today)
        .filter(invoice_queries.OWING, status=InvoiceStatus.ISSUED)
        .select_related(None)
        .select_related("organisation")
        .only("id", "due_on", "total", "amount_paid", "amount_credited", "organisation__name")
    )
    for invoice in owing:
        row = rows.setdefault(invoice.organisation.name, DebtRow(organisation=invoice.organisation.name))
        bucket = bucket_for(invoice.due_on or today, today)
        row.amounts[bucket] += invoice.balance
        totals.amounts[bucket] += invoice.balance
    return sorted(rows.values(), key=lambda r: r.organisation), totals


def ledger_rows(user) -> list[list]:
    """One row per line of an issued invoice and one per credit note, by date."""
    invoices = invoice_queries.invoices_visible_to(user).filter(status=InvoiceStatus.ISSUED)
    rows = []
    for line in (
        InvoiceLine.objects.filter(invoice__in=invoices)
        .select_related("invoice__organisation", "invoice__contract")
        .order_by("invoice__issued_on", "invoice__number", "id")
    ):
        invoice = line.invoice
        rows.append(
            [
                invoice.issued_on,
                "Invoice",
                invoice.number,
                invoice.organisation.name,
                invoice.purchase_order,
                invoice.contract.reference,
                line.service,
                BillableService(line.service).label,
                line.net_amount,
                line.vat_amount,
                line.amount,
                invoice.due_on,
            ]
        )
    for note in (
        CreditNote.objects.filter(invoice__in=invoices)
        .select_related("invoice__organisation", "invoice__contract")
        .order_by("issued_on", "number")
    ):
        invoice = note.invoice
        rows.append(
            [
                note.issued_on,
                "Credit note",
                note.number,
                invoice.organisation.name,
                invoice.purchase_order,
                invoice.contract.reference,
                "credit",
                f"Credit against {invoice.number}",
                -note.net_amount,
                -note.vat_amount,
                -note.amount,
                None,
            ]
        )
    rows.sort(key=lambda row: (row[0], row[1] != "Invoice", row[2]))
    return rows


def _safe(value):
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def ledger_csv(user) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(LEDGER_COLUMNS)
    for row in ledger_rows(user):
        writer.writerow(
            [
                value.isoformat() if isinstance(value, dt.date) else ("" if value is None else _safe(value))
                for value in row
            ]
        )
    return out.getvalue().encode("utf-8-sig")


def ledger_xlsx(user) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Ledger"
    sheet.append(list(LEDGER_COLUMNS))
    for row in ledger_rows(user):
        sheet.append([_safe(v) for v in row])
        for column in (9, 10, 11):
            sheet.cell(row=sheet.max_row, column=column).number_format = "#,##0.00"
        for column in (1, 12):
            sheet.cell(row=sheet.max_row, column=column).number_format = "dd/mm/yyyy"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
