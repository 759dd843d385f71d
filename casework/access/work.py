"""The access rules' part of "My work": break-glass alerts waiting for their recipient, first on the page."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casework.access.review import unacknowledged_alerts_for
from casework.core import formatting
from casework.core.work import WorkItem, WorkSection, register

SHOWN = 5


@register(order=5)
def break_glass_alerts(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    if not user.has_perm("audit.view_alerts"):
        return []
    alerts = unacknowledged_alerts_for(user)
    shown = list(alerts[:SHOWN])
    if not shown and not user.has_perm("audit.review_access"):
        # Clinicians are told only now and then (their victim's case was opened across a barrier).
        return []
    count = len(shown) if len(shown) < SHOWN else alerts.count()
    href = reverse("audit:alerts")
    return [
        WorkSection(
            title="Break-glass alerts",
            empty_text=(
                "When someone opens a record they have no relationship to, using break-glass access, "
                "and you are to be told, an alert appears here for you to review and acknowledge."
            ),
            items=[
                WorkItem(
                    text=alert.message,
                    href=f"{href}#alert-{alert.pk}",
                    detail=f"Raised {formatting.datetime_gb(alert.raised_at)}",
                    tag="Not acknowledged",
                    tag_colour="orange",
                )
                for alert in shown
            ],
            more_href=href,
            count=count,
        )
    ]
