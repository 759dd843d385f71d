"""Who may do what with assessments. Which assessments a user sees at all is
``queries.assessments_visible_to`` (the case's access rules); these decide what they may do.

- Clinicians and clinical leads read the assessments of the cases they can read; referrals
  coordinators, finance officers, researchers, system administrators and agencies do not (the
  coordinator reads no more clinical content than triage needs: design.md).
- Whoever may write the case's clinical content (clinicians on the team, clinical leads) may start
  an assessment and edit a draft or a returned one; the service also asks for current training in
  the instrument and says which training, and when it lapsed, when it refuses.
- A clinical lead who is neither its assessor nor a co-assessor reviews a submitted assessment:
  returns it with comments or signs it off. A signed assessment is locked: later changes are
  addenda, by whoever may write the case's clinical content.
- Every change needs a real relationship to the case (never break-glass alone).
"""

from __future__ import annotations

import rules

from casework.access.rules import has_real_relationship
from casework.accounts.rules import is_clinical_lead, is_clinical_staff
from casework.assessments.choices import AssessmentStatus


def _case_of(obj):
    return getattr(obj, "case", obj)


@rules.predicate
def may_write_case(user, obj) -> bool:
    """The user may write the clinical content of the case (of the assessment)."""
    return user.has_perm("cases.edit_clinical", None if obj is None else _case_of(obj))


@rules.predicate
def is_editable(user, assessment) -> bool:
    return assessment is None or assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


@rules.predicate
def is_submitted(user, assessment) -> bool:
    return assessment is None or assessment.status == AssessmentStatus.SUBMITTED


@rules.predicate
def is_signed(user, assessment) -> bool:
    return assessment is None or assessment.status == AssessmentStatus.SIGNED


@rules.predicate
def is_one_of_its_assessors(user, assessment) -> bool:
    if assessment is None:
        return False
    if assessment.assessor_id == user.pk:
        return True
    return any(member.pk == user.pk for member in assessment.co_assessors.all())


@rules.predicate
def has_real_relationship_to_case(user, assessment) -> bool:
    return has_real_relationship(user, None if assessment is None else _case_of(assessment))


rules.add_perm("assessments.view", is_clinical_staff)
rules.add_perm("assessments.start", is_clinical_staff & may_write_case)
rules.add_perm("assessments.edit", is_clinical_staff & is_editable & may_write_case)
rules.add_perm(
    "assessments.review",
    is_clinical_lead & is_submitted & has_real_relationship_to_case & ~is_one_of_its_assessors,
)
rules.add_perm("assessments.add_addendum", is_clinical_staff & is_signed & may_write_case)
rules.add_perm("assessments.reassess", is_clinical_staff & is_signed & may_write_case)
rules.add_perm("assessments.export", is_clinical_staff & is_signed)
rules.add_perm("assessments.plan", is_clinical_staff & is_signed & may_write_case)
# My work.
rules.add_perm("assessments.work_own", is_clinical_staff)
rules.add_perm("assessments.work_sign_off", is_clinical_lead)
