"""The case permissions, role by role (rules.py): what each role may do with a case it can see."""

from __future__ import annotations

import pytest

from casework.cases.models import Case

ROLES = ["coordinator", "clinician", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency"]
# Who holds each permission on world.case (led by cast.clinician; other_clinician is not on it).
EXPECTED = {
    "cases.view_list": {"coordinator", "clinician", "other_clinician", "clinical_lead"},
    "cases.view_clinical": {"clinician", "other_clinician", "clinical_lead"},
    "cases.open": {"clinical_lead"},
    "cases.manage_team": {"clinical_lead"},
    "cases.change_status": {"clinician", "clinical_lead"},
    "cases.edit_clinical": {"clinician", "clinical_lead"},
    "cases.edit_admin": {"coordinator", "clinician", "clinical_lead"},
    # Only someone who cannot read the case needs it (a clinical lead reads it already).
    "cases.break_glass": {"other_clinician"},
    "cases.work_orders": {"clinician", "other_clinician", "clinical_lead"},
    "cases.work_hearings": {"coordinator", "clinician", "other_clinician", "clinical_lead"},
}


@pytest.mark.parametrize("permission", sorted(EXPECTED))
def test_who_holds_each_permission(permission, cast, world):
    holders = {role for role in ROLES if cast.by_name(role).has_perm(permission, world.case)}
    assert holders == EXPECTED[permission]


def test_a_closed_case_refuses_every_change_but_status(cast, world):
    Case.objects.filter(pk=world.case.pk).update(status="closed", closed_on="2026-11-01", closure_reason="other")
    case = Case.objects.get(pk=world.case.pk)
    for permission in ("cases.edit_clinical", "cases.edit_admin", "cases.manage_team"):
        assert not any(cast.by_name(role).has_perm(permission, case) for role in ROLES), permission
    assert cast.clinical_lead.has_perm("cases.change_status", case)


def test_a_disabled_account_holds_nothing(cast, world):
    cast.clinician.is_active = False
    cast.clinician.save()
    assert not any(cast.clinician.has_perm(p, world.case) for p in EXPECTED)
