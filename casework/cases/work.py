"""My work sections for cases: the user's own cases, risk first; for clinical leads, escalating
cases and likely breaches across the service; orders ending soon and hearings coming up.

Cases' risks are read kept (``queries.kept_case_risks``: the escalation rule and likely breaches as
``queries.case_risks`` assesses them, kept per case and assessed again only when not current;
docs/adr/0027-kept-case-risk.md), scoped to what the user may see, and shown at most ``SECTION_LIMIT`` at a time with a link to the full list.

Orders ending within ``CASEWORK_ORDER_ENDING_DAYS`` (default 28) on the open cases the user is on
the team of; hearings within ``CASEWORK_HEARING_DAYS`` (default 28) on those cases, or, for
referrals coordinators, on every open case. Each section reads its first rows and their count in one query.
Rows carry references and dates, never names.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from casework.cases import queries
from casework.cases import rules as _rules  # noqa: F401  (registers the permissions asked below)
from casework.cases.choices import HearingKind
from casework.cases.risk import CaseRisk
from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, first_rows_and_count, register

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
    shown, count = first_rows_and_count(orders, SECTION_LIMIT)
    items = []
    for order in shown:
        when, tag, colour = _days_text(order.ends_on, today)
        items.append(
            WorkItem(
                text=f"{order.case.reference}: {order.get_kind_display()}",
                href=reverse("cases:detail", args=[order.case.reference]) + "#orders",
                detail=f"Ends {date_gb(order.ends_on)}, {when}. Issued by {order.issued_by}",
                tag=tag,
                tag_colour=colour,
            )
        )
    return WorkSection(
        title="Court orders ending soon",
        empty_text=f"No order on your cases ends in the next {within} days. Orders and conditions on the open "
        "cases you are on the team of appear here when their end date is near.",
        items=items,
        count=count,
        more_href=reverse("cases:list") + "?mine=on" if count > len(items) else None,
    )


def _hearings_section(user) -> WorkSection:
    today = timezone.localdate()
    within = hearing_days()
    hearings = queries.hearings_coming_up(user, within_days=within, today=today)
    shown, count = first_rows_and_count(hearings, SECTION_LIMIT)
    items = []
    for hearing in shown:
        when, tag, colour = _days_text(hearing.hearing_on, today)
        venue = f" at {hearing.venue}" if hearing.venue else ""
        items.append(
            WorkItem(
                text=f"{hearing.case.reference}: {hearing.get_kind_display()}",
                href=reverse("cases:detail", args=[hearing.case.reference]) + "#hearings",
                detail=f"{date_gb(hearing.hearing_on)}, {when}{venue}",
                tag=tag,
                tag_colour=colour,
            )
        )
    return WorkSection(
        title="Hearings coming up",
        empty_text=f"No hearing is coming up in the next {within} days. Court and parole hearings recorded on "
        "open cases appear here, soonest first.",
        items=items,
        count=count,
        more_href=reverse("cases:list") if count > len(items) else None,
    )


def _flags(risk: CaseRisk) -> list[tuple[str, str]]:
    flags = []
    if risk.breaching:
        flags.append(("Likely breach", "orange"))
    if risk.escalating:
        flags.append(("Escalating", "red"))
    return flags


def _risk_detail(risk: CaseRisk, today) -> str:
    """What needs attention and what is owed by when, in one line."""
    parts = []
    if risk.escalating:
        tests = ", ".join(reason.split(":", 1)[0].lower() for reason in risk.reasons)
        parts.append(f"Escalating ({tests})")
    if risk.last_breach_on:
        parts.append(f"Likely breach of an order on {date_gb(risk.last_breach_on)}")
    row = risk.row
    if row.next_hearing_on:
        when, _, _ = _days_text(row.next_hearing_on, today)
        kind = HearingKind(row.next_hearing_kind).label if row.next_hearing_kind in HearingKind.values else "Hearing"
        parts.append(f"{kind} {date_gb(row.next_hearing_on)}, {when}")
    if row.report_due_on:
        if row.report_due_on < today:
            parts.append(f"Report was due {date_gb(row.report_due_on)}")
        else:
            parts.append(f"Report due {date_gb(row.report_due_on)}, {_days_text(row.report_due_on, today)[0]}")
    return ". ".join(parts) if parts else "No hearing or report due date recorded"


def _risk_item(risk: CaseRisk, today) -> WorkItem:
    flags = _flags(risk)
    first, rest = (flags[0], flags[1:]) if flags else (("", ""), [])
    return WorkItem(
        text=risk.reference,
        href=reverse("cases:detail", args=[risk.reference]),
        detail=_risk_detail(risk, today),
        tag=first[0],
        tag_colour=first[1],
        tags=rest,
    )


def _my_cases_section(user) -> WorkSection:
    today = timezone.localdate()
    risks = queries.kept_case_risks(queries.my_active_cases(user), today)
    shown = risks[:SECTION_LIMIT]
    return WorkSection(
        title="Your cases",
        empty_text="You are on the team of no open case. Cases you are on the team of appear here, those "
        "escalating or with a likely breach of an order first, with their next hearing and report due.",
        items=[_risk_item(r, today) for r in shown],
        count=len(risks),
        more_href=reverse("cases:list") + "?mine=on" if len(risks) > len(shown) else None,
    )


def _service_risk_section(user) -> WorkSection:
    today = timezone.localdate()
    flagged = queries.kept_case_risks(queries.active_cases(user), today, flagged_only=True)
    shown = flagged[:SECTION_LIMIT]
    return WorkSection(
        title="Escalating cases and likely breaches",
        empty_text="No open case is escalating or has a likely breach of an order in the last 8 weeks. Cases across "
        "the service appear here when the escalation rule flags them or an incident breaches an order.",
        items=[_risk_item(r, today) for r in shown],
        count=len(flagged),
        more_href=reverse("cases:list") + "?risk=on" if len(flagged) > len(shown) else None,
    )


@register(order=10)
def service_risk_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinical leads, straight after the break-glass alerts: what is escalating across the service."""
    if not request.user.has_perm("cases.work_service_risk"):
        return []
    return [_service_risk_section(request.user)]


@register(order=15)
def my_cases_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinicians (and clinical leads on case teams): their own cases, before referrals."""
    if not request.user.has_perm("cases.work_my_cases"):
        return []
    return [_my_cases_section(request.user)]


@register(order=30)
def case_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    sections = []
    if user.has_perm("cases.work_orders"):
        sections.append(_orders_section(user))
    if user.has_perm("cases.work_hearings"):
        sections.append(_hearings_section(user))
    return sections
