"""Demo contracts and charging: a contract for most demo agencies (one ending within 60 days, some
with a cap), a tariff for every service (a few prices changed a month ago, so older quotes show
the old price), and quotes in each state — draft, sent and awaiting an answer, accepted with a
purchase order number, rejected with a reason, withdrawn.

Quotes go through the billing services as the finance officer (and, to accept or reject, as the
commissioning agency's demo referrer), so every step is audited as in real use. Idempotent:
nothing is added when any contract exists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from casework.accounts.models import User
from casework.billing.choices import BillableService, QuoteStatus, VatTreatment
from casework.billing.models import Contract, Tariff
from casework.billing.queries import QUOTABLE_REFERRAL_STATUSES, commissioner_id
from casework.billing.services import quotes
from casework.core.refusals import Refused
from casework.core.roles import Role
from casework.demo.context import DemoContext
from casework.organisations.models import Organisation
from casework.referrals.choices import Service, Setting
from casework.referrals.models import Referral

# The clinic's prices (pounds), exempt from VAT as health services.
PRICES = {
    BillableService.ASSESSMENT_CUSTODY: "1650.00",
    BillableService.ASSESSMENT_COMMUNITY: "1350.00",
    BillableService.ASSESSMENT_MENTAL_HEALTH_FACILITY: "1500.00",
    BillableService.REPORT_SENTENCING: "1200.00",
    BillableService.REPORT_BAIL: "850.00",
    BillableService.REPORT_PAROLE: "1250.00",
    BillableService.REPORT_MAPPA: "950.00",
    BillableService.REPORT_POLICE: "750.00",
    BillableService.REPORT_NHS_TRUST: "900.00",
    BillableService.REPORT_SOCIAL_SERVICES: "900.00",
    BillableService.REPORT_CONSULTATION: "450.00",
    BillableService.REPORT_COMPLIANCE: "350.00",
    BillableService.TREATMENT_SESSION: "145.00",
    BillableService.CONSULTATION: "600.00",
    BillableService.CANCELLATION_FEE: "150.00",
    BillableService.NON_ATTENDANCE_FEE: "145.00",
}
# Prices raised a month ago: quotes made before then keep the old price.
RAISED = {
    BillableService.ASSESSMENT_COMMUNITY: "1295.00",
    BillableService.TREATMENT_SESSION: "140.00",
    BillableService.REPORT_SENTENCING: "1150.00",
}
REPORTS: dict[str, str] = {
    Service.REPORT_SENTENCING: BillableService.REPORT_SENTENCING,
    Service.REPORT_BAIL: BillableService.REPORT_BAIL,
    Service.REPORT_PAROLE: BillableService.REPORT_PAROLE,
    Service.REPORT_MAPPA: BillableService.REPORT_MAPPA,
    Service.REPORT_POLICE: BillableService.REPORT_POLICE,
    Service.REPORT_RISK_ADVICE: BillableService.REPORT_NHS_TRUST,
}
ASSESSMENTS: dict[str, str] = {
    Setting.CUSTODY: BillableService.ASSESSMENT_CUSTODY,
    Setting.COMMUNITY: BillableService.ASSESSMENT_COMMUNITY,
    Setting.MENTAL_HEALTH_FACILITY: BillableService.ASSESSMENT_MENTAL_HEALTH_FACILITY,
}
TERMS = (
    "Quotes are agreed before work starts. Invoices are raised on completion of each piece of work and "
    "are payable within 30 days. Health services are exempt from VAT."
)
# The states the demo quotes cycle through (agencies with a demo referrer answer theirs).
STATES = (QuoteStatus.SENT, QuoteStatus.ACCEPTED, QuoteStatus.DRAFT, QuoteStatus.REJECTED, QuoteStatus.ACCEPTED)
REJECTIONS = (
    "The court adjourned the hearing; we will refer again when it is relisted.",
    "Funding for this assessment was not approved by the budget holder.",
)


def _tariffs(finance, today: dt.date) -> int:
    year_ago = today - dt.timedelta(days=400)
    month_ago = today - dt.timedelta(days=30)
    made = 0
    for service, price in PRICES.items():
        raised = service in RAISED
        Tariff.objects.create(
            service=service,
            price=Decimal(RAISED[service] if raised else price),
            vat_treatment=VatTreatment.EXEMPT,
            effective_from=year_ago,
            effective_to=month_ago - dt.timedelta(days=1) if raised else None,
            created_by=finance,
            updated_by=finance,
        )
        made += 1
        if raised:
            Tariff.objects.create(
                service=service,
                price=Decimal(price),
                vat_treatment=VatTreatment.EXEMPT,
                effective_from=month_ago,
                created_by=finance,
                updated_by=finance,
            )
            made += 1
    return made


def _contracts(finance, organisations: list[Organisation], today: dt.date, context: DemoContext) -> dict[int, Contract]:
    contracts: dict[int, Contract] = {}
    for number, organisation in enumerate(organisations, start=1):
        if number % 5 == 0:
            continue  # most agencies, not all: some pay case by case outside a contract
        ending_soon = number == 2
        contracts[organisation.pk] = Contract.objects.create(
            organisation=organisation,
            reference=f"NSC-{today.year - 1}-{number:03d}",
            purchase_order=f"SPO-{context.rng.randint(10000, 99999)}" if number % 3 == 0 else "",
            starts_on=today - dt.timedelta(days=400),
            ends_on=today + dt.timedelta(days=40 if ending_soon else 330 + number),
            cap=Decimal("60000.00") if number % 4 == 1 else None,
            terms=TERMS,
            invoicing_contact_name="Accounts payable",
            invoicing_contact_email=f"accounts.payable{number}@{organisation.kind}.example",
            created_by=finance,
            updated_by=finance,
        )
    return contracts


def _lines(referral: Referral) -> list[tuple[str, int]]:
    services = {s.service for s in referral.requested_services.all()}
    lines: list[tuple[str, int]] = []
    if services & {Service.STALKER_ASSESSMENT, Service.VICTIM_ASSESSMENT} or not services:
        lines.append((ASSESSMENTS.get(referral.assessment_setting, BillableService.ASSESSMENT_COMMUNITY), 1))
    lines.extend((REPORTS[s], 1) for s in sorted(services) if s in REPORTS)
    if Service.STALKER_TREATMENT in services or Service.VICTIM_TREATMENT in services:
        lines.append((BillableService.TREATMENT_SESSION, 12))
    if Service.CONSULTATION in services:
        lines.append((BillableService.CONSULTATION, 1))
    return lines


def seed(context: DemoContext) -> None:
    if Contract.objects.exists():
        context.say("Billing: already there")
        return
    finance = User.objects.filter(role=Role.FINANCE_OFFICER, is_active=True).order_by("id").first()
    if finance is None:
        context.say("Billing: no finance officer, nothing made")
        return
    today = timezone.localdate()
    tariffs = _tariffs(finance, today)
    contracts = _contracts(
        finance, list(Organisation.objects.filter(is_active=True).order_by("name", "id")), today, context
    )
    referrers = {
        user.organisation_id: user
        for user in User.objects.filter(role=Role.AGENCY_REFERRER, is_active=True).order_by("id")
    }
    referrals = (
        Referral.objects.filter(status__in=QUOTABLE_REFERRAL_STATUSES, received_at__isnull=False)
        .prefetch_related("requested_services")
        .order_by("received_at", "id")
    )
    counts = {state: 0 for state in QuoteStatus}
    made = 0
    for referral in referrals:
        contract = contracts.get(commissioner_id(referral) or 0)
        if contract is None:
            continue
        agency = referrers.get(contract.organisation_id)
        state = STATES[made % len(STATES)]
        if agency is None and state in (QuoteStatus.ACCEPTED, QuoteStatus.REJECTED):
            state = QuoteStatus.SENT  # nobody of that agency in the demo to answer it
        if made % 7 == 6:
            state = QuoteStatus.WITHDRAWN
        quoted_on = max(timezone.localdate(referral.received_at) + dt.timedelta(days=2), contract.starts_on)
        quoted_on = min(quoted_on, today)
        quote = quotes.quote_create(referral=referral, contract=contract, by=finance, quoted_on=quoted_on)
        for service, quantity in _lines(referral):
            quotes.quote_line_add(quote=quote, service=service, quantity=quantity, by=finance)
        quote.refresh_from_db()
        if state == QuoteStatus.WITHDRAWN:
            quotes.quote_withdraw(quote=quote, by=finance, reason="Superseded: the referrer asked for a report only.")
        elif state != QuoteStatus.DRAFT:
            try:
                quote = quotes.quote_send(quote=quote, by=finance)
            except Refused:
                state = QuoteStatus.DRAFT  # over the contract's cap: left as a draft for finance to resolve
            else:
                if state == QuoteStatus.ACCEPTED and agency is not None:
                    quotes.quote_accept(
                        quote=quote, by=agency, purchase_order=f"PO-{context.rng.randint(100000, 999999)}"
                    )
                elif state == QuoteStatus.REJECTED and agency is not None:
                    quotes.quote_reject(quote=quote, by=agency, reason=REJECTIONS[made % len(REJECTIONS)])
        counts[state] += 1
        made += 1
    context.made["contracts"] = list(contracts.values())
    summary = ", ".join(f"{counts[s]} {s.label.lower()}" for s in QuoteStatus)
    context.say(f"Billing: {len(contracts)} contracts, {tariffs} prices, {made} quotes ({summary})")


# --- Billable events, invoices, payments and a credit note (docs/adr/0021) -------------------------

# Days before today each demo invoice is issued, and what has happened to it since.
INVOICE_PLAN = (
    (70, "paid"),
    (15, "part_paid"),
    (95, "overdue"),
    (10, "outstanding"),
    (50, "credited"),
)


def seed_invoices(context: DemoContext) -> None:
    """The billable events raised by the demo's clinical work (signed assessments, issued reports,
    attended and missed sessions) looked up again now that contracts and prices exist, reviewed by
    finance (most approved, one written off), and invoiced: paid, part-paid, overdue, outstanding,
    and one with a credit note. Idempotent: nothing is added when any invoice exists."""
    from casework.billing.choices import EventStatus
    from casework.billing.models import BillableEvent, Invoice
    from casework.billing.services import events, invoices

    if Invoice.objects.exists():
        context.say("Billing invoices: already there")
        return
    finance = User.objects.filter(role=Role.FINANCE_OFFICER, is_active=True).order_by("id").first()
    if finance is None:
        context.say("Billing invoices: no finance officer, nothing made")
        return
    today = timezone.localdate()
    pending = list(BillableEvent.objects.filter(status=EventStatus.PENDING).order_by("occurred_on", "id"))
    approved = written_off = 0
    for number, event in enumerate(pending):
        event = events.event_reprice(event=event, by=finance)
        if event.contract_id is None or event.price_source == "none":
            continue  # left for finance to resolve
        if number % 9 == 4:
            events.event_write_off(event=event, by=finance, reason="Agreed with the commissioner: no charge.")
            written_off += 1
        elif number % 6 != 5:  # a few left awaiting review
            events.event_approve(event=event, by=finance)
            approved += 1
    by_contract: dict[int, list[int]] = {}
    for event in BillableEvent.objects.filter(status=EventStatus.APPROVED).order_by("occurred_on", "id"):
        if event.contract_id is not None:
            by_contract.setdefault(event.contract_id, []).append(event.pk)
    made = 0
    for (contract_id, ids), (days_ago, fate) in zip(sorted(by_contract.items()), INVOICE_PLAN, strict=False):
        contract = Contract.objects.get(pk=contract_id)
        invoice = invoices.invoice_create(contract=contract, event_ids=ids[:6], by=finance)
        # Dated back so that the demo shows invoices of every age (the demo's work is all recent).
        issued_on = today - dt.timedelta(days=days_ago)
        invoice = invoices.invoice_issue(invoice=invoice, by=finance, issued_on=issued_on)
        invoice = invoices.invoice_publish(invoice=invoice, by=finance)
        paid_on = min(issued_on + dt.timedelta(days=21), today)
        if fate == "paid":
            invoices.payment_record(
                invoice=invoice, amount=invoice.total, received_on=paid_on, reference="BACS remittance", by=finance
            )
        elif fate == "part_paid":
            invoices.payment_record(
                invoice=invoice,
                amount=(invoice.total / 2).quantize(Decimal("0.01")),
                received_on=paid_on,
                reference="Part payment",
                by=finance,
            )
        elif fate == "credited":
            first = invoice.lines.order_by("id")[0]
            invoices.credit_note_create(
                invoice=invoice,
                amount=first.amount,
                reason="A session on this invoice was cancelled by the clinic and should not have been charged.",
                by=finance,
                issued_on=min(issued_on + dt.timedelta(days=7), today),
            )
        made += 1
    context.say(
        f"Billing invoices: {len(pending)} events reviewed ({approved} approved, {written_off} written off), "
        f"{made} invoices"
    )
