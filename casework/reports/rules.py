"""Who may do what with report requests. Which requests a user sees at all is
``queries.requests_visible_to`` (the case's access rules); these decide what they may do.

- Clinicians and clinical leads read the requests of the cases they can read, with the questions
  asked and the letter of instruction.
- The referrals coordinator administers the clinic's diary (design.md: books appointments, issues
  letters, reads no clinical content beyond triage): she sees the list of a case's requests (type,
  instructing party, due date, status) and nothing more: not the questions, not the letter, and
  she changes nothing.
- Whoever may write the case's clinical content (clinicians on the team, clinical leads) adds
  requests, creates them from the referral and changes them.
- Finance officers, researchers, system administrators and agencies: nothing.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead, is_clinical_staff, is_referrals_coordinator


def _case_of(obj):
    return getattr(obj, "case", obj)


@rules.predicate
def may_write_case(user, obj) -> bool:
    """The user may write the clinical content of the case (of the request)."""
    return user.has_perm("cases.edit_clinical", None if obj is None else _case_of(obj))


rules.add_perm("reports.view_list", is_clinical_staff | is_referrals_coordinator)
rules.add_perm("reports.view", is_clinical_staff)
rules.add_perm("reports.add", is_clinical_staff & may_write_case)
rules.add_perm("reports.edit", is_clinical_staff & may_write_case)
# My work.
rules.add_perm("reports.work_due", is_clinical_staff)
rules.add_perm("reports.work_late", is_clinical_lead)
