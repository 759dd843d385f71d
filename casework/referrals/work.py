"""My work sections for referrals (registered with casework.core.work).

Which sections a user gets is decided by permissions (``rules``), never by testing the role
here; the agency's own sections are the portal's (``casework.portal.work``); what each section lists comes from ``work_queries``, which starts from
``referrals_visible_to``. Each section runs a fixed number of queries (a count and one page of
at most ``core.work.SECTION_LIMIT`` rows), however much data there is.
"""

from __future__ import annotations

from typing import TypedDict
from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from casework.core.formatting import date_gb
from casework.core.work import WorkItem, WorkSection, queue_section, register
from casework.referrals import work_queries
from casework.referrals.choices import STATUS_TAG_COLOUR, Status
from casework.referrals.models import Referral


def _reverse(name: str, **kwargs) -> str | None:
    """A URL if the page exists (the staff pages are built alongside these sections)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


def _staff_href(referral: Referral) -> str | None:
    return _reverse("referrals:detail", reference=referral.reference)


def _staff_list(**params: str) -> str | None:
    base = _reverse("referrals:list")
    return f"{base}?{urlencode(params)}" if base else None


class _StatusTag(TypedDict):
    tag: str
    tag_colour: str


def _status_tag(referral: Referral) -> _StatusTag:
    status = Status(referral.status)
    return {"tag": status.label, "tag_colour": STATUS_TAG_COLOUR.get(status, "grey")}


def _due_text(referral: Referral, today) -> tuple[str, str, str]:
    """How the report due date reads, and a tag when it has passed or is close."""
    due = referral.report_due_on
    if due is None:
        return "No report due date", "", ""
    days = (due - today).days
    if days < 0:
        return f"Report was due {date_gb(due)}", "Overdue", "red"
    if days == 0:
        return f"Report due today, {date_gb(due)}", "Due today", "orange"
    return f"Report due {date_gb(due)}, in {days} day{'s' if days != 1 else ''}", "", ""


# --- Referrals coordinators and clinical leads --------------------------------------------------


def _screening_section(user) -> WorkSection:
    def item(referral: Referral) -> WorkItem:
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{referral.referring_organisation.name}, received {date_gb(referral.received_at)}",
            **_status_tag(referral),
        )

    return queue_section(
        "Referrals awaiting screening",
        "No referrals are waiting to be screened. New referrals from every channel appear here, oldest first, "
        "until a screening decision is made.",
        work_queries.awaiting_screening(user),
        item,
        _staff_list(status=Status.RECEIVED.value, sort="received_asc"),
    )


def _information_overdue_section(user) -> WorkSection:
    days = work_queries.information_overdue_working_days()

    def item(referral: Referral) -> WorkItem:
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{referral.referring_organisation.name}, information asked for "
            f"{date_gb(referral.information_requested_at)}",
            tag="Overdue",
            tag_colour="red",
        )

    return queue_section(
        "Information requests overdue",
        f"No requests for information are overdue. A referral appears here when the information asked for has not "
        f"arrived within {days} working days.",
        work_queries.information_overdue(user),
        item,
        _staff_list(status=Status.AWAITING_INFORMATION.value, overdue="on"),
    )


def _due_soon_section(user) -> WorkSection:
    today = timezone.localdate()

    def item(referral: Referral) -> WorkItem:
        text, tag, colour = _due_text(referral, today)
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{text}. {referral.referring_organisation.name}; {Status(referral.status).label.lower()}",
            tag=tag,
            tag_colour=colour,
        )

    return queue_section(
        "Report due dates coming up",
        f"No open referral has a report due in the next {work_queries.DUE_SOON_DAYS} days. Referrals whose report "
        "is due within two weeks, or overdue, appear here, soonest first.",
        work_queries.due_soon(user),
        item,
        _staff_list(sort="due_asc"),
    )


def _allocation_section(user) -> WorkSection:
    def item(referral: Referral) -> WorkItem:
        decided = f", accepted {date_gb(referral.decided_at)}" if referral.decided_at else ""
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{referral.referring_organisation.name}{decided}",
            tag="Accepted",
            tag_colour=STATUS_TAG_COLOUR[Status.ACCEPTED],
        )

    return queue_section(
        "Accepted work awaiting allocation",
        "No accepted work is waiting to be allocated. Referrals appear here when they are accepted, until they are "
        "allocated to a clinician.",
        work_queries.awaiting_allocation(user),
        item,
        _staff_list(status=Status.ACCEPTED.value, sort="received_asc"),
    )


def _late_section(user) -> WorkSection:
    today = timezone.localdate()

    def item(referral: Referral) -> WorkItem:
        if referral.report_due_on and referral.report_due_on < today:
            why = f"Report was due {date_gb(referral.report_due_on)} and the work is not yet allocated"
        else:
            why = f"Information asked for {date_gb(referral.information_requested_at)} has not arrived"
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{why}. {referral.referring_organisation.name}; {Status(referral.status).label.lower()}",
            tag="Late",
            tag_colour="red",
        )

    return queue_section(
        "Late referrals",
        "No referral is late. A referral appears here when its report due date has passed before it is allocated, "
        f"or the information asked for has not arrived within {work_queries.information_overdue_working_days()} "
        "working days.",
        work_queries.late(user, today),
        item,
        _staff_list(overdue="on", sort="due_asc"),
    )


@register(order=12)
def late_work_sections(request: HttpRequest) -> list[WorkSection]:
    """For clinical leads, after escalating cases: late work across the service."""
    if not request.user.has_perm("referrals.work_late"):
        return []
    return [_late_section(request.user)]


# --- Clinicians ----------------------------------------------------------------------------------


def _allocated_section(user) -> WorkSection:
    today = timezone.localdate()

    def item(referral: Referral) -> WorkItem:
        text, tag, colour = _due_text(referral, today)
        role = "lead clinician" if referral.lead_clinician_id == user.pk else "second assessor"
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail=f"{text}. {referral.referring_organisation.name}; you are the {role}",
            tag=tag,
            tag_colour=colour,
        )

    return queue_section(
        "Referrals allocated to you",
        "No referrals are allocated to you. Work a clinical lead allocates to you appears here, the soonest report "
        "due first.",
        work_queries.allocated_to(user),
        item,
        _staff_list(status=Status.ALLOCATED.value, sort="due_asc"),
    )


def _quarantine_section(user) -> WorkSection | None:
    """Shown only while there is something to tell: a document on a referral the user can see was
    found to hold malware and is quarantined."""
    queryset = work_queries.with_quarantined_documents(user)
    if not queryset.exists():
        return None

    def item(referral: Referral) -> WorkItem:
        return WorkItem(
            text=referral.reference,
            href=_staff_href(referral),
            detail="The virus scanner quarantined a document. Ask the sender for a clean copy.",
            tag="Quarantined",
            tag_colour="red",
        )

    return queue_section("Documents quarantined by the virus scanner", "", queryset, item)


@register(order=20)
def referral_sections(request: HttpRequest) -> list[WorkSection]:
    user = request.user
    sections: list[WorkSection] = []
    if user.has_perm("referrals.work_screening_queue"):
        sections.append(_screening_section(user))
        sections.append(_information_overdue_section(user))
    if user.has_perm("referrals.work_allocation_queue"):
        sections.append(_allocation_section(user))
    if user.has_perm("referrals.work_due_dates"):
        sections.append(_due_soon_section(user))
    if user.has_perm("referrals.work_allocated_to_me"):
        sections.append(_allocated_section(user))
    if user.has_perm("referrals.view_list") and (quarantined := _quarantine_section(user)) is not None:
        sections.insert(0, quarantined)
    return sections
