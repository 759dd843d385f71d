"""My work sections for assessments: for clinicians, their drafts and returned assessments and the
reviews due on the cases they lead; for clinical leads, assessments waiting to be signed off and
reviews overdue across the service. Each section runs a count and one page of rows; rows carry
references and dates, never names."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.assessments import queries
from casework.assessments import rules as _rules  # noqa: F401  (registers the permissions asked below)
from casework.assessments.choices import AssessmentStatus
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register

SECTION_LIMIT = 10


def _href(assessment) -> str:
    return reverse("assessments:detail", args=[assessment.case.reference, assessment.pk])


def _section(title: str, empty: str, rows, item) -> WorkSection:
    shown, count = first_rows_and_count(rows, SECTION_LIMIT)
    return WorkSection(title=title, empty_text=empty, items=[item(a) for a in shown], count=count)


def _review_item(today):
    def item(assessment) -> WorkItem:
        overdue = assessment.review_due_on < today
        return WorkItem(
            text=f"{assessment.case.reference}: {assessment.definition.title}",
            href=_href(assessment),
            detail=f"Review {'was due' if overdue else 'due'} {date_gb(assessment.review_due_on)}",
            tag="Overdue" if overdue else "",
            tag_colour="red" if overdue else "",
        )

    return item


@register(order=12)
def lead_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinical leads: sign-off first, then reviews overdue across the service."""
    user = request.user
    if not user.has_perm("assessments.work_sign_off"):
        return []
    today = timezone.localdate()
    return [
        _section(
            "Assessments to sign off",
            "No assessment is waiting for sign-off. Assessments submitted for review appear here.",
            queries.awaiting_sign_off(user),
            lambda a: WorkItem(
                text=f"{a.case.reference}: {a.definition.title}",
                href=_href(a),
                detail=f"Submitted {date_gb(a.submitted_at)} by {a.assessor.full_name}",
            ),
        ),
        _section(
            "Assessment reviews overdue",
            "No assessment review is overdue. Signed assessments past their review date appear here.",
            queries.reviews_due(user, today=today, within_days=0),
            _review_item(today),
        ),
    ]


@register(order=16)
def clinician_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinicians and clinical leads: their own drafts, and reviews due on the cases they lead."""
    user = request.user
    if not user.has_perm("assessments.work_own"):
        return []
    today = timezone.localdate()
    return [
        _section(
            "Your assessments in progress",
            "You have no assessment in progress. Assessments you start, and any returned to you with comments, appear here.",
            queries.my_drafts(user),
            lambda a: WorkItem(
                text=f"{a.case.reference}: {a.definition.title}",
                href=_href(a),
                detail=f"Last saved {date_gb(a.updated_at)}",
                tag="Returned with comments" if a.status == AssessmentStatus.RETURNED else "",
                tag_colour="orange" if a.status == AssessmentStatus.RETURNED else "",
            ),
        ),
        _section(
            "Risk management actions overdue",
            "No action in a risk management plan on your cases is overdue. Actions past their due date appear here.",
            queries.actions_overdue(user, today=today),
            lambda action: WorkItem(
                text=f"{action.plan.assessment.case.reference}: {action.get_area_display()}",
                href=reverse(
                    "assessments:plan", args=[action.plan.assessment.case.reference, action.plan.assessment_id]
                ),
                detail=f"Was due {date_gb(action.due_on)}; {action.agency}",
                tag="Overdue",
                tag_colour="red",
            ),
        ),
        _section(
            "Assessment reviews due",
            "No review is due in the next 4 weeks on the cases you lead. Signed assessments appear here 4 weeks before their review date.",
            queries.reviews_due(user, today=today, within_days=28, lead_clinician_only=True),
            _review_item(today),
        ),
    ]
