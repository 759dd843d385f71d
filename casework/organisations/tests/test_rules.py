"""Each organisations permission and predicate."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from casework.accounts.tests.factories import OrganisationFactory
from casework.organisations import rules as organisation_rules

EVERYONE = [
    "coordinator",
    "clinician",
    "other_clinician",
    "clinical_lead",
    "finance",
    "researcher",
    "sysadmin",
    "agency",
    "agency_other",
]


def _holders(cast, permission: str, obj=None) -> set[str]:
    return {name for name in EVERYONE if cast.by_name(name).has_perm(permission, obj)}


def test_only_system_administrators_manage_organisations(cast):
    assert _holders(cast, "organisations.manage") == {"sysadmin"}
    assert not AnonymousUser().has_perm("organisations.manage")


def test_deactivate_needs_an_active_organisation(cast):
    inactive = OrganisationFactory(is_active=False)
    assert _holders(cast, "organisations.deactivate", cast.organisation) == {"sysadmin"}
    assert _holders(cast, "organisations.deactivate", inactive) == set()
    assert not cast.sysadmin.has_perm("organisations.deactivate")


def test_reactivate_needs_an_inactive_organisation(cast):
    inactive = OrganisationFactory(is_active=False)
    assert _holders(cast, "organisations.reactivate", inactive) == {"sysadmin"}
    assert _holders(cast, "organisations.reactivate", cast.organisation) == set()
    assert not cast.sysadmin.has_perm("organisations.reactivate")


def test_state_predicates(cast):
    inactive = OrganisationFactory(is_active=False)
    assert organisation_rules.organisation_is_active(cast.sysadmin, cast.organisation)
    assert not organisation_rules.organisation_is_active(cast.sysadmin, inactive)
    assert not organisation_rules.organisation_is_active(cast.sysadmin, None)
    assert organisation_rules.organisation_is_inactive(cast.sysadmin, inactive)
    assert not organisation_rules.organisation_is_inactive(cast.sysadmin, cast.organisation)
    assert not organisation_rules.organisation_is_inactive(cast.sysadmin, None)
