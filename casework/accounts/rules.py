"""Who may do what with accounts. Views and templates ask these, never the role directly."""

from __future__ import annotations

import rules

from casework.accounts.roles import Role


def has_role(*roles: Role):
    names = "_or_".join(r.value for r in roles)

    @rules.predicate(name=f"has_role_{names}")
    def predicate(user) -> bool:
        return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)

    return predicate


is_referrals_coordinator = has_role(Role.REFERRALS_COORDINATOR)
is_clinician = has_role(Role.CLINICIAN)
is_clinical_lead = has_role(Role.CLINICAL_LEAD)
is_finance_officer = has_role(Role.FINANCE_OFFICER)
is_researcher = has_role(Role.RESEARCHER)
is_system_administrator = has_role(Role.SYSTEM_ADMINISTRATOR)
is_agency_referrer = has_role(Role.AGENCY_REFERRER)
is_staff_member = has_role(*[r for r in Role if r is not Role.AGENCY_REFERRER])
is_clinical_staff = has_role(Role.CLINICIAN, Role.CLINICAL_LEAD)

rules.add_perm("accounts.manage_users", is_system_administrator)
rules.add_perm("accounts.view_staff", is_system_administrator | is_clinical_lead)
rules.add_perm("accounts.manage_training", is_system_administrator | is_clinical_lead)
rules.add_perm("accounts.manage_own_security", rules.is_authenticated)
