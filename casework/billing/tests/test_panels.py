"""Billing's panels on the staff referral page and the case page (casework.core.panels): the quote's
number, state, total and, once accepted, the purchase order number; and the warning that work to
be charged is not yet agreed. No quote detail reaches an agency user who is not the commissioner."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.urls import reverse

from casework.billing import panels
from casework.billing.choices import QuoteStatus
from casework.billing.services import quotes
from casework.billing.tests import helpers
from casework.cases.tests.factories import make_case

pytestmark = pytest.mark.django_db


def _referral_page(client, referral) -> str:
    response = client.get(reverse("referrals:detail", args=[referral.reference]))
    assert response.status_code == 200
    return response.content.decode()


def _as(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_the_referral_page_shows_the_accepted_quote_with_its_purchase_order(cast, client_for):
    quote = helpers.quote(cast, status=QuoteStatus.ACCEPTED)
    page = _referral_page(client_for(cast.coordinator), quote.referral)
    assert f'data-testid="{panels.QUOTE_PANEL}"' in page
    assert quote.reference in page and "Accepted" in page and "£1,200.00" in page and "PO-7781" in page


def test_a_sent_quote_shows_its_state_and_no_purchase_order(cast, client_for):
    quote = helpers.quote(cast, status=QuoteStatus.SENT)
    page = _referral_page(client_for(cast.clinical_lead), quote.referral)
    assert quote.reference in page and "Sent, awaiting acceptance" in page
    assert "Purchase order number</dt>" not in page


def test_a_referral_under_contract_with_no_quote_says_the_work_is_not_agreed(cast, client_for):
    helpers.contract(cast.finance, cast.organisation)
    referral = helpers.referral(cast.organisation)
    page = _referral_page(client_for(cast.coordinator), referral)
    assert f"work to be charged to {cast.organisation.name} is not yet agreed" in page


def test_no_panel_when_there_is_no_contract_and_no_quote(cast, client_for):
    referral = helpers.referral(cast.organisation)
    page = _referral_page(client_for(cast.coordinator), referral)
    assert f'data-testid="{panels.QUOTE_PANEL}"' not in page


def test_an_agency_that_is_not_the_commissioner_gets_no_quote_detail(cast):
    quote = helpers.quote(cast, status=QuoteStatus.ACCEPTED)
    assert panels.quote_panel(_as(cast.agency_other), quote.referral) == []
    assert panels.quote_panel(_as(cast.researcher), quote.referral) == []
    assert panels.quote_panel(_as(cast.sysadmin), quote.referral) == []


def test_the_commissioner_sees_a_sent_quote_but_never_a_draft(cast):
    draft = helpers.quote(cast)
    assert all(not p.rows for p in panels.quote_panel(_as(cast.agency), draft.referral))
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    (panel,) = panels.quote_panel(_as(cast.agency), sent.referral)
    assert ("Quote", sent.reference) in panel.rows


def test_the_case_page_warns_until_the_quote_is_accepted(cast, client_for):
    agreement = helpers.contract(cast.finance, cast.organisation)
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referring_organisation=cast.organisation)
    warning = f"No accepted quote: work to be charged to {cast.organisation.name} is not yet agreed"
    url = reverse("cases:detail", args=[case.reference])
    assert warning in client_for(cast.clinician).get(url).content.decode()

    helpers.tariff(cast.finance)
    referral = case.case_referrals.get().referral
    quote = quotes.quote_create(referral=referral, contract=agreement, by=cast.finance)
    quotes.quote_line_add(
        quote=quote, service=helpers.BillableService.ASSESSMENT_COMMUNITY, quantity=1, by=cast.finance
    )
    quote = quotes.quote_send(quote=quote, by=cast.finance)
    assert warning in client_for(cast.clinician).get(url).content.decode()  # sent is not agreed
    quotes.quote_accept(quote=quote, by=cast.agency, purchase_order="PO-1")
    assert warning not in client_for(cast.clinician).get(url).content.decode()


def test_the_case_page_has_no_warning_without_a_contract(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referring_organisation=cast.organisation)
    page = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert panels.UNAGREED_PANEL not in page
