"""The only readers of enrolments, outcome measures and follow-ups, scoped to the user through the
access rules (``casework.access.policy.visible``): a case's enrolments, one enrolment with what it
holds (a fixed number of queries), and the follow-ups falling due for "My work"."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from casework.access import policy
from casework.cases.choices import CaseKind
from casework.cases.models import LegalOrder
from casework.organisations.models import Organisation
from casework.treatment.models import Enrolment, FollowUp, OutcomeMeasure
from casework.treatment.services.enrolment import SUPERVISING_KINDS

# A follow-up shows on "My work" this many days before it falls due.
FOLLOW_UP_NOTICE_DAYS = 14


def enrolments_visible_to(user) -> QuerySet[Enrolment]:
    return policy.visible(user, Enrolment)


def enrolments_of_case(user, case) -> QuerySet[Enrolment]:
    return (
        enrolments_visible_to(user)
        .filter(case=case)
        .select_related("programme", "order", "supervising_agency", "created_by")
        .order_by("-starts_on", "-id")
    )


def enrolment_for_page(user, case) -> QuerySet[Enrolment]:
    """The case's enrolments with their outcome measures and follow-ups (filter by pk for one)."""
    return enrolments_of_case(user, case).prefetch_related("measures", "follow_ups__recorded_by")


def outcomes_of(user, enrolment: Enrolment) -> QuerySet[OutcomeMeasure]:
    return policy.visible(user, OutcomeMeasure).filter(enrolment=enrolment).order_by("measure", "taken_on", "id")


def follow_up_of(user, enrolment: Enrolment, pk: int) -> QuerySet[FollowUp]:
    return policy.visible(user, FollowUp).filter(enrolment=enrolment, pk=pk).select_related("enrolment__case")


def orders_for_enrolment(case) -> list[LegalOrder]:
    """The case's orders an enrolment may rest on (the service checks the kind against the basis)."""
    return list(LegalOrder.objects.filter(case=case).order_by("-starts_on", "-id"))


def supervising_agencies() -> list[Organisation]:
    return list(Organisation.objects.filter(kind__in=SUPERVISING_KINDS, is_active=True).order_by("name"))


def follow_ups_due(user, *, today: dt.date, mine_only: bool) -> QuerySet[FollowUp]:
    """Follow-ups not yet done that fall due within ``FOLLOW_UP_NOTICE_DAYS`` (or are overdue), on
    the perpetrator and victim cases the user may see (after treatment or therapy) — only those
    whose team they are on when ``mine_only``."""
    rows = policy.visible(user, FollowUp).filter(
        done_on__isnull=True,
        due_on__lte=today + dt.timedelta(days=FOLLOW_UP_NOTICE_DAYS),
        enrolment__case__kind__in=(CaseKind.PERPETRATOR, CaseKind.VICTIM),
    )
    if mine_only:
        rows = rows.filter(enrolment__case__team__user=user)
    return rows.select_related("enrolment__case").order_by("due_on", "id")
