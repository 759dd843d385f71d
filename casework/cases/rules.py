"""Who may do what with cases. Views and templates ask these, never the role.

Which cases a user sees at all is ``queries.cases_visible_to``; these rules decide what they may
do with a case they can see (a refusal is a 403). Permissions about one case take it as the
object; asked without one they say whether the role may ever take the action (navigation,
buttons).

Decisions (docs/adr/0007-information-barrier.md has the barrier):

- clinicians and clinical leads read the whole case; clinicians on the team, and clinical leads,
  record clinical content (parties, episodes, incidents, orders, MAPPA);
- referrals coordinators see the case administration only (reference, status, subject, team,
  dates, referrals, hearings, MAPPA meetings and the agencies with their officers) and keep the
  hearings and agencies up to date: they book appointments and write to agencies, and must not
  read clinical content (design.md);
- clinical leads open cases, manage teams and change status; the lead clinician may change status;
- every change needs a real relationship to the case (``access.rules.has_real_relationship``):
  break-glass holders read, and do not write — not even a clinical lead who broke glass across an
  information barrier;
- case notes (the clinical record) are read by clinicians and clinical leads who can see the case,
  never by coordinators, and written by those who record clinical content; a note's author may
  correct it within ``CASE_NOTE_GRACE_MINUTES``, anyone who writes notes may add an addendum;
- finance officers, researchers, system administrators and agency referrers: nothing.
"""

from __future__ import annotations

import rules

from casework.access.rules import has_real_relationship, needs_break_glass
from casework.accounts.rules import is_clinical_lead, is_clinical_staff, is_clinician, is_referrals_coordinator
from casework.cases.choices import CaseStatus, TeamRole


@rules.predicate
def has_case(user, case) -> bool:
    return case is not None


@rules.predicate
def is_not_closed(user, case) -> bool:
    return case is None or case.status != CaseStatus.CLOSED


def team_of(case) -> dict[int, str]:
    """{user id: team role} for ``case``, loaded once per case object."""
    cached = getattr(case, "_team_roles", None)
    if cached is None:
        cached = dict(case.team.values_list("user_id", "role"))
        case._team_roles = cached
    return cached


@rules.predicate
def is_on_team(user, case) -> bool:
    return case is not None and getattr(user, "pk", None) in team_of(case)


@rules.predicate
def is_lead_clinician(user, case) -> bool:
    if case is None:
        return False
    team = team_of(case)
    pk = getattr(user, "pk", None)
    return pk is not None and team.get(pk) == TeamRole.LEAD_CLINICIAN


is_case_staff = is_referrals_coordinator | is_clinical_staff
may_write_clinical = (is_clinical_lead | (is_clinician & has_case & is_on_team)) & has_real_relationship

rules.add_perm("cases.view_list", is_case_staff)
rules.add_perm("cases.view", is_case_staff)
# Clinical content: parties and their relationship, episodes, the timeline, the escalation chart,
# orders' conditions, documents, exports.
rules.add_perm("cases.view_clinical", is_clinical_staff)
rules.add_perm("cases.export", is_clinical_staff)
rules.add_perm("cases.open", is_clinical_lead)
rules.add_perm("cases.manage_team", is_clinical_lead & has_real_relationship & is_not_closed)
rules.add_perm(
    "cases.change_status", (is_clinical_lead | (is_clinician & has_case & is_lead_clinician)) & has_real_relationship
)
rules.add_perm("cases.edit_clinical", may_write_clinical & is_not_closed)
# Hearings, MAPPA meetings and agencies: the administration coordinators keep too.
rules.add_perm(
    "cases.edit_admin", ((is_referrals_coordinator & has_real_relationship) | may_write_clinical) & is_not_closed
)
# Case notes, the clinical record (models.CaseNote): read by clinical staff who can see the case
# (break-glass holders included; coordinators never: design.md), written by those who record
# clinical content. A note is corrected by its author within the grace period, then by addenda.
rules.add_perm("cases.view_notes", is_clinical_staff)
rules.add_perm("cases.write_notes", may_write_clinical & is_not_closed)


@rules.predicate
def is_note_author(user, note) -> bool:
    return note is not None and note.author_id == getattr(user, "pk", None)


@rules.predicate
def is_note_in_grace(user, note) -> bool:
    return note is not None and note.is_editable()


@rules.predicate
def may_write_notes_of_its_case(user, note) -> bool:
    return note is not None and user.has_perm("cases.write_notes", note.case)


rules.add_perm("cases.edit_note", is_note_author & is_note_in_grace & may_write_notes_of_its_case)
rules.add_perm("cases.add_addendum", may_write_notes_of_its_case)
# Break-glass into a case a clinician or clinical lead cannot read (who may cross a barrier, and
# what a grant allows, is the access rules' question: casework.access.breakglass).
rules.add_perm("cases.break_glass", is_clinical_staff & needs_break_glass)
# My work.
rules.add_perm("cases.work_orders", is_clinical_staff)
rules.add_perm("cases.work_my_cases", is_clinical_staff)
rules.add_perm("cases.work_service_risk", is_clinical_lead)
rules.add_perm("cases.work_hearings", is_case_staff)
