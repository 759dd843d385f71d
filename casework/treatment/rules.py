"""Who may do what in treatment. Which records a user sees at all is the case's access rules
(``casework.access``); these decide what they may do.

- Clinicians and clinical leads read the treatment of the cases they can read; whoever may write
  the case's clinical content (the team, clinical leads) enrols, books, records attendance and
  session notes, raises compliance notices, records outcomes, discharges and follow-ups.
- The referrals coordinator keeps the clinic's diary (design.md: she books appointments): she sees
  and books appointments and rooms' and clinicians' weeks, records attendance (not session notes),
  and reads no clinical content.
- Finance officers, researchers, system administrators and agencies: nothing.
"""

from __future__ import annotations

import rules

from casework.accounts.rules import is_clinical_lead, is_clinical_staff, is_referrals_coordinator


def _case_of(obj):
    # A record with its own case (an appointment, an enrolment) answers for itself; a session note
    # goes through its appointment, a notice or a measure through its enrolment. (An appointment
    # without an enrolment must not be read through ``enrolment``, which is None.)
    for name in ("appointment", "enrolment"):
        if getattr(obj, "case_id", None) is None and hasattr(obj, name):
            obj = getattr(obj, name)
    return getattr(obj, "case", obj)


@rules.predicate
def may_write_case(user, obj) -> bool:
    return user.has_perm("cases.edit_clinical", None if obj is None else _case_of(obj))


@rules.predicate
def may_keep_diary(user, obj) -> bool:
    return user.has_perm("cases.edit_admin", None if obj is None else _case_of(obj))


is_diary_staff = is_clinical_staff | is_referrals_coordinator

rules.add_perm("treatment.view", is_clinical_staff)
rules.add_perm("treatment.enrol", is_clinical_staff & may_write_case)
rules.add_perm("treatment.discharge", is_clinical_staff & may_write_case)
rules.add_perm("treatment.view_diary", is_diary_staff)
rules.add_perm("treatment.book", is_diary_staff & may_keep_diary)
rules.add_perm("treatment.record_attendance", is_diary_staff & may_keep_diary)
rules.add_perm("treatment.write_session_note", is_clinical_staff & may_write_case)
rules.add_perm("treatment.notice", is_clinical_staff & may_write_case)
rules.add_perm("treatment.outcomes", is_clinical_staff & may_write_case)
rules.add_perm("treatment.follow_up", is_clinical_staff & may_write_case)
rules.add_perm("treatment.manage_rooms", is_clinical_lead | is_referrals_coordinator)
