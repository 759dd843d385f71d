"""The only readers of report requests, scoped to the user through the access rules: a case's
requests, one request, what the forms offer (the case's instructing parties and letters of
instruction), and the due and late requests of My work."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from casework.access import policy
from casework.cases.choices import ACTIVE_STATUSES
from casework.organisations.models import Organisation
from casework.referrals.choices import DocumentKind
from casework.referrals.models import ReferralDocument
from casework.reports.choices import OPEN_STATUSES, DraftStatus
from casework.reports.models import IssuedReport, Report, ReportComment, ReportRequest, ReportSection, ReportVersion


def requests_visible_to(user) -> QuerySet[ReportRequest]:
    return policy.visible(user, ReportRequest)


def requests_of_case(user, case) -> QuerySet[ReportRequest]:
    return requests_visible_to(user).filter(case=case).select_related("instructing_party")


def request_for_page(user, case, pk: int) -> QuerySet[ReportRequest]:
    return (
        requests_of_case(user, case)
        .select_related("letter_of_instruction", "source_referral", "created_by", "updated_by")
        .filter(pk=pk)
    )


def letters_of_instruction(user, case) -> list[ReferralDocument]:
    """The letters of instruction sent with the case's referrals, that the user may see."""
    return list(
        policy.visible(user, ReferralDocument)
        .filter(referral__case_link__case=case, kind=DocumentKind.LETTER_OF_INSTRUCTION)
        .select_related("referral")
        .order_by("uploaded_at", "id")
    )


def instructing_parties(case) -> list[Organisation]:
    """The organisations that referred the case, and the agencies involved in it."""
    agencies = case.agencies.exclude(organisation=None).values("organisation_id")
    return list(
        Organisation.objects.filter(Q(referrals__case_link__case=case) | Q(pk__in=agencies)).distinct().order_by("name")
    )


def due_on_my_cases(user, *, today: dt.date, within_days: int) -> QuerySet[ReportRequest]:
    """Open requests due within ``within_days`` (or late) on the open cases the user is on the team of."""
    return (
        requests_visible_to(user)
        .filter(
            status__in=OPEN_STATUSES,
            due_on__lte=today + dt.timedelta(days=within_days),
            case__status__in=ACTIVE_STATUSES,
            case__team__user=user,
        )
        .select_related("case")
        .order_by("due_on", "id")
    )


def late_across_service(user, *, today: dt.date) -> QuerySet[ReportRequest]:
    """Open requests past their due date on every open case the user may see."""
    return (
        requests_visible_to(user)
        .filter(status__in=OPEN_STATUSES, due_on__lt=today, case__status__in=ACTIVE_STATUSES)
        .select_related("case")
        .order_by("due_on", "id")
    )


def report_for_page(user, case, request_pk: int) -> QuerySet[Report]:
    """The report written for one of the case's requests the user may see (empty when none)."""
    return (
        policy.visible(user, Report)
        .filter(request__case=case, request_id=request_pk)
        .select_related("request__case__subject", "author", "lead_signed_by")
    )


def sections_of(report: Report) -> list[ReportSection]:
    return list(ReportSection.objects.filter(report=report).select_related("updated_by").order_by("position", "id"))


def section_of(report: Report, key: str) -> ReportSection | None:
    return ReportSection.objects.filter(report=report, key=key).first()


def comment_of(report: Report, pk: int) -> ReportComment | None:
    return ReportComment.objects.filter(report=report, pk=pk).first()


def comments_of(report: Report) -> list[ReportComment]:
    return list(
        ReportComment.objects.filter(report=report).select_related("created_by", "resolved_by").order_by("created_at")
    )


def versions_of(report: Report) -> QuerySet[ReportVersion]:
    return ReportVersion.objects.filter(report=report).select_related("saved_by").order_by("-number")


def issues_of(report: Report) -> list[IssuedReport]:
    return list(
        IssuedReport.objects.filter(report=report)
        .select_related("recipient", "issued_by", "replaces")
        .prefetch_related("replaced_by")
        .order_by("number")
    )


def issued_for_page(user, case, request_pk: int, issue_pk: int) -> QuerySet[IssuedReport]:
    return policy.visible(user, IssuedReport).filter(
        report__request__case=case, report__request_id=request_pk, pk=issue_pk
    )


def recipients(case) -> list[Organisation]:
    """Who a report may be issued to: the case's instructing parties first, then every active
    organisation (a court or a panel that did not refer)."""
    return list(Organisation.objects.filter(is_active=True).order_by("name"))


def awaiting_sign_off(user) -> QuerySet[Report]:
    """Reports signed by their author, waiting for a clinical lead other than the author."""
    return (
        policy.visible(user, Report)
        .filter(status=DraftStatus.AUTHOR_SIGNED)
        .exclude(author=user)
        .select_related("request__case", "author")
        .order_by("author_signed_at", "id")
    )
