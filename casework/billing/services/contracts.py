"""Contracts with commissioning organisations, and the tariff: the clinic's price for each service
from a date. Finance officers and system administrators only; every write audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.services import record_change, record_create, snapshot
from casework.billing.choices import BillableService, VatTreatment
from casework.billing.models import DEFAULT_PAYMENT_DAYS, MAX_PRICE, Contract, Tariff
from casework.billing.services._shared import BillingRefused, vat_rate_for
from casework.core.permissions import requires


def _check_contract(values: dict[str, Any], exclude: Contract | None) -> None:
    if values.get("organisation") is None:
        raise BillingRefused("Select the commissioning organisation", "organisation")
    reference = (values.get("reference") or "").strip()
    if not reference:
        raise BillingRefused("Enter the contract reference", "reference")
    taken = Contract.objects.filter(reference__iexact=reference)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise BillingRefused("Another contract already has this reference", "reference")
    starts, ends = values.get("starts_on"), values.get("ends_on")
    if starts is None:
        raise BillingRefused("Enter the start date", "starts_on")
    if ends is None:
        raise BillingRefused("Enter the end date", "ends_on")
    if ends < starts:
        raise BillingRefused("The end date must be on or after the start date", "ends_on")
    cap = values.get("cap")
    if cap is not None and (cap <= 0 or cap > MAX_PRICE):
        raise BillingRefused("The cap must be more than £0 and less than £100,000,000", "cap")
    days = values.get("payment_days")
    if days is not None and not 1 <= days <= MAX_PAYMENT_DAYS:
        raise BillingRefused(f"The days to pay must be from 1 to {MAX_PAYMENT_DAYS}", "payment_days")


MAX_PAYMENT_DAYS = 365


def _contract_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: values.get(name) for name in Contract.EDITED_FIELDS}
    for name in ("reference", "purchase_order", "terms", "invoicing_contact_name", "invoicing_contact_email"):
        cleaned[name] = (cleaned.get(name) or "").strip()
    cleaned["payment_days"] = cleaned.get("payment_days") or DEFAULT_PAYMENT_DAYS
    return cleaned


@requires("billing.manage_contracts")
def contract_create(*, by, values: dict[str, Any], request: HttpRequest | None = None) -> Contract:
    values = _contract_values(values)
    _check_contract(values, None)
    with transaction.atomic():
        contract = Contract.objects.create(created_by=by, updated_by=by, **values)
        record_create(request=request, actor=by, obj=contract, fields=Contract.AUDITED_FIELDS)
    return contract


@requires("billing.manage_contracts")
def contract_update(*, contract: Contract, by, values: dict[str, Any], request: HttpRequest | None = None) -> Contract:
    values = _contract_values(values)
    _check_contract(values, contract)
    with transaction.atomic():
        current = Contract.objects.select_for_update().get(pk=contract.pk)
        before = snapshot(current, Contract.AUDITED_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_by = by
        current.updated_at = timezone.now()
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Contract.AUDITED_FIELDS)
    return current


# --- The tariff -----------------------------------------------------------------------------------


def _overlapping(
    service: str, contract: Contract | None, starts: dt.date, ends: dt.date | None, exclude: Tariff | None
):
    """Prices of ``service`` with the same owner (the clinic, or ``contract``) whose periods meet
    ``starts``..``ends``: overlap rules apply per (service, contract)."""
    owner = Q(contract__isnull=True) if contract is None else Q(contract=contract)
    queryset = Tariff.objects.filter(owner, service=service).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=starts)
    )
    if ends is not None:
        queryset = queryset.filter(effective_from__lte=ends)
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


def _whose(contract: Contract | None) -> str:
    return "a price" if contract is None else f"a price under contract {contract.reference}"


def _check_tariff(values: dict[str, Any]) -> None:
    if values.get("service") not in BillableService.values:
        raise BillingRefused("Select the service", "service")
    contract = values.get("contract")
    starts = values.get("effective_from")
    if contract is not None and starts is not None and starts > contract.ends_on:
        raise BillingRefused("A contract's price must take effect before the contract ends", "effective_from")
    price = values.get("price")
    if price is None:
        raise BillingRefused("Enter the price", "price")
    if price < 0 or price > MAX_PRICE:
        raise BillingRefused("The price must be between £0 and £99,999,999.99", "price")
    if values.get("vat_treatment") not in VatTreatment.values:
        raise BillingRefused("Select the VAT treatment", "vat_treatment")
    vat_rate_for(values["vat_treatment"])
    starts, ends = values.get("effective_from"), values.get("effective_to")
    if starts is None:
        raise BillingRefused("Enter the date the price takes effect", "effective_from")
    if ends is not None and ends < starts:
        raise BillingRefused("The last day of the price must be on or after the day it takes effect", "effective_to")


def _tariff_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = {name: values.get(name) for name in Tariff.EDITED_FIELDS}
    cleaned["vat_treatment"] = cleaned.get("vat_treatment") or VatTreatment.EXEMPT
    cleaned["contract"] = cleaned.get("contract") or None
    price = cleaned.get("price")
    if isinstance(price, Decimal):
        cleaned["price"] = price.quantize(Decimal("0.01"))
    return cleaned


@requires("billing.manage_contracts")
def tariff_create(*, by, values: dict[str, Any], request: HttpRequest | None = None) -> Tariff:
    """A price for a service from a date. A new price replaces the open-ended one it follows: that
    one ends the day before (audited). Any other overlap with the service's prices is refused.
    Quotes already made keep the prices copied onto their lines."""
    values = _tariff_values(values)
    _check_tariff(values)
    service, starts, ends = values["service"], values["effective_from"], values["effective_to"]
    with transaction.atomic():
        overlapping = list(_overlapping(service, values["contract"], starts, ends, None).select_for_update())
        open_ended = [t for t in overlapping if t.effective_to is None and t.effective_from < starts]
        if len(overlapping) != len(open_ended):
            raise BillingRefused(
                f"This service already has {_whose(values['contract'])} for some of these dates: "
                "change that price's dates first",
                "effective_from",
            )
        for previous in open_ended:
            before = snapshot(previous, Tariff.AUDITED_FIELDS)
            previous.effective_to = starts - dt.timedelta(days=1)
            previous.updated_by = by
            previous.updated_at = timezone.now()
            previous.save()
            record_change(request=request, actor=by, obj=previous, before=before, fields=Tariff.AUDITED_FIELDS)
        tariff = Tariff.objects.create(created_by=by, updated_by=by, **values)
        record_create(request=request, actor=by, obj=tariff, fields=Tariff.AUDITED_FIELDS)
    return tariff


@requires("billing.manage_contracts")
def tariff_update(*, tariff: Tariff, by, values: dict[str, Any], request: HttpRequest | None = None) -> Tariff:
    """Correct a price or its dates. Quotes already made keep the prices copied onto their lines."""
    values = _tariff_values(values)
    _check_tariff(values)
    with transaction.atomic():
        current = Tariff.objects.select_for_update().get(pk=tariff.pk)
        if _overlapping(
            values["service"], values["contract"], values["effective_from"], values["effective_to"], current
        ).exists():
            raise BillingRefused(
                f"This service already has {_whose(values['contract'])} for some of these dates", "effective_from"
            )
        before = snapshot(current, Tariff.AUDITED_FIELDS)
        for name, value in values.items():
            setattr(current, name, value)
        current.updated_by = by
        current.updated_at = timezone.now()
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=Tariff.AUDITED_FIELDS)
    return current
