"""My work sections for report requests: for clinicians, the requests on the cases they are on the
team of that fall due within 14 days ("Due soon") or have fallen due ("Late"); for clinical leads,
late reports across the service. Each section runs a count and one page of rows; rows carry
references, report types and dates, never names."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register
from casework.reports import queries
from casework.reports import rules as _rules  # noqa: F401  (registers the permissions asked below)
from casework.reports.choices import DUE_SOON_DAYS

SECTION_LIMIT = 10


def _item(today):
    def item(report) -> WorkItem:
        late = report.due_on < today
        return WorkItem(
            text=f"{report.case.reference}: {report.get_report_type_display()}",
            href=reverse("reports:detail", args=[report.case.reference, report.pk]),
            detail=f"{'Was due' if late else 'Due'} {date_gb(report.due_on)}",
            tag="Late" if late else "Due soon",
            tag_colour="red" if late else "orange",
        )

    return item


def _section(title: str, empty: str, rows, item) -> WorkSection:
    shown, count = first_rows_and_count(rows, SECTION_LIMIT)
    return WorkSection(title=title, empty_text=empty, items=[item(r) for r in shown], count=count)


@register(order=13)
def lead_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinical leads: reports late across the service."""
    user = request.user
    if not user.has_perm("reports.work_late"):
        return []
    today = timezone.localdate()
    return [
        _section(
            "Reports late across the service",
            "No report is late. Report requests past their due date on open cases appear here.",
            queries.late_across_service(user, today=today),
            _item(today),
        )
    ]


def _awaiting(report) -> WorkItem:
    request_ = report.request
    return WorkItem(
        text=f"{request_.case.reference}: {request_.get_report_type_display()}",
        href=reverse("reports:write", args=[request_.case.reference, request_.pk]),
        detail=f"Signed by {report.author.full_name} {date_gb(report.author_signed_at)}",
        tag="To sign off",
        tag_colour="blue",
    )


@register(order=14)
def sign_off_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinical leads: reports their authors have signed, waiting for a lead's sign-off."""
    user = request.user
    if not user.has_perm("reports.work_sign_off"):
        return []
    return [
        _section(
            "Reports to sign off",
            "No report is waiting for sign-off. Reports appear here once their author signs them.",
            queries.awaiting_sign_off(user),
            _awaiting,
        )
    ]


@register(order=17)
def clinician_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinicians and clinical leads: reports due soon or late on the cases they are on the team of."""
    user = request.user
    if not user.has_perm("reports.work_due"):
        return []
    today = timezone.localdate()
    return [
        _section(
            "Reports due on your cases",
            f"No report on your cases is due in the next {DUE_SOON_DAYS} days. "
            f"Report requests appear here {DUE_SOON_DAYS} days before their due date.",
            queries.due_on_my_cases(user, today=today, within_days=DUE_SOON_DAYS),
            _item(today),
        )
    ]
