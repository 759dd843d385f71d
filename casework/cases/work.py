"""My work sections for cases: orders ending soon and hearings coming up.

Orders ending within ``CASEWORK_ORDER_ENDING_DAYS`` (default 28) on the open cases the user is on
the team of; hearings within ``CASEWORK_HEARING_DAYS`` (default 28) on those cases, or, for
referrals coordinators, on every open case. Each section runs a count and one page of rows.
Rows carry references and dates, never names.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.cases import queries
from casework.cases import rules as _rules  # noqa: F401  (registers the permissions asked below)
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, register

SECTION_LIMIT = 10


def order_ending_days() -> int:
    return int(getattr(settings, "CASEWORK_ORDER_ENDING_DAYS", 28))


def hearing_days() -> int:
    return int(getattr(settings, "CASEWORK_HEARING_DAYS", 28))


def _days_text(day, today) -> tuple[str, str, str]:
    days = (day - today).days
    if days == 0:
        return "today", "Today", "orange"
    if days <= 7:
        return f"in {days} day{'s' if days != 1 else ''}", "This week", "yellow"
    return f"in {days} days", "", ""


def _orders_section(user) -> WorkSection:
    today = timezone.localdate()
    within = order_ending_days()
    orders = queries.orders_ending(user, within_days=within, today=today)
    count = orders.count()
    items = []
    for order in orders[:SECTION_LIMIT]:
        when, tag, colour = _days_text(order.ends_on, today)
        items.append(WorkItem(
            text=f"{order.case.reference}: {order.get_kind_display()}",
            href=reverse("cases:detail", args=[order.case.reference]) + "#orders",
            detail=f"Ends {date_gb(order.ends_on)}, {when}. Issued by {order.issued_by}",
            tag=tag, tag_colour=colour,
        ))
    return WorkSection(
        title="Court orders ending soon",
        empty_text=f"No order on your cases ends in the next {within} days. Orders and conditions on the open "
                   "cases you are on the team of appear here when their end date is near.",
        items=items, count=count, more_href=reverse("cases:list") + "?mine=on" if count > len(items) else None,
    )


def _hearings_section(user) -> WorkSection:
    today = timezone.localdate()
    within = hearing_days()
    hearings = queries.hearings_coming_up(user, within_days=within, today=today)
    count = hearings.count()
    items = []
    for hearing in hearings[:SECTION_LIMIT]:
        when, tag, colour = _days_text(hearing.hearing_on, today)
        venue = f" at {hearing.venue}" if hearing.venue else ""
        items.append(WorkItem(
            text=f"{hearing.case.reference}: {hearing.get_kind_display()}",
            href=reverse("cases:detail", args=[hearing.case.reference]) + "#hearings",
            detail=f"{date_gb(hearing.hearing_on)}, {when}{venue}", tag=tag, tag_colour=colour,
        ))
    return WorkSection(
        title="Hearings coming up",
        empty_text=f"No hearing is coming up in the next {within} days. Court and parole hearings recorded on "
                   "open cases appear here, soonest first.",
        items=items, count=count, more_href=reverse("cases:list") if count > len(items) else None,
    )


@register(order=30)
def case_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    sections = []
    if user.has_perm("cases.work_orders"):
        sections.append(_orders_section(user))
    if user.has_perm("cases.work_hearings"):
        sections.append(_hearings_section(user))
    return sections
