"""Helpers the billing services share (not services themselves)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from casework.billing.choices import VatTreatment
from casework.core.refusals import Refused


class BillingRefused(Refused):
    """A billing action refused, with the reason (and its field)."""


def standard_vat_rate() -> Decimal | None:
    """The standard VAT rate in per cent when one is configured (``CASEWORK_BILLING_VAT_RATE``),
    else None: then every tariff is exempt."""
    rate = getattr(settings, "BILLING_STANDARD_VAT_RATE", None)
    return Decimal(str(rate)) if rate not in (None, "") else None


def vat_rate_for(treatment: str) -> Decimal:
    if treatment == VatTreatment.STANDARD:
        rate = standard_vat_rate()
        if rate is None:
            raise BillingRefused("No standard VAT rate is configured: health services are exempt", "vat_treatment")
        return rate
    return Decimal("0.00")
