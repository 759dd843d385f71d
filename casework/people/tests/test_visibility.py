"""Who sees which persons (persons_visible_to) and whose sealed details (can_see_sealed_details)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.access.breakglass import open_grant as break_glass_open
from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.people import services
from casework.people.models import CareTeamRole
from casework.people.queries import can_see_sealed_details, persons_visible_to, sealed_details_visible_ids
from casework.people.tests.factories import create_person
from casework.referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


def _visible(user) -> set:
    return set(persons_visible_to(user))


def test_coordinators_and_clinical_leads_see_everyone(cast, world):
    everyone = {world.subject, world.victim, world.loner}
    assert _visible(cast.coordinator) == everyone
    assert _visible(cast.clinical_lead) == everyone


def test_a_clinician_sees_persons_linked_to_referrals_allocated_to_them(cast, world):
    assert _visible(cast.clinician) == {world.subject, world.victim}


def test_a_clinician_not_on_the_referral_sees_no_one(cast, world):
    assert _visible(cast.other_clinician) == set()


def test_a_clinician_sees_a_person_on_whose_care_team_they_are(cast, world):
    services.care_team_add(
        person=world.loner, user=cast.other_clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
    )
    assert _visible(cast.other_clinician) == {world.loner}


def test_a_clinician_sees_the_subject_of_a_referral_opened_by_break_glass(cast, world):
    """Not its other parties: a victim named in a referral is read there by the name as given, and
    her person record (which may hold a new identity) stays closed (casework.access.scopes)."""
    break_glass_open(user=cast.other_clinician, obj=world.referral, reason="Urgent risk call from the police tonight")
    assert _visible(cast.other_clinician) == {world.subject}


def test_a_clinician_as_second_assessor_sees_the_persons(cast, world):
    referral = ReferralFactory(second_assessor=cast.other_clinician)
    services.referral_link(referral=referral, named_party=None, person=world.loner, by=cast.coordinator)
    assert _visible(cast.other_clinician) == {world.loner}


def test_a_draft_referral_does_not_make_its_persons_visible(cast, world):
    from casework.referrals.tests.factories import DraftReferralFactory

    draft = DraftReferralFactory(lead_clinician=cast.other_clinician)
    services.referral_link(referral=draft, named_party=None, person=world.loner, by=cast.coordinator)
    assert _visible(cast.other_clinician) == set()


@pytest.mark.parametrize("role", ["finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_other_roles_see_no_one(cast, world, role):
    assert _visible(cast.by_name(role)) == set()


def test_a_disabled_account_sees_no_one(cast, world):
    cast.coordinator.is_active = False
    cast.coordinator.save()
    assert _visible(cast.coordinator) == set()


def test_a_merged_away_person_is_hidden_from_everyone(cast, world):
    services.person_merge(source=world.loner, target=world.subject, by=cast.clinical_lead, reason="Same man")
    assert world.loner not in _visible(cast.coordinator)
    assert world.loner not in _visible(cast.clinical_lead)


# --- Sealed details ---------------------------------------------------------------------------------


def test_the_care_team_sees_sealed_details(cast, world):
    assert can_see_sealed_details(cast.clinician, world.victim)


@pytest.mark.parametrize("role", ["coordinator", "clinical_lead", "other_clinician", "finance", "agency"])
def test_no_one_else_sees_sealed_details_not_even_a_clinical_lead(cast, world, role):
    assert not can_see_sealed_details(cast.by_name(role), world.victim)


def test_everyone_who_sees_an_unsealed_person_sees_their_details(cast, world):
    assert can_see_sealed_details(cast.coordinator, world.subject)


def test_break_glass_opens_sealed_details_until_it_expires(cast, world):
    UserFactory(role=Role.CLINICAL_LEAD, full_name="Second Lead")  # someone independent to tell
    grant = break_glass_open(
        user=cast.clinical_lead, obj=world.victim, reason="Police report an imminent threat to her"
    )
    assert can_see_sealed_details(cast.clinical_lead, world.victim)
    grant.expires_at = timezone.now() - dt.timedelta(minutes=1)
    grant.save()
    assert not can_see_sealed_details(cast.clinical_lead, world.victim)


def test_removing_someone_from_the_care_team_closes_the_details(cast, world):
    member = world.victim.care_team.get(user=cast.clinician)
    services.care_team_remove(member=member, by=cast.clinical_lead)
    assert not can_see_sealed_details(cast.clinician, world.victim)


def test_the_batch_predicate_agrees_with_the_single_one(cast, world):
    other = create_person(by=cast.coordinator, given_name="Second", is_sealed=True)
    ids = [world.victim.pk, other.pk]
    assert sealed_details_visible_ids(cast.clinician, ids) == {world.victim.pk}
    assert sealed_details_visible_ids(cast.coordinator, ids) == set()
