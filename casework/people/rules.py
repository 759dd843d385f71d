"""Who may do what with the person index. Views and templates ask these, never the role.

Which persons a user sees at all is ``queries.persons_visible_to``; these rules decide actions on
a person the user can already see (a refusal is a 403). Permissions about one person take it as
the object; asked without an object they say whether the role may ever take the action (for
navigation and buttons), and object-level checks add the person's state.
"""

from __future__ import annotations

import rules

from casework.access import sealed
from casework.access.rules import has_real_relationship, is_across_barrier
from casework.accounts.rules import (
    is_clinical_lead,
    is_clinical_staff,
    is_clinician,
    is_referrals_coordinator,
)


@rules.predicate
def has_person(user, person) -> bool:
    return person is not None


@rules.predicate
def is_sealed(user, person) -> bool:
    return person is not None and bool(person.is_sealed)


@rules.predicate
def can_see_sealed_details(user, person) -> bool:
    """The one sealed-details rule (``casework.access.sealed``); true for unsealed persons."""
    return person is not None and sealed.can_see_sealed_details(user, person)


@rules.predicate
def is_on_care_team(user, person) -> bool:
    return person is not None and sealed.is_on_care_team(user, person)


is_people_staff = is_referrals_coordinator | is_clinical_lead | is_clinician
# Keep the index: create persons, link referrals to them, correct their records. Every change to a
# person needs a real relationship to them (never break-glass alone: casework.access).
is_index_keeper = (is_referrals_coordinator | is_clinical_lead) & has_real_relationship

# The list and the person page (which persons: queries.persons_visible_to).
rules.add_perm("people.view_list", is_people_staff)
rules.add_perm("people.view", is_people_staff)
rules.add_perm("people.create", is_index_keeper)
# Names, date of birth, sex, identifiers: the index keepers, and clinicians on the care team.
rules.add_perm("people.edit", is_index_keeper | (is_clinician & has_person & is_on_care_team & has_real_relationship))
# Addresses, numbers, emails, online identifiers, workplace: the same people, and only if they
# may see them (for a sealed person: the care team, or break-glass).
rules.add_perm(
    "people.edit_contact_details",
    (is_index_keeper | (is_clinician & has_person & is_on_care_team & has_real_relationship))
    & has_person
    & can_see_sealed_details,
)
rules.add_perm("people.view_contact_details", has_person & can_see_sealed_details)
# Sealing protects, so anyone who keeps the record may do it; unsealing releases a victim's
# details to everyone who sees the person, so only a clinical lead who can see them may.
rules.add_perm(
    "people.seal",
    (is_index_keeper | (is_clinician & has_person & is_on_care_team & has_real_relationship)) & ~is_sealed,
)
rules.add_perm(
    "people.unseal", is_clinical_lead & has_person & has_real_relationship & is_sealed & can_see_sealed_details
)
# Care teams are decided by clinical leads (a lead cannot add themselves: services refuse it).
rules.add_perm("people.manage_care_team", is_clinical_lead & has_real_relationship)
# Linking a referral's subject and named parties to person records (the duplicate check).
rules.add_perm("people.link_referral", is_index_keeper)
# Merging two records, and undoing a merge.
rules.add_perm("people.merge", is_clinical_lead & has_real_relationship)
# Break-glass to a sealed person's details (or, for a clinical lead, to a person across an
# information barrier): casework.access.breakglass decides which.
rules.add_perm(
    "people.break_glass",
    is_clinical_staff & has_person & ((is_sealed & ~can_see_sealed_details) | (is_clinical_lead & is_across_barrier)),
)
