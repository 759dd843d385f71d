"""Each accounts permission, for every member of the cast, and each object predicate."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from casework.accounts import rules as account_rules
from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role

STAFF = ["coordinator", "clinician", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin"]
EVERYONE = [*STAFF, "agency", "agency_other"]


def _holders(cast, permission: str, obj=None) -> set[str]:
    return {name for name in EVERYONE if cast.by_name(name).has_perm(permission, obj)}


def test_only_system_administrators_manage_users(cast):
    assert _holders(cast, "accounts.manage_users") == {"sysadmin"}


def test_system_administrators_and_clinical_leads_view_staff(cast):
    assert _holders(cast, "accounts.view_staff") == {"sysadmin", "clinical_lead"}


def test_view_staff_only_is_the_clinical_lead_who_does_not_manage_users(cast):
    assert _holders(cast, "accounts.view_staff_only") == {"clinical_lead"}


def test_system_administrators_and_clinical_leads_manage_training(cast):
    assert _holders(cast, "accounts.manage_training") == {"sysadmin", "clinical_lead"}


def test_signed_out_visitor_holds_no_accounts_permission(db):
    visitor = AnonymousUser()
    for permission in (
        "accounts.manage_users",
        "accounts.view_staff",
        "accounts.view_staff_only",
        "accounts.manage_training",
        "accounts.manage_own_security",
    ):
        assert not visitor.has_perm(permission)


def test_a_disabled_system_administrator_holds_nothing(db):
    former = UserFactory(role=Role.SYSTEM_ADMINISTRATOR, is_active=False)
    # ModelBackend refuses inactive users outright; the predicates refuse them too.
    assert not account_rules.is_system_administrator(former)


# --- Object predicates ---------------------------------------------------------------------


def test_is_self_compares_the_account_acted_on(cast):
    assert account_rules.is_self(cast.sysadmin, cast.sysadmin)
    assert not account_rules.is_self(cast.sysadmin, cast.clinician)
    assert not account_rules.is_self(cast.sysadmin, None)


def test_subject_predicates(cast):
    disabled = UserFactory(role=Role.CLINICIAN, is_active=False)
    assert account_rules.subject_is_staff(cast.sysadmin, cast.clinician)
    assert not account_rules.subject_is_staff(cast.sysadmin, cast.agency)
    assert not account_rules.subject_is_staff(cast.sysadmin, None)
    assert account_rules.subject_is_active(cast.sysadmin, cast.clinician)
    assert not account_rules.subject_is_active(cast.sysadmin, disabled)
    assert account_rules.subject_is_disabled(cast.sysadmin, disabled)
    assert not account_rules.subject_is_disabled(cast.sysadmin, cast.clinician)
    assert not account_rules.subject_is_disabled(cast.sysadmin, None)
    assert account_rules.has_subject(cast.sysadmin, cast.clinician)
    assert not account_rules.has_subject(cast.sysadmin, None)


@pytest.mark.parametrize(
    "permission",
    [
        "accounts.change_user",
        "accounts.change_role",
        "accounts.disable_user",
        "accounts.enable_user",
        "accounts.reset_second_factor",
        "accounts.unlock_user",
        "accounts.issue_set_password_link",
    ],
)
def test_account_actions_are_refused_without_an_account(cast, permission):
    assert not cast.sysadmin.has_perm(permission)


@pytest.mark.parametrize(
    "permission",
    [
        "accounts.change_user",
        "accounts.change_role",
        "accounts.disable_user",
        "accounts.reset_second_factor",
        "accounts.unlock_user",
        "accounts.issue_set_password_link",
    ],
)
def test_only_system_administrators_act_on_an_active_account(cast, permission):
    assert _holders(cast, permission, cast.clinician) == {"sysadmin"}


def test_nobody_changes_their_own_role_or_disables_themselves(cast):
    me = cast.sysadmin
    assert me.has_perm("accounts.change_user", me)  # their own name and telephone number
    assert not me.has_perm("accounts.change_role", me)
    assert not me.has_perm("accounts.disable_user", me)
    assert not me.has_perm("accounts.reset_second_factor", me)
    assert not me.has_perm("accounts.issue_set_password_link", me)


def test_disable_and_enable_follow_the_account_state(cast):
    disabled = UserFactory(role=Role.CLINICIAN, is_active=False)
    assert cast.sysadmin.has_perm("accounts.disable_user", cast.clinician)
    assert not cast.sysadmin.has_perm("accounts.enable_user", cast.clinician)
    assert cast.sysadmin.has_perm("accounts.enable_user", disabled)
    assert not cast.sysadmin.has_perm("accounts.disable_user", disabled)
    assert not cast.sysadmin.has_perm("accounts.issue_set_password_link", disabled)
    assert not cast.clinical_lead.has_perm("accounts.enable_user", disabled)


def test_training_is_managed_for_staff_only_and_never_for_yourself(cast):
    lead, admin = cast.clinical_lead, cast.sysadmin
    assert lead.has_perm("accounts.manage_training", cast.clinician)
    assert admin.has_perm("accounts.manage_training", cast.clinician)
    assert admin.has_perm("accounts.manage_training", lead)
    assert not lead.has_perm("accounts.manage_training", lead)
    assert not lead.has_perm("accounts.manage_training", cast.agency)
    assert not admin.has_perm("accounts.manage_training", cast.agency)
    assert not cast.clinician.has_perm("accounts.manage_training", cast.other_clinician)
    assert not cast.coordinator.has_perm("accounts.manage_training", cast.clinician)
