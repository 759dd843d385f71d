"""Who may do what on the victim pathway. Which records a user sees at all is the case's access
rules (``casework.access``: for a victim case, its team, behind the information barrier); these
decide what they may do there.

- Clinicians and clinical leads who may read the case's clinical content read its safety plan and
  messages; those who may write it (the team, clinical leads) agree a new version of the plan and
  write to the person.
- Everyone else (the referrals coordinator included: the plan holds how a person in danger may be
  reached): nothing.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_staff
from casework.cases.rules import is_on_team


def _case_of(obj):
    return getattr(obj, "case", obj)


@rules.predicate
def may_read_case(user, obj) -> bool:
    return user.has_perm("cases.view_clinical", None if obj is None else _case_of(obj))


@rules.predicate
def may_write_case(user, obj) -> bool:
    return user.has_perm("cases.edit_clinical", None if obj is None else _case_of(obj))


@rules.predicate
def is_victim_case(user, obj) -> bool:
    return obj is not None and getattr(_case_of(obj), "kind", None) == "victim"


rules.add_perm("victims.view", is_clinical_staff & is_victim_case & may_read_case)
rules.add_perm("victims.plan", is_clinical_staff & is_victim_case & may_write_case)
rules.add_perm("victims.message", is_clinical_staff & is_victim_case & may_write_case)


@rules.predicate
def is_on_the_team(user, obj) -> bool:
    return obj is not None and is_on_team(user, _case_of(obj))


# A subject access request export of the person's own record, their sealed contact details
# included: the case's own team (who are the person's care team), never a lead from outside it, whose
# view of the record would silently lack those details.
rules.add_perm("victims.subject_access", is_clinical_staff & is_victim_case & may_write_case & is_on_the_team)
