"""A small person index for the people tests.

``world.referral`` is from ``cast.organisation``, allocated to ``cast.clinician``; its subject is
``world.subject`` and its named victim is ``world.victim``, a sealed person whose care team is
``cast.clinician`` alone. Every contact detail of the victim is a canary value that must never
reach anyone outside the care team. ``world.loner`` is linked to nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from casework.people import services
from casework.people.models import CareTeamRole, OnlineIdentifier, PersonAddress, PersonEmail, PersonPhone, Platform
from casework.people.tests.factories import create_person
from casework.referrals.choices import PartyRole
from casework.referrals.tests.factories import ReferralFactory

CANARIES = {
    "address": "42 Canaryvictim Gardens",
    "postcode": "LS1 4AP",
    "phone": "0113 496 0777",
    "phone_e164": "+441134960777",
    "email": "canary.victim@example.org",
    "handle": "@canaryvictimhandle",
    "workplace": "Canaryvictim Accountancy Ltd",
}


def canaries_in(html: str) -> list[str]:
    """Canary values found in a page (phone numbers in every form they are shown)."""
    forms = dict(CANARIES)
    forms["phone_national"] = "0113 496 0777"
    forms["phone_digits"] = "1134960777"
    return [name for name, value in forms.items() if value.lower() in html.lower()]


@dataclass
class World:
    referral: object
    party: object
    subject: object
    victim: object
    loner: object


@pytest.fixture
def world(cast):
    party_name = "Vera Victim"
    referral = ReferralFactory(
        referring_organisation=cast.organisation,
        lead_clinician=cast.clinician,
        subject_given_name="Peter",
        subject_family_name="Perpetrator",
        subject_date_of_birth=dt.date(1980, 2, 3),
        parties=[{"role": PartyRole.VICTIM, "name": party_name, "relationship_to_subject": "Former partner"}],
    )
    party = referral.named_parties.get()
    subject = create_person(
        by=cast.coordinator,
        given_name="Peter",
        family_name="Perpetrator",
        date_of_birth=dt.date(1980, 2, 3),
        sex="male",
        nhs_number="9434765919",
    )
    victim = create_person(
        by=cast.coordinator,
        given_name="Vera",
        family_name="Victim",
        date_of_birth=dt.date(1986, 7, 21),
        nhs_number="6541003238",
        workplace=CANARIES["workplace"],
    )
    by = cast.coordinator
    services.detail_add(
        person=victim, model=PersonAddress, by=by, address=CANARIES["address"], postcode=CANARIES["postcode"]
    )
    services.detail_add(person=victim, model=PersonPhone, by=by, number=CANARIES["phone"])
    services.detail_add(person=victim, model=PersonEmail, by=by, address=CANARIES["email"])
    services.detail_add(
        person=victim, model=OnlineIdentifier, by=by, platform=Platform.INSTAGRAM, handle=CANARIES["handle"]
    )
    victim = services.person_seal(person=victim, by=by)
    services.care_team_add(person=victim, user=cast.clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead)
    services.referral_link(referral=referral, named_party=None, person=subject, by=by)
    services.referral_link(referral=referral, named_party=party, person=victim, by=by)
    loner = create_person(by=by, given_name="Lonny", family_name="Loner", date_of_birth=dt.date(1970, 1, 1))
    return World(referral=referral, party=party, subject=subject, victim=victim, loner=loner)
