"""Contracts and charging: the contract agreed with a commissioning organisation, the tariff (the
clinic's price for each service, from a date), and the quote for a referral's work.

Money is ``Decimal`` pounds with two decimal places, never a float (docs/adr/0020). A quote line
copies the tariff's price and VAT treatment when it is added, so a later price change never alters
a quote already made. None of these records holds personal data: a quote names a referral by its
reference and an organisation, services, dates and amounts only, so finance staff can work with
them without seeing anything clinical or anything about a victim.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from casework.billing.choices import BillableService, QuoteStatus, VatTreatment

PENNY = Decimal("0.01")
REFERENCE_LIMIT = 50
PURCHASE_ORDER_LIMIT = 50
TERMS_LIMIT = 5000
CONTACT_NAME_LIMIT = 150
REASON_LIMIT = 1000
MAX_PRICE = Decimal("99999999.99")


def to_pence(value: Decimal) -> Decimal:
    """``value`` rounded to the penny (half up, as a ledger rounds)."""
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def money_field(label: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.00"))], **kwargs
    )


class Contract(models.Model):
    """An agreement with a commissioning organisation under which the clinic quotes and charges."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="contracts",
        verbose_name="Commissioning organisation",
    )
    reference = models.CharField("Contract reference", max_length=REFERENCE_LIMIT, unique=True)
    purchase_order = models.CharField("Purchase order number", max_length=PURCHASE_ORDER_LIMIT, blank=True)
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("End date")
    cap = money_field("Cap", null=True, blank=True)
    terms = models.TextField("Terms", blank=True, max_length=TERMS_LIMIT)
    payment_days = models.PositiveSmallIntegerField("Days to pay an invoice", default=30)
    invoicing_contact_name = models.CharField("Invoicing contact", max_length=CONTACT_NAME_LIMIT, blank=True)
    invoicing_contact_email = models.EmailField("Invoicing contact's email address", max_length=254, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "organisation_id",
        "reference",
        "purchase_order",
        "starts_on",
        "ends_on",
        "cap",
        "terms",
        "payment_days",
        "invoicing_contact_name",
        "invoicing_contact_email",
    )
    EDITED_FIELDS = (
        "organisation",
        "reference",
        "purchase_order",
        "starts_on",
        "ends_on",
        "cap",
        "terms",
        "payment_days",
        "invoicing_contact_name",
        "invoicing_contact_email",
    )

    class Meta:
        ordering = ["-starts_on", "reference", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="contract_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        return f"contract {self.reference}"

    def in_force_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class Tariff(models.Model):
    """A price for one service from ``effective_from`` until ``effective_to`` (inclusive; open-ended
    when empty): the clinic's, or, with ``contract``, the price agreed under that contract, which a
    quote under it prefers (``queries.tariff_in_force``). Periods of one service never overlap
    within the clinic's prices, nor within one contract's."""

    service = models.CharField(max_length=40, choices=BillableService.choices, db_index=True)
    contract = models.ForeignKey(
        Contract,
        on_delete=models.PROTECT,
        related_name="prices",
        null=True,
        blank=True,
        verbose_name="Contract",
        help_text="Empty for the clinic's price; a contract for a price agreed under it",
    )
    price = money_field("Price")
    vat_treatment = models.CharField(
        "VAT treatment", max_length=10, choices=VatTreatment.choices, default=VatTreatment.EXEMPT
    )
    effective_from = models.DateField("Effective from")
    effective_to = models.DateField("Effective until", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("service", "contract_id", "price", "vat_treatment", "effective_from", "effective_to")
    EDITED_FIELDS = ("service", "contract", "price", "vat_treatment", "effective_from", "effective_to")

    class Meta:
        ordering = ["service", "contract_id", "-effective_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=models.F("effective_from")),
                name="tariff_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        under = f" under contract {self.contract.reference}" if self.contract is not None else ""
        return f"tariff {self.get_service_display()}{under} from {self.effective_from:%d %B %Y}"


class Quote(models.Model):
    """The price agreed, or offered, for a referral's work before it starts. Draft → sent →
    accepted (with the commissioner's purchase order number) or rejected (with a reason); a draft
    or sent quote may be withdrawn. The totals are kept in step with the lines by the services."""

    reference = models.CharField(max_length=20, unique=True, help_text="QUO-2026-00042")
    referral = models.ForeignKey("referrals.Referral", on_delete=models.PROTECT, related_name="quotes")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="quotes")
    quoted_on = models.DateField("Quote date")
    status = models.CharField(max_length=20, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT, db_index=True)
    net_total = money_field("Total before VAT", default=Decimal("0.00"))
    vat_total = money_field("VAT", default=Decimal("0.00"))
    total = money_field("Total", default=Decimal("0.00"))
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    purchase_order = models.CharField("Purchase order number", max_length=PURCHASE_ORDER_LIMIT, blank=True)
    rejection_reason = models.TextField("Reason for rejecting", blank=True, max_length=REASON_LIMIT)
    withdrawal_reason = models.TextField("Reason for withdrawing", blank=True, max_length=REASON_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "referral_id",
        "contract_id",
        "quoted_on",
        "status",
        "net_total",
        "vat_total",
        "total",
        "purchase_order",
        "rejection_reason",
        "withdrawal_reason",
    )

    class Meta:
        ordering = ["-quoted_on", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_label(self) -> str:
        return f"quote {self.reference}"


class QuoteLine(models.Model):
    """One service on a quote, at the price copied from the tariff in force on the quote date."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    service = models.CharField(max_length=40, choices=BillableService.choices)
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+")
    unit_price = money_field("Unit price")
    vat_treatment = models.CharField(max_length=10, choices=VatTreatment.choices)
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2, default=Decimal("0.00"))
    net_amount = money_field("Amount before VAT")
    vat_amount = money_field("VAT")

    AUDITED_FIELDS = (
        "service",
        "quantity",
        "tariff_id",
        "unit_price",
        "vat_treatment",
        "vat_rate",
        "net_amount",
        "vat_amount",
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.get_service_display()}"

    @property
    def amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


# --- Billable events, invoices, payments and credit notes (docs/adr/0021) -------------------------

from casework.billing.choices import EventSource, EventStatus, InvoiceStatus, PaymentState, PriceSource  # noqa: E402

DEFAULT_PAYMENT_DAYS = 30
PAYMENT_REFERENCE_LIMIT = 100


class BillableEvent(models.Model):
    """A piece of completed work the clinic may charge for, raised automatically when the work is
    done (an assessment signed, a report issued, a session attended or a chargeable absence), at
    most once per source record (a database constraint). The price is copied when it is raised: the
    accepted quote's price for the service, else the tariff in force on the day of the work.

    It names a case, so it is registered with ``casework.access`` (within its case); finance pages
    read only its references, service, date and amounts (``billing.queries``)."""

    source_kind = models.CharField(max_length=20, choices=EventSource.choices)
    source_id = models.PositiveBigIntegerField()
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="billable_events")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="billable_events", null=True, blank=True
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="events", null=True, blank=True)
    quote = models.ForeignKey(Quote, on_delete=models.PROTECT, related_name="events", null=True, blank=True)
    service = models.CharField(max_length=40, choices=BillableService.choices)
    occurred_on = models.DateField("Date of the work")
    price_source = models.CharField(max_length=10, choices=PriceSource.choices)
    tariff = models.ForeignKey(Tariff, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    unit_price = money_field("Price")
    vat_treatment = models.CharField(max_length=10, choices=VatTreatment.choices, default=VatTreatment.EXEMPT)
    vat_rate = models.DecimalField("VAT rate (%)", max_digits=5, decimal_places=2, default=Decimal("0.00"))
    net_amount = money_field("Amount before VAT")
    vat_amount = money_field("VAT")
    status = models.CharField(max_length=20, choices=EventStatus.choices, default=EventStatus.PENDING, db_index=True)
    write_off_reason = models.TextField("Reason for writing off", blank=True, max_length=REASON_LIMIT)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    AUDITED_FIELDS = (
        "source_kind",
        "source_id",
        "contract_id",
        "quote_id",
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
    )

    class Meta:
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source_kind", "source_id"], name="billable_event_once_per_source")
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"billable event {self.pk}"

    @property
    def amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


class Invoice(models.Model):
    """An invoice to a commissioner under one contract, from approved billable events. A draft has
    no number; the number (INV-2627-00001: financial year April 2026 to March 2027) is allocated on
    issue from a locked counter, so numbers have no gaps. An issued invoice is never changed: a
    credit note corrects it. ``amount_paid`` and ``amount_credited`` are kept by the services."""

    number = models.CharField(max_length=20, blank=True, db_index=True)
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="invoices")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT)
    purchase_order = models.CharField("Purchase order number", max_length=PURCHASE_ORDER_LIMIT, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    net_total = money_field("Total before VAT", default=Decimal("0.00"))
    vat_total = money_field("VAT", default=Decimal("0.00"))
    total = money_field("Total", default=Decimal("0.00"))
    amount_paid = money_field("Paid", default=Decimal("0.00"))
    amount_credited = money_field("Credited", default=Decimal("0.00"))
    pdf = models.FileField(upload_to="invoices/%Y/", blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    in_portal = models.BooleanField("Available in the portal", default=False)
    sent_to = models.EmailField(max_length=254, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    notify_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    AUDITED_FIELDS = (
        "number",
        "contract_id",
        "organisation_id",
        "status",
        "purchase_order",
        "issued_on",
        "due_on",
        "net_total",
        "vat_total",
        "total",
        "amount_paid",
        "amount_credited",
        "pdf_sha256",
        "in_portal",
        "sent_to",
        "sent_at",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~models.Q(number=""), name="invoice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(status="draft", number="") | (~models.Q(status="draft") & ~models.Q(number="")),
                name="invoice_numbered_once_issued",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"Draft invoice {self.pk}"

    @property
    def audit_label(self) -> str:
        return f"invoice {self.number}" if self.number else f"draft invoice {self.pk}"

    @property
    def balance(self) -> Decimal:
        return self.total - self.amount_paid - self.amount_credited

    def payment_state(self, today=None) -> str:
        if self.status == InvoiceStatus.DRAFT:
            return PaymentState.DRAFT
        if self.balance <= 0:
            return PaymentState.PAID
        today = today or timezone.localdate()
        if self.due_on is not None and today > self.due_on:
            return PaymentState.OVERDUE
        if self.amount_paid > 0 or self.amount_credited > 0:
            return PaymentState.PART_PAID
        return PaymentState.OUTSTANDING

    def payment_state_label(self, today=None) -> str:
        return PaymentState(self.payment_state(today)).label


class InvoiceLine(models.Model):
    """One billable event on an invoice, its amounts copied. An event is on one invoice at most
    (a database constraint); deleting a draft invoice frees its events."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    event = models.OneToOneField(BillableEvent, on_delete=models.PROTECT, related_name="invoice_line")
    service = models.CharField(max_length=40, choices=BillableService.choices)
    occurred_on = models.DateField()
    reference = models.CharField(max_length=20, help_text="The referral's reference")
    unit_price = money_field("Price")
    vat_treatment = models.CharField(max_length=10, choices=VatTreatment.choices)
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.00"))
    net_amount = money_field("Amount before VAT")
    vat_amount = money_field("VAT")

    class Meta:
        ordering = ["occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_service_display()} on {self.occurred_on:%d %B %Y}"

    @property
    def amount(self) -> Decimal:
        return self.net_amount + self.vat_amount


class Payment(models.Model):
    """Money received against an issued invoice (all of it or part)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(PENNY)])
    received_on = models.DateField("Date received")
    remittance = models.CharField("Payment reference", max_length=PAYMENT_REFERENCE_LIMIT, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("invoice_id", "amount", "received_on", "remittance")

    class Meta:
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"payment {self.pk} on invoice {self.invoice_id}"


class CreditNote(models.Model):
    """A credit against an issued invoice (CN-2627-00001, gap-free per financial year), with the
    reason; never more than the invoice's total less what is already credited."""

    number = models.CharField(max_length=20, unique=True)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    issued_on = models.DateField()
    reason = models.TextField(max_length=REASON_LIMIT)
    net_amount = money_field("Amount before VAT")
    vat_amount = money_field("VAT")
    amount = models.DecimalField(max_digits=12, decimal_places=2, validators=[MinValueValidator(PENNY)])
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("number", "invoice_id", "issued_on", "reason", "net_amount", "vat_amount", "amount")

    class Meta:
        ordering = ["issued_on", "id"]

    def __str__(self) -> str:
        return self.number

    @property
    def audit_label(self) -> str:
        return f"credit note {self.number}"
