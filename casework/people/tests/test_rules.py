"""The people permissions, role by role. ``world.victim`` is sealed with ``cast.clinician`` on its
care team; ``world.subject`` is not sealed and has no care team."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ROLES = ["coordinator", "clinician", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency"]


def _allowed(cast, permission, obj=None) -> set[str]:
    return {role for role in ROLES if cast.by_name(role).has_perm(permission, obj)}


def test_list_and_view(cast):
    assert _allowed(cast, "people.view_list") == {"coordinator", "clinician", "other_clinician", "clinical_lead"}
    assert _allowed(cast, "people.view") == {"coordinator", "clinician", "other_clinician", "clinical_lead"}


def test_create_and_link_referrals(cast):
    assert _allowed(cast, "people.create") == {"coordinator", "clinical_lead"}
    assert _allowed(cast, "people.link_referral") == {"coordinator", "clinical_lead"}


def test_edit(cast, world):
    assert _allowed(cast, "people.edit", world.subject) == {"coordinator", "clinical_lead"}
    assert _allowed(cast, "people.edit", world.victim) == {"coordinator", "clinical_lead", "clinician"}


def test_contact_details_of_a_sealed_person_only_for_the_care_team(cast, world):
    assert _allowed(cast, "people.view_contact_details", world.victim) == {"clinician"}
    assert _allowed(cast, "people.edit_contact_details", world.victim) == {"clinician"}
    assert _allowed(cast, "people.edit_contact_details", world.subject) == {"coordinator", "clinical_lead"}


def test_asked_without_a_person_contact_permissions_refuse(cast):
    assert _allowed(cast, "people.edit_contact_details") == set()
    assert _allowed(cast, "people.view_contact_details") == set()


def test_seal_and_unseal(cast, world):
    assert _allowed(cast, "people.seal", world.subject) == {"coordinator", "clinical_lead"}
    assert _allowed(cast, "people.seal", world.victim) == set()  # already sealed
    assert _allowed(cast, "people.unseal", world.victim) == set()  # the only lead is not on the team
    assert _allowed(cast, "people.unseal", world.subject) == set()  # not sealed


def test_merge_and_care_team(cast):
    assert _allowed(cast, "people.merge") == {"clinical_lead"}
    assert _allowed(cast, "people.manage_care_team") == {"clinical_lead"}


def test_break_glass_for_clinical_staff_outside_the_team(cast, world):
    assert _allowed(cast, "people.break_glass", world.victim) == {"other_clinician", "clinical_lead"}
    assert _allowed(cast, "people.break_glass", world.subject) == set()


def test_a_disabled_account_may_do_nothing(cast, world):
    cast.coordinator.is_active = False
    cast.coordinator.save()
    assert not cast.coordinator.has_perm("people.view_list")
    assert not cast.coordinator.has_perm("people.edit", world.subject)
