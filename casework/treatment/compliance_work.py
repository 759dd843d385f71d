"""My work: compliance notices the supervising officer has not yet acknowledged, for the case teams
(the cases they can see) and clinical leads (the service's caseload). One count and one page of
rows, whatever the number of notices; rows carry case references and dates, never names."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casework.access import policy
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register
from casework.treatment import rules as _rules  # noqa: F401  (registers the permission asked below)
from casework.treatment.choices import NoticeStatus
from casework.treatment.models import ComplianceNotice

SECTION_LIMIT = 10
TAGS = {
    NoticeStatus.PENDING: ("Not yet sent", "grey"),
    NoticeStatus.SENT: ("Sent", "blue"),
    NoticeStatus.DELIVERED: ("Delivered", "green"),
    NoticeStatus.FAILED: ("Not sent", "red"),
}


def unacknowledged(user):
    return (
        policy.visible(user, ComplianceNotice)
        .filter(acknowledged_at__isnull=True)
        .select_related("enrolment__case")
        .order_by("raised_at", "id")
    )


@register(order=18)
def compliance_notices(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("treatment.view"):
        return []
    rows = unacknowledged(user)
    shown, count = first_rows_and_count(rows, SECTION_LIMIT)
    items = []
    for notice in shown:
        case = notice.enrolment.case
        tag, colour = TAGS.get(NoticeStatus(notice.status), ("", ""))
        items.append(
            WorkItem(
                text=f"{case.reference}: compliance notice",
                href=reverse("treatment:notice", args=[case.reference, notice.pk]),
                detail=f"Raised {date_gb(notice.raised_at)}, {notice.get_channel_display().lower()}",
                tag=tag,
                tag_colour=colour,
            )
        )
    return [
        WorkSection(
            title="Compliance notices not acknowledged",
            empty_text=(
                "Every compliance notice has been acknowledged. Notices to supervising officers appear here "
                "until the officer acknowledges them."
            ),
            items=items,
            count=count,
        )
    ]
