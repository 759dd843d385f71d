"""A quote for a referral's work, before the work starts: made and sent by finance, accepted (with
the commissioner's purchase order number) or rejected (with a reason) by the commissioning agency
in the portal, withdrawn by finance while it is a draft or awaiting an answer.

A line's price is copied from the tariff in force on the quote date when the line is added, so a
later change to the tariff never alters a quote. Each action is one transaction and one audit event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.services import record_change, record_create, snapshot
from casework.billing import queries
from casework.billing.choices import BillableService, QuoteStatus
from casework.billing.models import REASON_LIMIT, Contract, Quote, QuoteLine, to_pence
from casework.billing.services._shared import BillingRefused, vat_rate_for
from casework.core.models import next_reference
from casework.core.permissions import requires
from casework.referrals.models import Referral
from casework.referrals.services import funding

REFERENCE_PREFIX = "QUO"
MAX_QUANTITY = 99


def _pounds(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _locked(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().select_related("contract").get(pk=quote.pk)


def _change(quote: Quote, by, request, before: dict, **fields) -> Quote:
    for name, value in fields.items():
        setattr(quote, name, value)
    quote.save()
    record_change(request=request, actor=by, obj=quote, before=before, fields=Quote.AUDITED_FIELDS)
    return quote


@requires("billing.create_quote")
def quote_create(
    *,
    referral: Referral,
    contract: Contract,
    by,
    quoted_on: dt.date | None = None,
    request: HttpRequest | None = None,
) -> Quote:
    """A draft quote for ``referral`` under ``contract`` (one of its commissioner's, in force on the
    quote date). A referral has one live quote at a time: another is made only once it is rejected
    or withdrawn."""
    quoted_on = quoted_on or timezone.localdate()
    if referral.status not in queries.QUOTABLE_REFERRAL_STATUSES:
        raise BillingRefused(f"A {referral.get_status_display().lower()} referral cannot be quoted for")
    if contract is None:
        raise BillingRefused("Select the contract", "contract")
    if contract.organisation_id != queries.commissioner_id(referral):
        raise BillingRefused("Select a contract of the organisation commissioning this referral", "contract")
    if not contract.in_force_on(quoted_on):
        raise BillingRefused("The contract is not in force on the quote date", "contract")
    with transaction.atomic():
        Referral.objects.select_for_update().filter(pk=referral.pk).only("id").first()
        if queries.live_quote_exists(referral.pk):
            raise BillingRefused("This referral already has a quote: withdraw it before making another")
        quote = Quote.objects.create(
            reference=next_reference(REFERENCE_PREFIX, when=quoted_on),
            referral=referral,
            contract=contract,
            quoted_on=quoted_on,
            created_by=by,
        )
        record_create(request=request, actor=by, obj=quote, fields=Quote.AUDITED_FIELDS)
    return quote


def _recount(quote: Quote) -> None:
    lines = list(quote.lines.all())
    quote.net_total = sum((line.net_amount for line in lines), Decimal("0.00"))
    quote.vat_total = sum((line.vat_amount for line in lines), Decimal("0.00"))
    quote.total = quote.net_total + quote.vat_total


@requires("billing.edit_quote", obj="quote")
def quote_line_add(*, quote: Quote, service: str, quantity: int, by, request: HttpRequest | None = None) -> QuoteLine:
    """Add ``quantity`` of ``service`` at the price in force on the quote date (copied)."""
    if service not in BillableService.values:
        raise BillingRefused("Select the service", "service")
    if not quantity or quantity < 1 or quantity > MAX_QUANTITY:
        raise BillingRefused(f"The quantity must be a whole number from 1 to {MAX_QUANTITY}", "quantity")
    with transaction.atomic():
        current = _locked(quote)
        if current.status != QuoteStatus.DRAFT:
            raise BillingRefused("Only a draft quote can be changed")
        tariff = queries.tariff_in_force(service, current.quoted_on, current.contract)
        if tariff is None:
            raise BillingRefused(
                f"There is no price for {BillableService(service).label.lower()} on "
                f"{current.quoted_on:%-d %B %Y}: add it to the tariff first",
                "service",
            )
        rate = _vat_rate(tariff)
        net = to_pence(tariff.price * quantity)
        line = QuoteLine.objects.create(
            quote=current,
            service=service,
            quantity=quantity,
            tariff=tariff,
            unit_price=tariff.price,
            vat_treatment=tariff.vat_treatment,
            vat_rate=rate,
            net_amount=net,
            vat_amount=to_pence(net * rate / 100),
        )
        before = snapshot(current, Quote.AUDITED_FIELDS)
        _recount(current)
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Quote.AUDITED_FIELDS)
        record_create(request=request, actor=by, obj=line, fields=QuoteLine.AUDITED_FIELDS)
    return line


def _vat_rate(tariff) -> Decimal:
    try:
        return vat_rate_for(tariff.vat_treatment)
    except BillingRefused:
        raise BillingRefused(
            "This service's price is set at the standard VAT rate, but no rate is configured", "service"
        ) from None


@requires("billing.edit_quote", obj="quote")
def quote_line_remove(*, quote: Quote, line_id: int, by, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        current = _locked(quote)
        if current.status != QuoteStatus.DRAFT:
            raise BillingRefused("Only a draft quote can be changed")
        line = current.lines.filter(pk=line_id).first()
        if line is None:
            raise BillingRefused("That line is not on this quote")
        before = snapshot(current, Quote.AUDITED_FIELDS)
        line.delete()
        _recount(current)
        _change(current, by, request, before)


@requires("billing.send_quote", obj="quote")
def quote_send(*, quote: Quote, by, request: HttpRequest | None = None) -> Quote:
    """Send the quote to the commissioner (it appears in their portal). Refused with no lines, or
    when it would take the contract over its cap (counting quotes sent or accepted under it)."""
    with transaction.atomic():
        current = _locked(quote)
        if current.status != QuoteStatus.DRAFT:
            raise BillingRefused("Only a draft quote can be sent")
        if not current.lines.exists():
            raise BillingRefused("Add at least one service to the quote before sending it")
        contract = Contract.objects.select_for_update().get(pk=current.contract_id)
        if contract.cap is not None:
            committed = sum(queries.committed_on_contract(contract, excluding=current), Decimal("0.00"))
            if committed + current.total > contract.cap:
                raise BillingRefused(
                    f"This quote would take contract {contract.reference} over its cap of {_pounds(contract.cap)} "
                    f"({_pounds(committed)} is already quoted or accepted under it)"
                )
        before = snapshot(current, Quote.AUDITED_FIELDS)
        return _change(current, by, request, before, status=QuoteStatus.SENT, sent_at=timezone.now(), sent_by=by)


@requires("billing.withdraw_quote", obj="quote")
def quote_withdraw(*, quote: Quote, by, reason: str = "", request: HttpRequest | None = None) -> Quote:
    reason = (reason or "").strip()
    if len(reason) > REASON_LIMIT:
        raise BillingRefused(f"The reason must be {REASON_LIMIT} characters or fewer", "reason")
    with transaction.atomic():
        current = _locked(quote)
        if current.status not in (QuoteStatus.DRAFT, QuoteStatus.SENT):
            raise BillingRefused(f"A quote that is {current.get_status_display().lower()} cannot be withdrawn")
        before = snapshot(current, Quote.AUDITED_FIELDS)
        return _change(current, by, request, before, status=QuoteStatus.WITHDRAWN, withdrawal_reason=reason)


@requires("billing.portal_answer_quote", obj="quote")
def quote_accept(*, quote: Quote, by, purchase_order: str, request: HttpRequest | None = None) -> Quote:
    """The commissioner accepts the quote, giving their purchase order number, which is copied onto
    the referral's purchase order field through the referrals service (audited there)."""
    purchase_order = (purchase_order or "").strip()
    if not purchase_order:
        raise BillingRefused("Enter your purchase order number", "purchase_order")
    with transaction.atomic():
        current = _locked(quote)
        if current.status != QuoteStatus.SENT:
            raise BillingRefused("This quote is no longer awaiting your answer")
        before = snapshot(current, Quote.AUDITED_FIELDS)
        accepted = _change(
            current,
            by,
            request,
            before,
            status=QuoteStatus.ACCEPTED,
            purchase_order=purchase_order,
            decided_at=timezone.now(),
            decided_by=by,
        )
        funding.purchase_order_record(referral=accepted.referral, purchase_order=purchase_order, by=by, request=request)
        return accepted


@requires("billing.portal_answer_quote", obj="quote")
def quote_reject(*, quote: Quote, by, reason: str, request: HttpRequest | None = None) -> Quote:
    """The commissioner rejects the quote, saying why."""
    reason = (reason or "").strip()
    if not reason:
        raise BillingRefused("Enter why you are rejecting the quote", "reason")
    if len(reason) > REASON_LIMIT:
        raise BillingRefused(f"The reason must be {REASON_LIMIT} characters or fewer", "reason")
    with transaction.atomic():
        current = _locked(quote)
        if current.status != QuoteStatus.SENT:
            raise BillingRefused("This quote is no longer awaiting your answer")
        before = snapshot(current, Quote.AUDITED_FIELDS)
        return _change(
            current,
            by,
            request,
            before,
            status=QuoteStatus.REJECTED,
            rejection_reason=reason,
            decided_at=timezone.now(),
            decided_by=by,
        )
