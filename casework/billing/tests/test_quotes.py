"""Quotes: priced from the tariff in force on the quote date, with the price copied onto each line
(a later price change never alters a quote), sent by finance, answered by the commissioner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.billing.choices import BillableService, QuoteStatus, VatTreatment
from casework.billing.services import contracts, quotes
from casework.billing.services._shared import BillingRefused
from casework.billing.tests import helpers
from casework.referrals.choices import Status

pytestmark = pytest.mark.django_db


def _draft(cast, **kwargs):
    return helpers.quote(cast, lines=(), **kwargs)


def test_lines_are_priced_from_the_tariff_and_totalled(cast):
    helpers.tariff(cast.finance, BillableService.ASSESSMENT_CUSTODY, "1500.00")
    helpers.tariff(cast.finance, BillableService.TREATMENT_SESSION, "125.50")
    quote = _draft(cast)
    quotes.quote_line_add(quote=quote, service=BillableService.ASSESSMENT_CUSTODY, quantity=1, by=cast.finance)
    line = quotes.quote_line_add(quote=quote, service=BillableService.TREATMENT_SESSION, quantity=12, by=cast.finance)
    quote.refresh_from_db()
    assert line.unit_price == Decimal("125.50")
    assert line.net_amount == Decimal("1506.00")
    assert line.vat_treatment == VatTreatment.EXEMPT and line.vat_amount == Decimal("0.00")
    assert quote.total == Decimal("3006.00")
    assert quote.reference.startswith(f"QUO-{timezone.localdate().year}-")


def test_a_price_change_does_not_alter_a_past_quote(cast):
    price = helpers.tariff(cast.finance, BillableService.ASSESSMENT_COMMUNITY, "1200.00")
    past = helpers.quote(cast, status=QuoteStatus.ACCEPTED)
    # The price is corrected in place, and a new price is set from today.
    contracts.tariff_update(
        tariff=price,
        by=cast.finance,
        values={
            "service": price.service,
            "price": Decimal("1300.00"),
            "vat_treatment": price.vat_treatment,
            "effective_from": price.effective_from,
            "effective_to": None,
        },
    )
    contracts.tariff_create(
        by=cast.finance,
        values={
            "service": price.service,
            "price": Decimal("1400.00"),
            "vat_treatment": VatTreatment.EXEMPT,
            "effective_from": timezone.localdate() + dt.timedelta(days=1),
            "effective_to": None,
        },
    )
    past.refresh_from_db()
    line = past.lines.get()
    assert line.unit_price == Decimal("1200.00")
    assert past.total == Decimal("1200.00")
    # A quote made now takes today's price.
    assert helpers.quote(cast).total == Decimal("1300.00")


def test_a_line_with_no_price_in_force_is_refused(cast):
    quote = _draft(cast)
    with pytest.raises(BillingRefused) as refused:
        quotes.quote_line_add(quote=quote, service=BillableService.REPORT_PAROLE, quantity=1, by=cast.finance)
    assert refused.value.field == "service"
    assert "no price" in refused.value.message


def test_standard_rate_vat_is_copied_onto_the_line(cast, settings):
    settings.BILLING_STANDARD_VAT_RATE = "20"
    helpers.tariff(cast.finance, BillableService.CANCELLATION_FEE, "99.99", vat_treatment=VatTreatment.STANDARD)
    quote = _draft(cast)
    line = quotes.quote_line_add(quote=quote, service=BillableService.CANCELLATION_FEE, quantity=1, by=cast.finance)
    quote.refresh_from_db()
    assert line.vat_rate == Decimal("20.00") and line.vat_amount == Decimal("20.00")
    assert quote.total == Decimal("119.99")


def test_a_quote_goes_from_draft_to_sent_to_accepted_with_a_purchase_order(cast):
    quote = quotes.quote_send(quote=helpers.quote(cast), by=cast.finance)
    accepted = quotes.quote_accept(quote=quote, by=cast.agency, purchase_order=" PO-1234 ")
    assert accepted.status == QuoteStatus.ACCEPTED and accepted.purchase_order == "PO-1234"
    assert accepted.decided_by == cast.agency
    actions = AuditEvent.objects.filter(object_type="billing.quote", object_id=str(quote.pk))
    assert actions.filter(action="create").count() == 1 and actions.filter(action="update").count() >= 3


def test_accepting_needs_a_purchase_order_and_rejecting_a_reason(cast):
    quote = helpers.quote(cast, status=QuoteStatus.SENT)
    with pytest.raises(BillingRefused) as refused:
        quotes.quote_accept(quote=quote, by=cast.agency, purchase_order=" ")
    assert refused.value.field == "purchase_order"
    with pytest.raises(BillingRefused) as refused:
        quotes.quote_reject(quote=quote, by=cast.agency, reason="")
    assert refused.value.field == "reason"
    rejected = quotes.quote_reject(quote=quote, by=cast.agency, reason="Funding not approved")
    assert rejected.status == QuoteStatus.REJECTED and rejected.rejection_reason == "Funding not approved"


def test_an_empty_quote_cannot_be_sent(cast):
    with pytest.raises(BillingRefused):
        quotes.quote_send(quote=_draft(cast), by=cast.finance)


def test_a_sent_quote_cannot_be_changed(cast):
    quote = helpers.quote(cast, status=QuoteStatus.SENT)
    with pytest.raises(PermissionDenied):
        quotes.quote_line_add(quote=quote, service=BillableService.ASSESSMENT_COMMUNITY, quantity=1, by=cast.finance)


def test_a_quote_over_the_contract_cap_is_refused(cast):
    agreement = helpers.contract(cast.finance, cast.organisation, reference="CAPPED", cap=Decimal("2000.00"))
    helpers.quote(cast, agreement=agreement, status=QuoteStatus.ACCEPTED)  # £1,200
    second = helpers.quote(cast, agreement=agreement)
    with pytest.raises(BillingRefused) as refused:
        quotes.quote_send(quote=second, by=cast.finance)
    assert "cap of £2,000.00" in refused.value.message


def test_only_the_commissioning_organisation_answers_a_quote(cast):
    quote = helpers.quote(cast, status=QuoteStatus.SENT)
    with pytest.raises(PermissionDenied):
        quotes.quote_accept(quote=quote, by=cast.agency_other, purchase_order="PO-X")
    with pytest.raises(PermissionDenied):
        quotes.quote_accept(quote=quote, by=cast.finance, purchase_order="PO-X")


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "researcher", "sysadmin", "agency"])
def test_only_finance_makes_quotes(cast, role):
    agreement = helpers.contract(cast.finance, cast.organisation)
    with pytest.raises(PermissionDenied):
        quotes.quote_create(referral=helpers.referral(cast.organisation), contract=agreement, by=cast.by_name(role))


def test_a_referral_has_one_live_quote_at_a_time(cast):
    quote = helpers.quote(cast)
    with pytest.raises(BillingRefused):
        quotes.quote_create(referral=quote.referral, contract=quote.contract, by=cast.finance)
    quotes.quote_withdraw(quote=quote, by=cast.finance)
    again = quotes.quote_create(referral=quote.referral, contract=quote.contract, by=cast.finance)
    assert again.status == QuoteStatus.DRAFT


def test_the_contract_must_be_the_commissioners_and_in_force(cast):
    other = helpers.contract(cast.finance, cast.other_organisation, reference="OTHER")
    with pytest.raises(BillingRefused) as refused:
        quotes.quote_create(referral=helpers.referral(cast.organisation), contract=other, by=cast.finance)
    assert refused.value.field == "contract"
    # The referral's named commissioner, when it has one, is the one whose contract is used.
    commissioned = helpers.referral(cast.organisation, commissioner=cast.other_organisation)
    assert quotes.quote_create(referral=commissioned, contract=other, by=cast.finance).pk
    today = timezone.localdate()
    ended = helpers.contract(
        cast.finance,
        cast.organisation,
        reference="ENDED",
        starts_on=today - dt.timedelta(days=90),
        ends_on=today - dt.timedelta(days=1),
    )
    with pytest.raises(BillingRefused):
        quotes.quote_create(referral=helpers.referral(cast.organisation), contract=ended, by=cast.finance)


def test_a_declined_referral_is_not_quoted_for(cast):
    agreement = helpers.contract(cast.finance, cast.organisation)
    with pytest.raises(BillingRefused):
        quotes.quote_create(
            referral=helpers.referral(cast.organisation, status=Status.DECLINED), contract=agreement, by=cast.finance
        )


def test_a_withdrawn_or_answered_quote_cannot_be_withdrawn_again(cast):
    withdrawn = helpers.quote(cast, status=QuoteStatus.WITHDRAWN)
    with pytest.raises(PermissionDenied):
        quotes.quote_withdraw(quote=withdrawn, by=cast.finance)
    accepted = helpers.quote(cast, status=QuoteStatus.ACCEPTED)
    with pytest.raises(PermissionDenied):
        quotes.quote_withdraw(quote=accepted, by=cast.finance)
