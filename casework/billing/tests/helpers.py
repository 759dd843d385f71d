"""Builders for billing's tests: a contract, a price in the tariff, a referral and a quote on it.

The referral's subject and behaviour carry canaries: no billing page may show them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from casework.billing.choices import BillableService, QuoteStatus, VatTreatment
from casework.billing.models import Contract, Quote, Tariff
from casework.billing.services import quotes
from casework.referrals.choices import Status
from casework.referrals.tests.factories import ReferralFactory

SUBJECT_CANARY = "Canaryname"
CLINICAL_CANARY = "Behaviour canary: he waits outside her workplace every evening."


def contract(by, organisation, *, reference: str = "NSC-C-001", cap=None, days_left: int = 300, **fields) -> Contract:
    today = timezone.localdate()
    values = {
        "purchase_order": "",
        "starts_on": today - dt.timedelta(days=60),
        "ends_on": today + dt.timedelta(days=days_left),
        "terms": "Payment within 30 days of invoice.",
        "invoicing_contact_name": "Accounts payable",
        "invoicing_contact_email": "ap@example.org",
    }
    values.update(fields)
    return Contract.objects.create(
        organisation=organisation, reference=reference, cap=cap, created_by=by, updated_by=by, **values
    )


def tariff(by, service=BillableService.ASSESSMENT_COMMUNITY, price="1200.00", *, days_ago: int = 365, **fields):
    values = {"vat_treatment": VatTreatment.EXEMPT, "effective_to": None}
    values.update(fields)
    return Tariff.objects.create(
        service=service,
        price=Decimal(price),
        effective_from=timezone.localdate() - dt.timedelta(days=days_ago),
        created_by=by,
        updated_by=by,
        **values,
    )


def referral(organisation, **fields):
    values = {
        "status": Status.ACCEPTED,
        "referring_organisation": organisation,
        "subject_family_name": SUBJECT_CANARY,
        "behaviour_summary": CLINICAL_CANARY,
    }
    values.update(fields)
    return ReferralFactory(**values)


def quote(
    cast,
    *,
    organisation=None,
    status=QuoteStatus.DRAFT,
    lines=((BillableService.ASSESSMENT_COMMUNITY, 1),),
    agreement=None,
) -> Quote:
    """A quote on a new referral of ``organisation`` (``cast.organisation``) under ``agreement`` (a
    new contract of that organisation), with ``lines`` priced from the tariff (made if missing),
    then sent and answered as far as ``status``."""
    organisation = organisation or cast.organisation
    agreement = agreement or contract(cast.finance, organisation, reference=f"C-{Contract.objects.count() + 1}")
    made = quotes.quote_create(referral=referral(organisation), contract=agreement, by=cast.finance)
    for service, quantity in lines:
        if not Tariff.objects.filter(service=service).exists():
            tariff(cast.finance, service)
        quotes.quote_line_add(quote=made, service=service, quantity=quantity, by=cast.finance)
    made.refresh_from_db()
    if status == QuoteStatus.DRAFT:
        return made
    if status == QuoteStatus.WITHDRAWN:
        return quotes.quote_withdraw(quote=made, by=cast.finance, reason="Agreed by telephone instead")
    made = quotes.quote_send(quote=made, by=cast.finance)
    agency = cast.agency if organisation == cast.organisation else cast.agency_other
    if status == QuoteStatus.ACCEPTED:
        return quotes.quote_accept(quote=made, by=agency, purchase_order="PO-7781")
    if status == QuoteStatus.REJECTED:
        return quotes.quote_reject(quote=made, by=agency, reason="Funding not approved")
    return made


def referral_across_a_barrier(cast):
    """Vera's victim referral and case, across an information barrier from Stan's perpetrator case,
    whose referral ``cast.agency`` sent; both referred by ``cast.organisation``. Returns (referral, case)."""
    from casework.cases.tests.factories import barrier_pair

    pair = barrier_pair(cast)
    type(pair.stan_referral).objects.filter(pk=pair.stan_referral.pk).update(created_by=cast.agency)
    return pair.vera_referral, pair.vera_case
