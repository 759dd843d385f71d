"""The referrals app's records, registered with the access rules (``casework.access``): a referral
is an anchor; its services, named parties, status history, documents and letters follow it."""

from __future__ import annotations

from casework.access import registry
from casework.referrals.models import Letter, NamedParty, Referral, ReferralDocument, RequestedService, Transition


def register() -> None:
    registry.register_referrals(referral=Referral)
    for model in (RequestedService, NamedParty, Transition, ReferralDocument, Letter):
        registry.register(model, within=registry.REFERRAL, path="referral")
