"""The demo seed: a linked person for every referral's subject and named party, near-duplicates,
sealed victims with care teams; synthetic and idempotent."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from casework.core import identifiers
from casework.core.testing import kept_for_the_module
from casework.demo import people as demo
from casework.demo.context import DemoContext
from casework.demo.tests.conftest import private_copy
from casework.people.models import Person, PersonCareTeam, ReferralPersonLink
from casework.referrals.choices import PartyRole, Status
from casework.referrals.models import Referral

pytestmark = pytest.mark.django_db


def _context() -> DemoContext:
    faker = Faker("en_GB")
    faker.seed_instance(2026)
    return DemoContext(faker=faker, rng=random.Random(2026))


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts as accounts_demo
    from casework.demo import organisations as organisations_demo
    from casework.referrals.tests.factories import ReferralFactory

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            context = _context()
            organisations_demo.seed(context)
            accounts_demo.seed(context)
            for number in range(4):
                ReferralFactory(
                    parties=[
                        {"role": PartyRole.VICTIM, "name": f"Victim Number{number}"},
                        {"role": PartyRole.FAMILY_MEMBER, "name": f"Relative Number{number}"},
                    ]
                )
            demo.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return private_copy(seeded_once)


def test_every_referral_slot_is_linked_to_a_person(seeded):
    for referral in Referral.objects.exclude(status=Status.DRAFT):
        assert ReferralPersonLink.objects.filter(referral=referral, named_party__isnull=True).exists()
        for party in referral.named_parties.all():
            assert ReferralPersonLink.objects.filter(referral=referral, named_party=party).exists()


def test_victims_are_sealed_with_a_care_team(seeded):
    victims = Person.objects.filter(referral_links__named_party__role=PartyRole.VICTIM)
    assert victims.count() == 4
    for victim in victims:
        assert victim.is_sealed
        assert PersonCareTeam.objects.filter(person=victim).exists()
    assert Person.objects.filter(is_sealed=True, given_name="Sarah", family_name="Jones").exists()


def test_nhs_numbers_are_from_the_test_range_and_valid(seeded):
    numbers = [p.nhs_number for p in Person.objects.all() if p.nhs_number]
    assert numbers
    assert all(n.startswith("999") and identifiers.is_valid_nhs_number(n) for n in numbers)
    assert len(numbers) == len(set(numbers))


def test_near_duplicates_are_there_for_the_matching_screens(seeded):
    from casework.people import candidates

    bob = Person.objects.get(given_name="Bob", family_name="Smith")
    robert = Person.objects.get(given_name="Robert", family_name="Smith")
    assert bob.date_of_birth == robert.date_of_birth
    swapped = Person.objects.get(given_name="Daniel", family_name="Whitmore", date_of_birth__month=9)
    assert swapped.date_of_birth.day == 4
    lead = seeded.made["staff"][2]
    record = candidates.person_records(
        candidates.with_details(Person.objects.filter(pk=robert.pk)).get(), include_contact=True
    )[0]
    assert bob in [c.person for c in candidates.candidates_for(lead, record, exclude_ids=[robert.pk])]


def test_seeding_twice_adds_nothing(seeded):
    before = (Person.objects.count(), ReferralPersonLink.objects.count(), PersonCareTeam.objects.count())
    demo.seed(_context())
    assert (Person.objects.count(), ReferralPersonLink.objects.count(), PersonCareTeam.objects.count()) == before
