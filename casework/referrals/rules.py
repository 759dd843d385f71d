"""Who may do what with referrals on the staff side. Views and templates ask these, never the role.

Permissions that act on one referral take it as the object
(``user.has_perm("referrals.allocate", referral)``); asked without an object they answer whether
the role may take the action at all (for navigation and buttons), and the object-level check
adds the referral's state. Seeing a referral at all is decided by ``queries.referrals_visible_to``.
"""

from __future__ import annotations

import rules

from casework.access import barrier
from casework.access.rules import has_real_relationship, needs_break_glass
from casework.accounts.rules import (
    is_agency_referrer,
    is_clinical_lead,
    is_clinical_staff,
    is_clinician,
    is_finance_officer,
    is_referrals_coordinator,
)
from casework.referrals.choices import Status
from casework.referrals.workflow import TRANSITIONS

FINAL_STATUSES = frozenset({Status.CLOSED})


@rules.predicate
def has_referral(user, referral) -> bool:
    return referral is not None


@rules.predicate
def is_open(user, referral) -> bool:
    """A referral still in the journey (anything but closed)."""
    return referral is None or referral.status not in FINAL_STATUSES


@rules.predicate
def is_submitted(user, referral) -> bool:
    return referral is None or referral.status != Status.DRAFT


@rules.predicate
def is_being_screened(user, referral) -> bool:
    return referral is None or referral.status == Status.SCREENING


@rules.predicate
def is_accepted(user, referral) -> bool:
    return referral is None or referral.status == Status.ACCEPTED


@rules.predicate
def can_move_on(user, referral) -> bool:
    return referral is None or bool(TRANSITIONS[Status(referral.status)])


@rules.predicate
def is_allocated_to_user(user, referral) -> bool:
    return referral is not None and user.pk in (referral.lead_clinician_id, referral.second_assessor_id)


@rules.predicate
def commissions_referral(user, referral) -> bool:
    """The referral's commissioner (or, naming none, its referrer) is the user's organisation, and
    the referral is not across an information barrier from the user's side."""
    organisation_id = getattr(user, "organisation_id", None)
    if referral is None or not organisation_id:
        return False
    if (referral.commissioner_id or referral.referring_organisation_id) != organisation_id:
        return False
    return referral.pk not in barrier.referrals_behind_barrier_for(user)


# Every change to a referral needs a real relationship to it: never break-glass alone (casework.access).
is_triage_staff = (is_referrals_coordinator | is_clinical_lead) & has_real_relationship
is_referrals_staff = is_referrals_coordinator | is_clinical_lead | is_clinician

# The staff list of referrals and the referral page (which referrals: queries.referrals_visible_to).
rules.add_perm("referrals.view_list", is_referrals_staff)
rules.add_perm("referrals.view", is_referrals_staff & is_submitted)
# Logging a referral that came by telephone, post or email.
rules.add_perm("referrals.log", is_referrals_coordinator)
# Correcting a referral's details, until it is closed.
rules.add_perm("referrals.edit", is_triage_staff & is_submitted & is_open)
# The screening page (eligibility) and, while the referral is being screened, the decision.
rules.add_perm("referrals.view_screening", (is_referrals_coordinator | is_clinical_lead) & is_submitted)
rules.add_perm("referrals.screen", is_triage_staff & is_submitted & is_being_screened)
# Moving a referral along the workflow by hand: start screening, information received, withdraw, close.
rules.add_perm("referrals.transition", is_triage_staff & is_submitted & can_move_on)
# Allocating accepted work to a lead clinician.
rules.add_perm("referrals.allocate", is_clinical_lead & has_real_relationship & is_submitted & is_accepted)
# Adding documents: triage staff, and the clinicians the work is allocated to.
rules.add_perm(
    "referrals.upload_document",
    is_submitted & is_open & (is_triage_staff | (is_clinician & has_referral & is_allocated_to_user)),
)
# The purchase order number of the agreed work, copied from a quote when the commissioner accepts
# it (casework.billing): the commissioner's referrers, and finance.
rules.add_perm(
    "referrals.record_purchase_order",
    is_submitted & ((is_agency_referrer & commissions_referral) | (is_finance_officer & has_referral)),
)
# Break-glass: a clinician or clinical lead opening a referral they cannot read, with a written
# reason (which referrals, and across a barrier: casework.access.breakglass).
rules.add_perm("referrals.break_glass", is_clinical_staff & is_submitted & needs_break_glass)

# --- "My work" queues (casework.referrals.work; the agency's are the portal's) ----------------

rules.add_perm("referrals.work_screening_queue", is_referrals_coordinator)
rules.add_perm("referrals.work_allocation_queue", is_clinical_lead)
rules.add_perm("referrals.work_late", is_clinical_lead)
rules.add_perm("referrals.work_due_dates", is_referrals_coordinator | is_clinical_lead)
rules.add_perm("referrals.work_allocated_to_me", is_clinician | is_clinical_lead)
