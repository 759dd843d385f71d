"""My work for researchers (their extracts and where each stands) and for clinical leads (requests
waiting for their decision)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register
from casework.research import queries
from casework.research import rules as _rules  # noqa: F401  (registers the permissions asked below)
from casework.research.models import ExtractStatus

SHOWN = 10
TAG_COLOURS = {
    ExtractStatus.REQUESTED: "yellow",
    ExtractStatus.APPROVED: "green",
    ExtractStatus.DECLINED: "red",
    ExtractStatus.ISSUED: "grey",
}


@register(order=95)
def research_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    sections = []
    if user.has_perm("research.request"):
        mine, count = first_rows_and_count(queries.extracts_visible_to(user), SHOWN)
        sections.append(
            WorkSection(
                title="Your research extracts",
                empty_text="None yet. Ask for an extract with your study's ethics or approval reference.",
                items=[
                    WorkItem(
                        text=found.reference,
                        href=reverse("research:extract_detail", args=[found.pk]),
                        detail=f"{found.get_kind_display()} · approval {found.approval_reference} · "
                        f"asked for {date_gb(found.requested_at)}",
                        tag=found.get_status_display(),
                        tag_colour=TAG_COLOURS.get(ExtractStatus(found.status), ""),
                    )
                    for found in mine
                ]
                + [WorkItem(text="Ask for a research extract", href=reverse("research:extract_new"))],
                more_href=reverse("research:extracts") if count > SHOWN else None,
                count=count,
            )
        )
    waiting = queries.waiting_for_approval(user)
    if user.has_perm("research.view_log"):
        if not user.has_perm("research.request"):
            shown, count = first_rows_and_count(waiting, SHOWN)
            sections.append(
                WorkSection(
                    title="Research extracts to approve",
                    empty_text="No research extract is waiting for a decision.",
                    items=[
                        WorkItem(
                            text=found.reference,
                            href=reverse("research:extract_decide", args=[found.pk]),
                            detail=f"{found.get_kind_display()} · approval {found.approval_reference} · "
                            f"asked for by {found.requested_by.full_name}",
                        )
                        for found in shown
                    ],
                    more_href=reverse("research:extracts"),
                    count=count,
                )
            )
    return sections
