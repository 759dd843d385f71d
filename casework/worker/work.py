"""The worker's part of "My work": background tasks that failed, for those who must act on them."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casework.core import formatting
from casework.core.work import WorkItem, WorkSection, register
from casework.worker.queries import failed_task_count, failed_task_rows

SHOWN = 5


@register(order=95)
def failed_background_tasks(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("worker.view_failed_tasks"):
        return []
    rows = failed_task_rows(user, limit=SHOWN)
    href = reverse("worker:failed_tasks")
    return [
        WorkSection(
            title="Background tasks that failed",
            empty_text=(
                "Emails and other work the service does in the background are tried again when they fail. "
                "A task that still fails after every attempt appears here."
            ),
            items=[
                WorkItem(
                    text=row.description,
                    href=f"{href}#task-{row.id}",
                    detail=f"Failed {formatting.datetime_gb(row.failed_at)} after {row.attempts} attempts",
                    tag="Failed",
                    tag_colour="red",
                )
                for row in rows
            ],
            more_href=href,
            count=len(rows) if len(rows) < SHOWN else failed_task_count(user),
        )
    ]
