"""Readers for the agency portal. Everything starts from ``referrals_visible_to``: an agency
referrer sees their own organisation's submitted referrals and their own drafts, nothing else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from casework.organisations.models import Organisation
from casework.referrals.choices import REFERRER_ANSWER_PREFIX as ANSWER_PREFIX
from casework.referrals.choices import Decision, Status
from casework.referrals.models import Letter, Referral, ReferralDocument
from casework.referrals.queries import referrals_visible_to


def portal_referrals(user) -> QuerySet[Referral]:
    """What the portal may show this user: nothing unless they may use the portal."""
    if not user.has_perm("referrals.use_portal"):
        return Referral.objects.none()
    return referrals_visible_to(user)


def own_drafts(user) -> QuerySet[Referral]:
    """The user's own unsent drafts, the most recently touched first."""
    return portal_referrals(user).filter(status=Status.DRAFT, created_by=user).order_by("-updated_at", "-id")


def organisation_referrals(user, *, status: str = "") -> QuerySet[Referral]:
    """The user's organisation's submitted referrals, newest first, with what a list shows."""
    queryset = portal_referrals(user).exclude(status=Status.DRAFT)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.prefetch_related("requested_services").order_by("-received_at", "-id")


def awaiting_information_from(user) -> QuerySet[Referral]:
    """The organisation's referrals on which the clinic is waiting for information from it, the
    longest waiting first."""
    return portal_referrals(user).filter(status=Status.AWAITING_INFORMATION).order_by("information_requested_at", "id")


def draft_for(user, draft_id: int) -> Referral | None:
    """One of the user's drafts, or a referral of theirs that has since been sent (so a page
    reached by the back button can say so); ``None`` for anything else."""
    return (
        portal_referrals(user)
        .filter(pk=draft_id, created_by=user)
        .prefetch_related("requested_services", "named_parties")
        .select_related("commissioner")
        .first()
    )


def referral_for(user, reference: str) -> Referral | None:
    return (
        portal_referrals(user)
        .exclude(status=Status.DRAFT)
        .filter(reference=reference)
        .prefetch_related("requested_services", "named_parties")
        .select_related("commissioner", "referring_organisation", "lead_clinician", "case_link")
        .first()
    )


@dataclass(frozen=True)
class Progress:
    """What the referring agency is told once the clinic has taken the work on: the lead
    clinician's name (never the second assessor's, nor anything clinical), and when the clinic
    opened a case for it (never the case's reference or contents)."""

    clinician_name: str
    allocated_at: dt.datetime | None
    case_opened_at: dt.datetime | None


def progress(referral: Referral) -> Progress:
    """The referral's progress after acceptance (``referral_for`` has loaded what it reads)."""
    allocated = referral.allocated_at is not None and referral.lead_clinician_id is not None
    link = getattr(referral, "case_link", None)  # (absent until a case holds the referral's work)
    return Progress(
        clinician_name=referral.lead_clinician.full_name if allocated and referral.lead_clinician else "",
        allocated_at=referral.allocated_at if allocated else None,
        case_opened_at=link.added_at if link is not None else None,
    )


@dataclass(frozen=True)
class StatusChange:
    """A change of status as the referring agency sees it: when, and to what. Never who or why
    (staff reasons are internal)."""

    at: dt.datetime
    to_status: str

    @property
    def label(self) -> str:
        return Status(self.to_status).label


def status_history(referral: Referral) -> list[StatusChange]:
    rows = referral.transitions.order_by("at", "id").values_list("at", "to_status")
    return [StatusChange(at=at, to_status=to_status) for at, to_status in rows]


def letters_for(referral: Referral) -> QuerySet[Letter]:
    """Letters the clinic issued to the referrer about this referral, newest first."""
    return referral.letters.order_by("-issued_at", "-id")


def letter_for(referral: Referral, letter_id: int) -> Letter | None:
    return letters_for(referral).filter(pk=letter_id).select_related("referral").first()


def question(referral: Referral) -> str:
    """What the clinic asked for, while it awaits information: the reason its letter gave (written
    for the referrer, with no named person in it: ``triage.screening_decide``). Else nothing."""
    if referral.status == Status.AWAITING_INFORMATION and referral.decision == Decision.REQUEST_INFORMATION:
        return referral.decision_reason
    return ""


@dataclass(frozen=True)
class AnswerSent:
    """An answer the agency sent to a request for information: when, by whom, what it said."""

    at: dt.datetime
    by: str
    text: str


def answers_sent(user, referral: Referral) -> list[AnswerSent]:
    """The answers people of the user's organisation sent to the clinic's requests for this
    referral, oldest first (never a staff member's reason for a change)."""
    if not user.has_perm("referrals.portal_follow_referral", referral):
        return []
    rows = (
        referral.transitions.filter(
            from_status=Status.AWAITING_INFORMATION,
            by__organisation_id=user.organisation_id,
            reason__startswith=ANSWER_PREFIX,
        )
        .order_by("at", "id")
        .values_list("at", "by__full_name", "reason")
    )
    return [AnswerSent(at=at, by=by, text=reason.removeprefix(ANSWER_PREFIX)) for at, by, reason in rows]


def documents_sent(user, referral: Referral) -> list[ReferralDocument]:
    """The documents people of the user's organisation sent for this referral through the
    portal, oldest first. Never the documents the clinic added (the portal lists these, it serves
    no document: the agency holds its own copies)."""
    if not user.has_perm("referrals.portal_follow_referral", referral):
        return []
    return list(
        referral.documents.filter(uploaded_by__organisation_id=user.organisation_id)
        .select_related("uploaded_by")
        .order_by("uploaded_at", "id")
    )


def commissioning_organisations(user, current: Organisation | None = None) -> QuerySet[Organisation]:
    """Organisations a referral may name as paying for the work: the active ones (and the one
    already chosen, even if it has since been deactivated). Names of agencies only."""
    if not user.has_perm("referrals.use_portal"):
        return Organisation.objects.none()
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return Organisation.objects.filter(condition).order_by("name", "id")
