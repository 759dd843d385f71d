"""Editing a referral keeps its named parties' identities, so their person links survive."""

from __future__ import annotations

from casework.people import services as people_services
from casework.people.models import ReferralPersonLink
from casework.people.tests.factories import create_person
from casework.referrals.services.intake import referral_update
from casework.referrals.tests.factories import NamedPartyFactory, ReferralFactory


def test_editing_a_partys_details_keeps_its_id_and_person_link(cast):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    victim = NamedPartyFactory(referral=referral, role="victim", name="Alex Example")
    person = create_person(by=cast.coordinator, given_name="Alex", family_name="Example")
    people_services.referral_link(referral=referral, named_party=victim, person=person, by=cast.coordinator)

    referral_update(
        referral=referral,
        by=cast.coordinator,
        parties=[
            {"role": "victim", "name": "Alex Example-Jones", "relationship_to_subject": "Former partner", "details": ""}
        ],
    )

    (party,) = referral.named_parties.all()
    assert party.pk == victim.pk
    assert party.name == "Alex Example-Jones"
    assert ReferralPersonLink.objects.filter(named_party=party, person=person).exists()


def test_removing_a_party_removes_only_that_party(cast):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    first = NamedPartyFactory(referral=referral, role="victim", name="First Person")
    second = NamedPartyFactory(referral=referral, role="family_member", name="Second Person")

    referral_update(
        referral=referral,
        by=cast.coordinator,
        parties=[{"id": second.pk, "role": "family_member", "name": "Second Person", "details": ""}],
    )

    assert list(referral.named_parties.values_list("pk", flat=True)) == [second.pk]
    assert not type(first).objects.filter(pk=first.pk).exists()


def test_adding_a_party_keeps_the_existing_ones(cast):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    first = NamedPartyFactory(referral=referral, role="victim", name="First Person")

    referral_update(
        referral=referral,
        by=cast.coordinator,
        parties=[
            {"role": "victim", "name": "First Person", "details": ""},
            {"role": "new_partner", "name": "New Partner", "details": ""},
        ],
    )

    parties = list(referral.named_parties.order_by("id"))
    assert parties[0].pk == first.pk
    assert [p.name for p in parties] == ["First Person", "New Partner"]
