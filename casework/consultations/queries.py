"""Readers for a consultation: its request, its meetings, its issued advice letters; each scoped to
the user through the case's access rules (``policy.visible``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from casework.access import policy
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.organisations.models import Organisation
from casework.organisations.queries import organisations_visible_to
from casework.reports.choices import ReportType
from casework.reports.models import IssuedReport


def request_of_case(user, case) -> ConsultationRequest | None:
    return (
        policy.visible(user, ConsultationRequest)
        .filter(case=case)
        .select_related("agency", "became_referral", "created_by", "updated_by")
        .first()
    )


def meetings_of_case(user, case) -> QuerySet[ConsultationMeeting]:
    return (
        policy.visible(user, ConsultationMeeting)
        .filter(case=case)
        .select_related("recorded_by")
        .order_by("-held_on", "-id")
    )


def meeting_for_page(user, case, pk: int) -> ConsultationMeeting | None:
    return meetings_of_case(user, case).filter(pk=pk).first()


def advice_letters(user, case) -> QuerySet[IssuedReport]:
    """The consultation advice letters issued on ``case``, newest first."""
    return (
        policy.visible(user, IssuedReport)
        .filter(report__request__case=case, report__request__report_type=ReportType.CONSULTATION)
        .select_related("recipient", "issued_by", "report__request")
        .order_by("-issued_at", "-id")
    )


def agencies_for_form(user, current: ConsultationRequest | None = None) -> QuerySet[Organisation]:
    """The agencies a request may name: the active ones, and the one it names already."""
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.agency_id)
    return organisations_visible_to(user).filter(condition).order_by("name", "id")
