"""Who may use the agency portal and the referral queues on "My work".

Views, templates and the navigation ask these permissions; nothing else tests a role. Asked
about a record, the object permissions refuse when the object is missing, so a forgotten
argument denies rather than allows.

This module is not ``rules.py`` (autodiscovered); ``casework.referrals.work`` imports it when
the app is ready, so the permissions exist before any request is served.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import (
    is_agency_referrer,
    is_clinical_lead,
    is_clinician,
    is_referrals_coordinator,
)
from casework.referrals.choices import Status


@rules.predicate
def is_own_draft(user, referral) -> bool:
    """A portal draft this user started: only its author may see or change it."""
    return (
        referral is not None
        and referral.status == Status.DRAFT
        and getattr(user, "pk", None) is not None
        and referral.created_by_id == user.pk
    )


@rules.predicate
def is_own_organisations_referral(user, referral) -> bool:
    """A submitted referral from the user's own organisation, whoever in it sent it."""
    return (
        referral is not None
        and referral.status != Status.DRAFT
        and bool(getattr(user, "organisation_id", None))
        and referral.referring_organisation_id == user.organisation_id
    )


# --- The agency portal ----------------------------------------------------------------------

# Refer a case, follow your organisation's referrals. Clinic staff do not use the portal.
rules.add_perm("referrals.use_portal", is_agency_referrer)
rules.add_perm("referrals.portal_edit_draft", is_agency_referrer & is_own_draft)
rules.add_perm("referrals.portal_follow_referral", is_agency_referrer & is_own_organisations_referral)

# --- "My work" queues -------------------------------------------------------------------------

rules.add_perm("referrals.work_screening_queue", is_referrals_coordinator)
rules.add_perm("referrals.work_allocation_queue", is_clinical_lead)
rules.add_perm("referrals.work_due_dates", is_referrals_coordinator | is_clinical_lead)
rules.add_perm("referrals.work_allocated_to_me", is_clinician | is_clinical_lead)
rules.add_perm("referrals.work_agency_queue", is_agency_referrer)
