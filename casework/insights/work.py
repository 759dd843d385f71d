"""My work for clinical leads: a link to the service dashboards (no query of its own)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casework.core.work import WorkItem, WorkSection, register
from casework.insights import rules as _rules  # noqa: F401  (registers the permission asked below)


@register(order=90)
def lead_sections(request: HttpRequest) -> list[WorkSection]:
    if not request.user.has_perm("insights.view_dashboard"):
        return []
    return [
        WorkSection(
            title="How the service is doing",
            empty_text="",
            items=[
                WorkItem(
                    text="Service dashboards",
                    href=reverse("insights:dashboard"),
                    detail="Referrals, decisions, waiting times, reports on time, caseloads and treatment outcomes",
                )
            ],
        )
    ]
