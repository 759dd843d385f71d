"""Builders for the billable-event and invoice tests: a case opened from a referral of
``cast.organisation`` (whose subject is a canary), an accepted quote on it, a past treatment
appointment, and approved events ready to invoice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from casework.billing.choices import BillableService, EventSource, EventStatus, PriceSource, QuoteStatus
from casework.billing.models import BillableEvent, Contract, Quote, QuoteLine
from casework.billing.tests import helpers
from casework.cases.tests.factories import make_case
from casework.treatment.models import Appointment

SUBJECT_CANARY = helpers.SUBJECT_CANARY


def billed_case(cast, organisation=None):
    organisation = organisation or cast.organisation
    return make_case(
        lead=cast.clinician,
        by=cast.clinical_lead,
        referring_organisation=organisation,
        behaviour_summary=helpers.CLINICAL_CANARY,
    )


def referral_of(case):
    return case.case_referrals.select_related("referral").first().referral


def accepted_quote(cast, case, agreement: Contract, lines=((BillableService.TREATMENT_SESSION, "150.00", 6),)):
    quote = Quote.objects.create(
        reference=f"QUO-T-{Quote.objects.count() + 1}",
        referral=referral_of(case),
        contract=agreement,
        quoted_on=timezone.localdate() - dt.timedelta(days=30),
        status=QuoteStatus.ACCEPTED,
        purchase_order="PO-QUOTE-1",
        decided_at=timezone.now(),
        created_by=cast.finance,
    )
    for service, price, quantity in lines:
        tariff = helpers.tariff(cast.finance, service, price)
        QuoteLine.objects.create(
            quote=quote,
            service=service,
            quantity=quantity,
            tariff=tariff,
            unit_price=Decimal(price),
            vat_treatment=tariff.vat_treatment,
            net_amount=Decimal(price) * quantity,
            vat_amount=Decimal("0.00"),
        )
    return quote


def past_appointment(cast, case, days_ago: int = 2, kind: str = "treatment"):
    return Appointment.objects.create(
        case=case,
        kind=kind,
        clinician=cast.clinician,
        place_kind="video",
        starts_at=timezone.now() - dt.timedelta(days=days_ago),
        created_by=cast.coordinator,
    )


def approved_events(cast, agreement: Contract, count: int = 2, price: str = "500.00", case=None):
    """``count`` approved events on a case of the contract's organisation, made directly."""
    case = case or billed_case(cast, agreement.organisation)
    made = []
    start = (BillableEvent.objects.order_by("-source_id").values_list("source_id", flat=True).first() or 900000) + 1
    for n in range(count):
        made.append(
            BillableEvent.objects.create(
                source_kind=EventSource.APPOINTMENT,
                source_id=start + n,
                case=case,
                referral=referral_of(case),
                organisation=agreement.organisation,
                contract=agreement,
                service=BillableService.TREATMENT_SESSION,
                occurred_on=timezone.localdate() - dt.timedelta(days=10 - n),
                price_source=PriceSource.TARIFF,
                unit_price=Decimal(price),
                net_amount=Decimal(price),
                vat_amount=Decimal("0.00"),
                status=EventStatus.APPROVED,
                raised_by=cast.clinician,
            )
        )
    return made
