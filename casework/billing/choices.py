"""Billing's fixed lists: the services the clinic charges for, how VAT is treated, and the states
of a quote."""

from __future__ import annotations

from django.db import models

from casework.reports.choices import ReportType


class BillableService(models.TextChoices):
    """What the clinic charges for: one tariff line each. Every report type of ``casework.reports``
    has its own service (``report_<type>``); a test keeps the two lists together."""

    ASSESSMENT_CUSTODY = "assessment_custody", "Assessment in custody"
    ASSESSMENT_COMMUNITY = "assessment_community", "Assessment in the community"
    ASSESSMENT_MENTAL_HEALTH_FACILITY = "assessment_mental_health_facility", "Assessment in a mental health facility"
    REPORT_SENTENCING = "report_sentencing", f"Report: {ReportType.SENTENCING.label}"
    REPORT_BAIL = "report_bail", f"Report: {ReportType.BAIL.label}"
    REPORT_PAROLE = "report_parole", f"Report: {ReportType.PAROLE.label}"
    REPORT_MAPPA = "report_mappa", f"Report: {ReportType.MAPPA.label}"
    REPORT_POLICE = "report_police", f"Report: {ReportType.POLICE.label}"
    REPORT_NHS_TRUST = "report_nhs_trust", f"Report: {ReportType.NHS_TRUST.label}"
    REPORT_SOCIAL_SERVICES = "report_social_services", f"Report: {ReportType.SOCIAL_SERVICES.label}"
    REPORT_CONSULTATION = "report_consultation", f"Report: {ReportType.CONSULTATION.label}"
    REPORT_COMPLIANCE = "report_compliance", f"Report: {ReportType.COMPLIANCE.label}"
    TREATMENT_SESSION = "treatment_session", "Treatment session"
    CONSULTATION = "consultation", "Consultation on a problem case"
    CANCELLATION_FEE = "cancellation_fee", "Cancellation fee"
    NON_ATTENDANCE_FEE = "non_attendance_fee", "Non-attendance fee"


def report_service(report_type: str) -> BillableService:
    """The billable service for a report of ``report_type``."""
    return BillableService(f"report_{report_type}")


class VatTreatment(models.TextChoices):
    """Health services the clinic provides are exempt from VAT; "standard" is offered only when a
    standard rate is configured (``CASEWORK_BILLING_VAT_RATE``)."""

    EXEMPT = "exempt", "Exempt (health services)"
    STANDARD = "standard", "Standard rate"


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent, awaiting acceptance"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


QUOTE_TAG_COLOURS = {
    QuoteStatus.DRAFT: "grey",
    QuoteStatus.SENT: "blue",
    QuoteStatus.ACCEPTED: "green",
    QuoteStatus.REJECTED: "red",
    QuoteStatus.WITHDRAWN: "grey",
}
# A referral has at most one quote in these states: a new one is made only once it is rejected or withdrawn.
LIVE_QUOTE_STATUSES = (QuoteStatus.DRAFT, QuoteStatus.SENT, QuoteStatus.ACCEPTED)


# --- Billable events, invoices, payments and credit notes (docs/adr/0021) -------------------------


class EventSource(models.TextChoices):
    """What completed work raised a billable event: one event per source record at most."""

    ASSESSMENT = "assessment", "Assessment signed"
    REPORT = "report", "Report issued"
    APPOINTMENT = "appointment", "Treatment session"


class PriceSource(models.TextChoices):
    QUOTE = "quote", "Accepted quote"
    TARIFF = "tariff", "Tariff"
    NONE = "none", "No price"


class EventStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    APPROVED = "approved", "Approved"
    WRITTEN_OFF = "written_off", "Written off"
    INVOICED = "invoiced", "Invoiced"


EVENT_TAG_COLOURS = {
    EventStatus.PENDING: "blue",
    EventStatus.APPROVED: "green",
    EventStatus.WRITTEN_OFF: "grey",
    EventStatus.INVOICED: "purple",
}


class InvoiceStatus(models.TextChoices):
    """Stored states: a draft has no number; once issued an invoice is corrected only by a credit note."""

    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


class PaymentState(models.TextChoices):
    """How far an issued invoice is settled (worked out from its payments, credits and due date)."""

    DRAFT = "draft", "Draft"
    OUTSTANDING = "outstanding", "Outstanding"
    PART_PAID = "part_paid", "Part-paid"
    OVERDUE = "overdue", "Overdue"
    PAID = "paid", "Paid"


PAYMENT_TAG_COLOURS = {
    PaymentState.DRAFT: "grey",
    PaymentState.OUTSTANDING: "blue",
    PaymentState.PART_PAID: "yellow",
    PaymentState.OVERDUE: "red",
    PaymentState.PAID: "green",
}
