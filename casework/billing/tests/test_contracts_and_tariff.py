"""Contracts and the tariff: finance officers (and system administrators) keep them, audited; the
tariff's periods never overlap, and a new price ends the one before it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.billing.choices import BillableService, VatTreatment, report_service
from casework.billing.models import Tariff
from casework.billing.queries import tariff_in_force
from casework.billing.services import contracts
from casework.billing.services._shared import BillingRefused
from casework.billing.tests import helpers
from casework.reports.choices import ReportType

pytestmark = pytest.mark.django_db


def _contract_values(cast, **changes):
    today = timezone.localdate()
    values = {
        "organisation": cast.organisation,
        "reference": "NSP-2026-01",
        "purchase_order": "PO-1",
        "starts_on": today,
        "ends_on": today + dt.timedelta(days=365),
        "cap": Decimal("50000.00"),
        "terms": "30 days",
        "invoicing_contact_name": "Accounts",
        "invoicing_contact_email": "accounts@example.org",
    }
    values.update(changes)
    return values


def test_every_report_type_has_a_billable_service():
    assert {report_service(kind) for kind in ReportType.values} <= set(BillableService)


def test_a_finance_officer_adds_and_changes_a_contract_audited(cast):
    made = contracts.contract_create(by=cast.finance, values=_contract_values(cast))
    assert made.cap == Decimal("50000.00")
    changed = contracts.contract_update(contract=made, by=cast.finance, values=_contract_values(cast, cap=None))
    assert changed.cap is None
    events = AuditEvent.objects.filter(object_type="billing.contract", object_id=str(made.pk))
    assert list(events.order_by("sequence").values_list("action", flat=True)) == ["create", "update"]


def test_a_system_administrator_may_keep_contracts(cast):
    assert contracts.contract_create(by=cast.sysadmin, values=_contract_values(cast)).pk


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "researcher", "agency"])
def test_other_roles_may_not_keep_contracts_or_prices(cast, role):
    with pytest.raises(PermissionDenied):
        contracts.contract_create(by=cast.by_name(role), values=_contract_values(cast))
    with pytest.raises(PermissionDenied):
        contracts.tariff_create(
            by=cast.by_name(role),
            values={"service": "consultation", "price": Decimal("1"), "effective_from": timezone.localdate()},
        )


def test_a_contract_must_end_after_it_starts_and_have_its_own_reference(cast):
    today = timezone.localdate()
    with pytest.raises(BillingRefused) as refused:
        contracts.contract_create(by=cast.finance, values=_contract_values(cast, ends_on=today - dt.timedelta(days=1)))
    assert refused.value.field == "ends_on"
    contracts.contract_create(by=cast.finance, values=_contract_values(cast))
    with pytest.raises(BillingRefused) as refused:
        contracts.contract_create(by=cast.finance, values=_contract_values(cast, reference="nsp-2026-01"))
    assert refused.value.field == "reference"


def _price(cast, price, starts, ends=None, service=BillableService.CONSULTATION, vat=VatTreatment.EXEMPT):
    return contracts.tariff_create(
        by=cast.finance,
        values={
            "service": service,
            "price": Decimal(price),
            "vat_treatment": vat,
            "effective_from": starts,
            "effective_to": ends,
        },
    )


def test_a_new_price_ends_the_open_ended_one_before_it(cast):
    today = timezone.localdate()
    old = _price(cast, "400", today - dt.timedelta(days=100))
    new = _price(cast, "450", today + dt.timedelta(days=10))
    old.refresh_from_db()
    assert old.effective_to == today + dt.timedelta(days=9)
    assert tariff_in_force(BillableService.CONSULTATION, today) == old
    assert tariff_in_force(BillableService.CONSULTATION, today + dt.timedelta(days=10)) == new
    assert AuditEvent.objects.filter(object_type="billing.tariff", object_id=str(old.pk), action="update").exists()


def test_overlapping_prices_are_refused(cast):
    today = timezone.localdate()
    _price(cast, "400", today - dt.timedelta(days=100), today + dt.timedelta(days=100))
    with pytest.raises(BillingRefused) as refused:
        _price(cast, "450", today)
    assert refused.value.field == "effective_from"
    assert Tariff.objects.count() == 1


def test_standard_rate_vat_is_refused_unless_a_rate_is_configured(cast, settings):
    today = timezone.localdate()
    settings.BILLING_STANDARD_VAT_RATE = None
    with pytest.raises(BillingRefused) as refused:
        _price(cast, "100", today, vat=VatTreatment.STANDARD)
    assert refused.value.field == "vat_treatment"
    settings.BILLING_STANDARD_VAT_RATE = "20"
    assert _price(cast, "100", today, vat=VatTreatment.STANDARD).vat_treatment == VatTreatment.STANDARD


def test_prices_default_to_vat_exempt(cast):
    made = contracts.tariff_create(
        by=cast.finance,
        values={"service": "consultation", "price": Decimal("100"), "effective_from": timezone.localdate()},
    )
    assert made.vat_treatment == VatTreatment.EXEMPT


def test_contracts_ending_soon_are_those_in_force_ending_within_60_days(cast):
    from casework.billing.queries import contracts_ending_soon

    soon = helpers.contract(cast.finance, cast.organisation, reference="SOON", days_left=30)
    helpers.contract(cast.finance, cast.organisation, reference="LATER", days_left=90)
    today = timezone.localdate()
    helpers.contract(
        cast.finance,
        cast.organisation,
        reference="ENDED",
        starts_on=today - dt.timedelta(days=100),
        ends_on=today - dt.timedelta(days=1),
    )
    assert list(contracts_ending_soon(cast.finance, today)) == [soon]
    assert list(contracts_ending_soon(cast.clinical_lead, today)) == []
