"""Accepting a quote copies the commissioner's purchase order number onto the referral's purchase
order field, through the referrals service, audited on the referral."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from casework.audit.models import Action, AuditEvent
from casework.billing.choices import QuoteStatus
from casework.billing.services import quotes
from casework.billing.tests import helpers
from casework.referrals.services import funding

pytestmark = pytest.mark.django_db


def _referral_updates(referral):
    return AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="referrals.referral", object_id=str(referral.pk)
    ).order_by("sequence")


def test_accepting_a_quote_puts_its_purchase_order_on_the_referral(cast):
    sent = helpers.quote(cast, status=QuoteStatus.SENT)
    sent.referral.purchase_order = "typed by the referrer"
    sent.referral.save(update_fields=["purchase_order"])
    quotes.quote_accept(quote=sent, by=cast.agency, purchase_order=" PO-9001 ")
    sent.referral.refresh_from_db()
    assert sent.referral.purchase_order == "PO-9001"
    event = _referral_updates(sent.referral).last()
    assert event is not None and event.actor == cast.agency
    assert "purchase_order" in event.changes


def test_the_same_number_again_writes_nothing(cast):
    quote = helpers.quote(cast, status=QuoteStatus.ACCEPTED)  # PO-7781
    count = _referral_updates(quote.referral).count()
    funding.purchase_order_record(referral=quote.referral, purchase_order="PO-7781", by=cast.agency)
    assert _referral_updates(quote.referral).count() == count


def test_a_rejected_quote_leaves_the_referral_alone(cast):
    quote = helpers.quote(cast, status=QuoteStatus.REJECTED)
    quote.referral.refresh_from_db()
    assert quote.referral.purchase_order == ""


@pytest.mark.parametrize("name", ["agency_other", "clinician", "coordinator", "researcher"])
def test_only_the_commissioner_or_finance_may_record_it(cast, name):
    referral = helpers.referral(cast.organisation)
    with pytest.raises(PermissionDenied):
        funding.purchase_order_record(referral=referral, purchase_order="PO-1", by=cast.by_name(name))
    funding.purchase_order_record(referral=referral, purchase_order="PO-2", by=cast.finance)
    referral.refresh_from_db()
    assert referral.purchase_order == "PO-2"
