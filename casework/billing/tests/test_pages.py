"""The finance pages: they work for finance officers, refuse other roles, keep what was typed when
a form is refused, and never show the subject of a referral or anything clinical."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.billing.choices import BillableService, QuoteStatus
from casework.billing.models import Contract, Quote, Tariff
from casework.billing.tests import helpers
from casework.core.testing import assert_page_queries_flat

pytestmark = pytest.mark.django_db


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _contract_post(cast, **changes) -> dict[str, str]:
    today = timezone.localdate()
    data = {
        "organisation": str(cast.organisation.pk),
        "reference": "NSP-2026-07",
        "purchase_order": "",
        "cap": "25000",
        "terms": "30 days net",
        "invoicing_contact_name": "Accounts payable",
        "invoicing_contact_email": "ap@northshire.example",
        **_date("starts_on", today),
        **_date("ends_on", today + dt.timedelta(days=365)),
    }
    data.update(changes)
    return data


def test_finance_adds_a_contract_through_the_form(cast, client_for):
    response = client_for(cast.finance).post(reverse("billing:contract_create"), _contract_post(cast))
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("billing:contract", args=[contract.pk])
    assert contract.cap == Decimal("25000.00")
    page = client_for(cast.finance).get(response["Location"]).content.decode()
    assert "NSP-2026-07" in page and "£25,000.00" in page


def test_a_refused_contract_form_says_why_by_the_field_and_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.finance).post(
        reverse("billing:contract_create"), _contract_post(cast, cap="12.345", terms="Keep these terms")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "no more than 2 decimal places" in page
    assert "Keep these terms" in page and "NSP-2026-07" in page
    assert not Contract.objects.exists()


def test_a_contract_ending_before_it_starts_is_refused_by_the_end_date(cast, client_for):
    today = timezone.localdate()
    response = client_for(cast.finance).post(
        reverse("billing:contract_create"), _contract_post(cast, **_date("ends_on", today - dt.timedelta(days=1)))
    )
    assert response.status_code == 400
    assert "The end date must be on or after the start date" in response.content.decode()


def test_finance_adds_a_price_to_the_tariff(cast, client_for):
    data = {"service": BillableService.REPORT_PAROLE, "price": "1850.00", "vat_treatment": "exempt"}
    data.update(_date("effective_from", timezone.localdate()))
    response = client_for(cast.finance).post(reverse("billing:tariff_create"), data)
    assert response.status_code == 302
    assert Tariff.objects.get().price == Decimal("1850.00")
    assert "£1,850.00" in client_for(cast.finance).get(reverse("billing:tariffs")).content.decode()


def test_the_standard_rate_is_not_offered_unless_configured(cast, client_for, settings):
    settings.BILLING_STANDARD_VAT_RATE = None
    page = client_for(cast.finance).get(reverse("billing:tariff_create")).content.decode()
    assert 'value="standard"' not in page


def test_finance_quotes_for_a_referral_from_start_to_sent(cast, client_for):
    helpers.contract(cast.finance, cast.organisation, reference="NSP-Q")
    helpers.tariff(cast.finance, BillableService.ASSESSMENT_CUSTODY, "1500")
    referral = helpers.referral(cast.organisation)
    client = client_for(cast.finance)
    assert referral.reference in client.get(reverse("billing:referrals")).content.decode()
    contract = Contract.objects.get()
    response = client.post(reverse("billing:quote_create", args=[referral.reference]), {"contract": contract.pk})
    quote = Quote.objects.get()
    assert response["Location"] == reverse("billing:quote", args=[quote.pk])
    client.post(
        reverse("billing:quote_line_add", args=[quote.pk]),
        {"service": BillableService.ASSESSMENT_CUSTODY, "quantity": "1"},
    )
    assert client.post(reverse("billing:quote_send", args=[quote.pk])).status_code == 302
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.SENT and quote.total == Decimal("1500.00")
    # The referral now has a live quote: it leaves the list of referrals to quote for.
    assert referral.reference not in client.get(reverse("billing:referrals")).content.decode()


def test_a_line_with_no_price_is_refused_by_the_service_field(cast, client_for):
    quote = helpers.quote(cast, lines=())
    response = client_for(cast.finance).post(
        reverse("billing:quote_line_add", args=[quote.pk]), {"service": BillableService.REPORT_BAIL, "quantity": "2"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "add it to the tariff first" in page
    assert 'value="2"' in page


def test_sending_an_empty_quote_says_why(cast, client_for):
    quote = helpers.quote(cast, lines=())
    response = client_for(cast.finance).post(reverse("billing:quote_send", args=[quote.pk]))
    assert response.status_code == 400
    assert "Add at least one service" in response.content.decode()


def test_finance_pages_never_show_the_subject_or_clinical_content(cast, client_for):
    quote = helpers.quote(cast, status=QuoteStatus.SENT)
    client = client_for(cast.finance)
    for url in (
        reverse("billing:quotes"),
        reverse("billing:quote", args=[quote.pk]),
        reverse("billing:referral", args=[quote.referral.reference]),
        reverse("billing:referrals"),
        reverse("billing:contract", args=[quote.contract.pk]),
        reverse("core:my_work"),
    ):
        page = client.get(url).content.decode()
        assert helpers.SUBJECT_CANARY not in page, url
        assert helpers.CLINICAL_CANARY not in page, url
        assert quote.referral.subject_given_name not in page, url


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "researcher", "sysadmin", "agency"])
def test_other_roles_may_not_open_a_quote(cast, client_for, role):
    quote = helpers.quote(cast)
    assert client_for(cast.by_name(role)).get(reverse("billing:quote", args=[quote.pk])).status_code == 403


def test_a_quote_that_does_not_exist_is_404(cast, client_for):
    assert client_for(cast.finance).get(reverse("billing:quote", args=[999999])).status_code == 404


def test_removing_a_line_recounts_the_total(cast, client_for):
    quote = helpers.quote(cast)
    line = quote.lines.get()
    client_for(cast.finance).post(reverse("billing:quote_line_remove", args=[quote.pk, line.pk]))
    quote.refresh_from_db()
    assert quote.total == Decimal("0.00") and not quote.lines.exists()


def test_the_quote_list_paginates(cast, client_for, settings):
    for _ in range(3):
        helpers.quote(cast)
    page = client_for(cast.finance).get(reverse("billing:quotes") + "?status=draft").content.decode()
    assert page.count('href="/billing/quotes/') >= 3


def test_my_work_shows_finance_the_quotes_awaiting_acceptance_and_contracts_ending(cast, client_for):
    waiting = helpers.quote(cast, status=QuoteStatus.SENT)
    ending = helpers.contract(cast.finance, cast.other_organisation, reference="ENDS-SOON", days_left=20)
    page = client_for(cast.finance).get(reverse("core:my_work")).content.decode()
    assert "Quotes awaiting acceptance" in page and waiting.reference in page
    assert "Contracts ending within 60 days" in page and ending.reference in page
    clinician_page = client_for(cast.clinician).get(reverse("core:my_work")).content.decode()
    assert "Quotes awaiting acceptance" not in clinician_page


def test_my_work_for_finance_runs_a_fixed_number_of_queries(cast, client_for):
    helpers.quote(cast, status=QuoteStatus.SENT)

    def grow():
        for number in range(3):
            helpers.quote(cast, status=QuoteStatus.SENT)
            helpers.contract(cast.finance, cast.organisation, reference=f"E-{number}", days_left=10)

    assert_page_queries_flat(client_for(cast.finance), reverse("core:my_work"), grow=grow)


@pytest.mark.parametrize("name", ["billing:quotes", "billing:contracts", "billing:tariffs", "billing:referrals"])
def test_the_finance_lists_run_a_fixed_number_of_queries(cast, client_for, name):
    helpers.quote(cast, status=QuoteStatus.SENT)
    helpers.referral(cast.organisation)
    today = timezone.localdate()

    def grow():
        for number in range(3):
            helpers.quote(cast, status=QuoteStatus.SENT)
            helpers.referral(cast.organisation)
            helpers.tariff(
                cast.finance,
                BillableService.REPORT_BAIL,
                "10",
                days_ago=900 - 100 * number,
                effective_to=today - dt.timedelta(days=850 - 100 * number),
            )

    assert_page_queries_flat(client_for(cast.finance), reverse(name), grow=grow)
