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
