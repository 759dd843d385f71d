"""Who may do what with accounts. Views and templates ask these, never the role directly.

Permissions that act on one account take that account as the object
(``user.has_perm("accounts.disable_user", subject)``); asked without an object they refuse,
so a forgotten argument denies rather than allows.
"""

from __future__ import annotations

import rules

from casework.core.roles import Role


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


# --- Predicates about the account acted on (the object) ------------------------------------


@rules.predicate
def is_self(user, subject) -> bool:
    """The account acted on is the signed-in user's own."""
    return subject is not None and getattr(user, "pk", None) is not None and subject.pk == user.pk


@rules.predicate
def has_subject(user, subject) -> bool:
    return subject is not None


@rules.predicate
def subject_is_staff(user, subject) -> bool:
    return subject is not None and subject.role != Role.AGENCY_REFERRER


@rules.predicate
def subject_is_active(user, subject) -> bool:
    return subject is not None and bool(subject.is_active)


@rules.predicate
def subject_is_disabled(user, subject) -> bool:
    return subject is not None and not subject.is_active


# --- Lists and pages ----------------------------------------------------------------------

# System administrators manage every account.
rules.add_perm("accounts.manage_users", is_system_administrator)
# The staff list (clinic staff, not agency referrers): system administrators and clinical leads.
rules.add_perm("accounts.view_staff", is_system_administrator | is_clinical_lead)
# Sees the staff list but does not manage users: the clinical lead's "Staff" navigation item.
rules.add_perm("accounts.view_staff_only", (is_system_administrator | is_clinical_lead) & ~is_system_administrator)
rules.add_perm("accounts.manage_own_security", rules.is_authenticated)

# --- Actions on one account ---------------------------------------------------------------

rules.add_perm("accounts.change_user", is_system_administrator & has_subject)
# Nobody changes their own role: another administrator must.
rules.add_perm("accounts.change_role", is_system_administrator & has_subject & ~is_self)
# Nobody disables themselves.
rules.add_perm("accounts.disable_user", is_system_administrator & subject_is_active & ~is_self)
rules.add_perm("accounts.enable_user", is_system_administrator & subject_is_disabled)
# Your own second factor is reset from your own sign-in security page, not here.
rules.add_perm("accounts.reset_second_factor", is_system_administrator & subject_is_active & ~is_self)
rules.add_perm("accounts.unlock_user", is_system_administrator & has_subject)
# An enrolment code lets someone set up a second factor when they have none: never for oneself.
rules.add_perm("accounts.issue_enrolment_code", is_system_administrator & subject_is_active & ~is_self)
rules.add_perm("accounts.issue_set_password_link", is_system_administrator & subject_is_active & ~is_self)

# Training records: clinical leads and system administrators, for clinic staff only, and not
# for their own account (someone else vouches for your training). Without an object the
# permission answers whether the role may manage training at all.
_may_manage_training = is_system_administrator | is_clinical_lead


rules.add_perm("accounts.manage_training", _may_manage_training & (~has_subject | (subject_is_staff & ~is_self)))
