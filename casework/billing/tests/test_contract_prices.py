"""Contract-specific prices: an optional contract on a tariff row. The lookup prefers the contract's
price in force on the date, else the clinic's; periods may not overlap within one (service,
contract); a price added later never changes a quote already made."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.billing.choices import BillableService, QuoteStatus
from casework.billing.models import Tariff
from casework.billing.queries import tariff_in_force
from casework.billing.services import contracts
from casework.billing.services._shared import BillingRefused
from casework.billing.tests import helpers

pytestmark = pytest.mark.django_db
SERVICE = BillableService.ASSESSMENT_COMMUNITY
TODAY = timezone.localdate


def _price(cast, price, starts, ends=None, contract=None, service=SERVICE):
    return contracts.tariff_create(
        by=cast.finance,
        values={
            "service": service,
            "contract": contract,
            "price": Decimal(price),
            "vat_treatment": "exempt",
            "effective_from": starts,
            "effective_to": ends,
        },
    )


def test_the_lookup_prefers_the_contracts_price_in_force_and_falls_back_to_the_clinics(cast):
    today = TODAY()
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A")
    other = helpers.contract(cast.finance, cast.organisation, reference="C-B")
    clinic = _price(cast, "1200", today - dt.timedelta(days=300))
    agreed = _price(cast, "950", today - dt.timedelta(days=30), today + dt.timedelta(days=30), contract=agreement)
    assert tariff_in_force(SERVICE, today, agreement) == agreed
    assert tariff_in_force(SERVICE, today, other) == clinic
    assert tariff_in_force(SERVICE, today) == clinic
    # Before and after the contract's price, the clinic's applies.
    assert tariff_in_force(SERVICE, today - dt.timedelta(days=31), agreement) == clinic
    assert tariff_in_force(SERVICE, today + dt.timedelta(days=31), agreement) == clinic


def test_a_quote_under_the_contract_copies_the_contracts_price(cast):
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A")
    _price(cast, "1200", TODAY() - dt.timedelta(days=300))
    _price(cast, "950", TODAY() - dt.timedelta(days=30), contract=agreement)
    quote = helpers.quote(cast, agreement=agreement)
    assert quote.lines.get().unit_price == Decimal("950.00") and quote.total == Decimal("950.00")
    elsewhere = helpers.quote(cast, organisation=cast.other_organisation)
    assert elsewhere.lines.get().unit_price == Decimal("1200.00")


def test_a_contract_price_added_later_does_not_change_a_past_quote(cast):
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A")
    _price(cast, "1200", TODAY() - dt.timedelta(days=300))
    past = helpers.quote(cast, agreement=agreement, status=QuoteStatus.ACCEPTED)
    _price(cast, "800", TODAY() - dt.timedelta(days=10), contract=agreement)
    past.refresh_from_db()
    line = past.lines.get()
    assert line.unit_price == Decimal("1200.00") and past.total == Decimal("1200.00")
    assert line.tariff.contract is None


def test_overlap_rules_apply_per_service_and_contract(cast):
    today = TODAY()
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A")
    other = helpers.contract(cast.finance, cast.organisation, reference="C-B")
    _price(cast, "1200", today - dt.timedelta(days=300))
    # A contract's price may run beside the clinic's, and beside another contract's.
    first = _price(cast, "950", today - dt.timedelta(days=30), today + dt.timedelta(days=30), contract=agreement)
    _price(cast, "990", today - dt.timedelta(days=30), today + dt.timedelta(days=30), contract=other)
    # Not beside the same contract's own price for the same service...
    with pytest.raises(BillingRefused) as refused:
        _price(cast, "900", today, today + dt.timedelta(days=5), contract=agreement)
    assert "under contract C-A" in str(refused.value) and refused.value.field == "effective_from"
    # ...though another service under the same contract is its own.
    _price(cast, "300", today, contract=agreement, service=BillableService.TREATMENT_SESSION)
    # Correcting a contract's price is checked against that contract's prices only.
    contracts.tariff_update(
        tariff=first,
        by=cast.finance,
        values={
            "service": SERVICE,
            "contract": agreement,
            "price": Decimal("975"),
            "vat_treatment": "exempt",
            "effective_from": first.effective_from,
            "effective_to": None,
        },
    )
    assert tariff_in_force(SERVICE, today + dt.timedelta(days=100), agreement).price == Decimal("975.00")


def test_a_new_contract_price_ends_that_contracts_open_ended_one_only(cast):
    today = TODAY()
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A")
    clinic = _price(cast, "1200", today - dt.timedelta(days=300))
    old = _price(cast, "950", today - dt.timedelta(days=30), contract=agreement)
    _price(cast, "975", today + dt.timedelta(days=10), contract=agreement)
    old.refresh_from_db()
    clinic.refresh_from_db()
    assert old.effective_to == today + dt.timedelta(days=9)
    assert clinic.effective_to is None


def test_a_contract_price_must_start_before_the_contract_ends(cast):
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-A", days_left=5)
    with pytest.raises(BillingRefused) as refused:
        _price(cast, "950", TODAY() + dt.timedelta(days=6), contract=agreement)
    assert refused.value.field == "effective_from"


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def test_finance_adds_a_contract_price_through_the_form_and_sees_it_on_the_pages(cast, client_for):
    agreement = helpers.contract(cast.finance, cast.organisation, reference="C-FORM")
    client = client_for(cast.finance)
    form = client.get(reverse("billing:tariff_create") + f"?contract={agreement.pk}").content.decode()
    assert f"C-FORM ({cast.organisation.name})" in form and "None: the clinic&#39;s price" in form
    assert f'<option value="{agreement.pk}" selected' in form
    data = {"service": SERVICE, "price": "999.00", "vat_treatment": "exempt", "contract": str(agreement.pk)}
    data.update(_date("effective_from", TODAY()))
    response = client.post(reverse("billing:tariff_create"), data)
    assert response.status_code == 302
    assert Tariff.objects.get().contract == agreement
    assert "Contract C-FORM" in client.get(reverse("billing:tariffs")).content.decode()
    page = client.get(reverse("billing:contract", args=[agreement.pk])).content.decode()
    assert "Prices agreed under this contract" in page and "£999.00" in page
    filtered = client.get(reverse("billing:tariffs") + f"?contract={agreement.pk}").content.decode()
    assert 'data-testid="contract-filter"' in filtered and "£999.00" in filtered


def test_an_unknown_contract_on_the_form_is_refused_by_its_field(cast, client_for):
    data = {"service": SERVICE, "price": "999.00", "vat_treatment": "exempt", "contract": "999999"}
    data.update(_date("effective_from", TODAY()))
    response = client_for(cast.finance).post(reverse("billing:tariff_create"), data)
    assert response.status_code == 400
    assert "Select the contract from the list" in response.content.decode()
    assert not Tariff.objects.exists()
