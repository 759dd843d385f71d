"""The people app's records, registered with the access rules (``casework.access``): a person is
an anchor; their names, match keys, care team and links to referrals follow them, and so do their
addresses, numbers, emails and online identifiers, which are sealed details besides."""

from __future__ import annotations

from casework.access import registry
from casework.people.models import (
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonMatchKey,
    PersonName,
    PersonPhone,
    ReferralPersonLink,
)


def register() -> None:
    registry.register_people(person=Person, care_team=PersonCareTeam, referral_link=ReferralPersonLink)
    for model in (PersonName, PersonMatchKey, PersonCareTeam, ReferralPersonLink):
        registry.register(model, within=registry.PERSON, path="person")
    # Contact details: a sealed person's are for their care team and break-glass only.
    for contact_model in (PersonAddress, PersonPhone, PersonEmail, OnlineIdentifier):
        registry.register(contact_model, within=registry.PERSON, path="person", sealed=True)
