"""Who may do what on a consultation. Which records a user sees at all is the case's access rules
(``casework.access``: for a consultation case, its team); these decide what they may do there.

- Clinicians and clinical leads who may read the case's clinical content read the request, the
  meetings and the advice; those who may write it (the team, clinical leads) record them and turn
  the consultation into a referral.
- Everyone else (the referrals coordinator included): nothing.
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
def is_consultation_case(user, obj) -> bool:
    return obj is not None and getattr(_case_of(obj), "kind", None) == "consultation"


rules.add_perm("consultations.view", is_clinical_staff & is_consultation_case & may_read_case)
rules.add_perm("consultations.record", is_clinical_staff & is_consultation_case & may_write_case)
rules.add_perm("consultations.convert", is_clinical_staff & is_consultation_case & may_write_case)
