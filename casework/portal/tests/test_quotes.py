"""Quotes in the portal: the commissioning agency sees its organisation's quotes and accepts (with a
purchase order number) or rejects (with a reason) one awaiting its answer; another organisation's
quote is 404; a draft is never shown; clinic staff are refused the portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.billing.choices import QuoteStatus
from casework.billing.tests import helpers
from casework.core.testing import assert_page_queries_flat

pytestmark = pytest.mark.django_db


def test_the_agency_sees_its_organisations_quotes_but_not_drafts(cast, client_for):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    draft = helpers.quote(cast)
    page = client_for(cast.agency).get(reverse("portal:quotes")).content.decode()
    assert sent.reference in page and "Awaiting your answer" in page
    assert draft.reference not in page
    assert client_for(cast.agency).get(reverse("portal:quote", args=[draft.pk])).status_code == 404


def test_another_organisation_neither_lists_nor_opens_the_quote(cast, client_for):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    theirs = helpers.quote(cast, organisation=cast.other_organisation, status=QuoteStatus.SENT)
    other = client_for(cast.agency_other)
    page = other.get(reverse("portal:quotes")).content.decode()
    assert sent.reference not in page and theirs.reference in page
    for name in ("portal:quote", "portal:quote_accept", "portal:quote_reject"):
        assert other.get(reverse(name, args=[sent.pk])).status_code == 404
    assert other.post(reverse("portal:quote_accept", args=[sent.pk]), {"purchase_order": "X"}).status_code == 404
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.SENT


def test_the_agency_accepts_a_quote_with_its_purchase_order_number(cast, client_for):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    client = client_for(cast.agency)
    refused = client.post(reverse("portal:quote_accept", args=[sent.pk]), {"purchase_order": ""})
    assert refused.status_code == 400 and "Enter your purchase order number" in refused.content.decode()
    response = client.post(reverse("portal:quote_accept", args=[sent.pk]), {"purchase_order": "PO-99812"})
    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.ACCEPTED and sent.purchase_order == "PO-99812"
    assert "PO-99812" in client.get(reverse("portal:quote", args=[sent.pk])).content.decode()


def test_the_agency_rejects_a_quote_saying_why(cast, client_for):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    client = client_for(cast.agency)
    refused = client.post(reverse("portal:quote_reject", args=[sent.pk]), {"reason": ""})
    assert refused.status_code == 400 and "Enter why you are rejecting the quote" in refused.content.decode()
    client.post(reverse("portal:quote_reject", args=[sent.pk]), {"reason": "The court adjourned"})
    sent.refresh_from_db()
    assert sent.status == QuoteStatus.REJECTED and sent.rejection_reason == "The court adjourned"


def test_an_answered_quote_cannot_be_answered_again(cast, client_for):
    accepted = helpers.quote(cast, status=QuoteStatus.ACCEPTED)
    response = client_for(cast.agency).post(reverse("portal:quote_reject", args=[accepted.pk]), {"reason": "Late"})
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert accepted.status == QuoteStatus.ACCEPTED


def test_the_portal_quote_never_shows_the_subject_or_clinical_content(cast, client_for):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    page = client_for(cast.agency).get(reverse("portal:quote", args=[sent.pk])).content.decode()
    assert helpers.SUBJECT_CANARY not in page and helpers.CLINICAL_CANARY not in page


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "finance", "researcher", "sysadmin"])
def test_clinic_staff_are_refused_the_portal_quotes(cast, client_for, role):
    assert client_for(cast.by_name(role)).get(reverse("portal:quotes")).status_code == 403


def test_a_quote_for_a_referral_across_an_information_barrier_is_not_shown_to_the_stalkers_referrer(cast, client_for):
    """Vera's referral sits across a barrier from Stan's, which the agency user sent: the quote for
    her work, sent to their organisation, is not theirs to see; a colleague who sent nothing about
    Stan sees it."""
    from casework.accounts.tests.factories import UserFactory
    from casework.billing.services import quotes
    from casework.core.roles import Role

    vera_referral, _ = helpers.referral_across_a_barrier(cast)
    agreement = helpers.contract(cast.finance, cast.organisation, reference="BARRIER")
    helpers.tariff(cast.finance)
    quote = quotes.quote_create(referral=vera_referral, contract=agreement, by=cast.finance)
    quotes.quote_line_add(quote=quote, service="assessment_community", quantity=1, by=cast.finance)
    quote.refresh_from_db()
    quotes.quote_send(quote=quote, by=cast.finance)
    client = client_for(cast.agency)
    assert quote.reference not in client.get(reverse("portal:quotes")).content.decode()
    assert client.get(reverse("portal:quote", args=[quote.pk])).status_code == 404
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    assert quote.reference in client_for(colleague).get(reverse("portal:quotes")).content.decode()


def test_the_portal_quote_list_runs_a_fixed_number_of_queries(cast, client_for):
    helpers.quote(cast, status=QuoteStatus.SENT)

    def grow():
        for _ in range(3):
            helpers.quote(cast, status=QuoteStatus.ACCEPTED)

    assert_page_queries_flat(client_for(cast.agency), reverse("portal:quotes"), grow=grow)
