"""My work: follow-ups after treatment that fall due within 14 days or are overdue — for
clinicians, on the cases whose team they are on; for clinical leads, across the service. Each
section runs a count and one page of rows; rows carry case references and dates, never names."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.rules import is_clinical_lead
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register
from casework.treatment import enrolment_queries as queries
from casework.treatment import rules as _rules  # noqa: F401  (registers the permissions asked below)

SECTION_LIMIT = 10


@register(order=18)
def follow_up_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("treatment.view"):
        return []
    today = timezone.localdate()
    across = is_clinical_lead(user)
    rows = queries.follow_ups_due(user, today=today, mine_only=not across)

    def item(follow_up) -> WorkItem:
        case = follow_up.enrolment.case
        overdue = follow_up.due_on < today
        return WorkItem(
            text=f"{case.reference}: follow-up at {follow_up.point} months",
            href=reverse("treatment:follow_up", args=[case.reference, follow_up.enrolment_id, follow_up.pk]),
            detail=f"{'Was due' if overdue else 'Due'} {date_gb(follow_up.due_on)}",
            tag="Overdue" if overdue else "Due soon",
            tag_colour="red" if overdue else "orange",
        )

    title = "Treatment follow-ups due across the service" if across else "Treatment follow-ups due on your cases"
    shown, count = first_rows_and_count(rows, SECTION_LIMIT)
    return [
        WorkSection(
            title=title,
            empty_text=f"No follow-up is due in the next {queries.FOLLOW_UP_NOTICE_DAYS} days. Follow-ups at 6, 12 "
            "and 24 months after discharge from treatment appear here two weeks before they fall due.",
            items=[item(row) for row in shown],
            count=count,
        )
    ]
