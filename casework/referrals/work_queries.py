"""Readers for the referral queues on "My work". Each starts from ``referrals_visible_to`` so a
queue can never show a referral its reader may not see."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from casework.core.working_days import working_days_before
from casework.referrals.choices import ScanStatus, Status
from casework.referrals.models import Referral
from casework.referrals.queries import information_overdue_working_days, overdue_condition, referrals_visible_to

DUE_SOON_DAYS = 14
FINISHED = (Status.CLOSED, Status.DECLINED, Status.WITHDRAWN, Status.DRAFT)


def information_overdue_cutoff(today: dt.date | None = None) -> dt.datetime:
    """A request for information made before this moment has waited more than the allowed number
    of working days (a request made on the cutoff day itself has waited exactly that many)."""
    today = today or timezone.localdate()
    cutoff_day = working_days_before(today, information_overdue_working_days())
    return timezone.make_aware(dt.datetime.combine(cutoff_day, dt.time.min))


def awaiting_screening(user) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user)
        .filter(status__in=[Status.RECEIVED, Status.SCREENING])
        .select_related("referring_organisation")
        .order_by("received_at", "id")
    )


def information_overdue(user, today: dt.date | None = None) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user)
        .filter(status=Status.AWAITING_INFORMATION, information_requested_at__lt=information_overdue_cutoff(today))
        .select_related("referring_organisation")
        .order_by("information_requested_at", "id")
    )


def due_soon(user, today: dt.date | None = None, days: int = DUE_SOON_DAYS) -> QuerySet[Referral]:
    """Open referrals whose report is due within ``days`` days, or already overdue."""
    today = today or timezone.localdate()
    return (
        referrals_visible_to(user)
        .exclude(status__in=FINISHED)
        .filter(report_due_on__isnull=False, report_due_on__lte=today + dt.timedelta(days=days))
        .select_related("referring_organisation")
        .order_by("report_due_on", "id")
    )


def late(user, today: dt.date | None = None) -> QuerySet[Referral]:
    """Late work (the referrals list's "overdue" filter): the report due date has passed and the
    work is not yet allocated, or information asked for has not arrived in time; the longest
    late first."""
    return (
        referrals_visible_to(user)
        .filter(overdue_condition(today))
        .select_related("referring_organisation")
        .order_by(F("report_due_on").asc(nulls_last=True), "information_requested_at", "received_at", "id")
    )


def awaiting_allocation(user) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user)
        .filter(status=Status.ACCEPTED)
        .select_related("referring_organisation")
        .order_by("decided_at", "received_at", "id")
    )


def allocated_to(user) -> QuerySet[Referral]:
    """Referrals allocated to the user as lead clinician or second assessor (not those opened by
    break-glass), the soonest report due first."""
    return (
        referrals_visible_to(user)
        .filter(status=Status.ALLOCATED)
        .filter(Q(lead_clinician=user) | Q(second_assessor=user))
        .select_related("referring_organisation")
        .order_by(F("report_due_on").asc(nulls_last=True), "allocated_at", "id")
    )


def with_quarantined_documents(user) -> QuerySet[Referral]:
    """Referrals the user can see that hold a document the virus scanner quarantined."""
    return (
        referrals_visible_to(user)
        .filter(documents__scan_status=ScanStatus.INFECTED)
        .distinct()
        .order_by("-received_at", "id")
    )
