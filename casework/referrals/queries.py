"""Readers for referrals. Every referral a user sees comes through ``referrals_visible_to``."""

from __future__ import annotations

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from casework.accounts.roles import Role
from casework.audit.models import BreakGlassGrant
from casework.referrals.choices import Status
from casework.referrals.models import Referral

OBJECT_TYPE = "referrals.referral"


def _active_break_glass(user) -> Exists:
    return Exists(
        BreakGlassGrant.objects.filter(
            user=user, object_type=OBJECT_TYPE, object_id=OuterRef("pk_text"), expires_at__gt=timezone.now()
        )
    )


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Deny by default.

    - referrals coordinators and clinical leads: every submitted referral;
    - clinicians: referrals allocated to them (lead or second assessor), and any they hold
      active break-glass access to;
    - agency referrers: their own organisation's submitted referrals, and their own drafts;
    - everyone else (finance, researchers, system administrators): none.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    base = Referral.objects.all()
    role = user.role
    if role in (Role.REFERRALS_COORDINATOR, Role.CLINICAL_LEAD):
        return base.exclude(status=Status.DRAFT)
    if role == Role.CLINICIAN:
        return (
            base.exclude(status=Status.DRAFT)
            .annotate(pk_text=Cast("pk", CharField()))
            .filter(Q(lead_clinician=user) | Q(second_assessor=user) | _active_break_glass(user))
        )
    if role == Role.AGENCY_REFERRER and user.organisation_id:
        return base.filter(referring_organisation_id=user.organisation_id).filter(
            ~Q(status=Status.DRAFT) | Q(created_by=user)
        )
    return Referral.objects.none()


def referral_for_break_glass(user, reference: str) -> Referral | None:
    """A submitted referral a clinician is not allocated to, which they may open by break-glass.
    Only clinicians may ask; the answer never distinguishes 'does not exist' from 'not allowed'."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.CLINICIAN:
        return None
    return Referral.objects.exclude(status=Status.DRAFT).filter(reference=reference).first()


def with_list_relations(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """What a list page needs, fetched in a fixed number of queries."""
    return queryset.select_related("referring_organisation", "lead_clinician", "second_assessor").prefetch_related(
        "requested_services"
    )
