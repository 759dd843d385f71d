"""Readers for accounts. Every queryset that reaches a user is scoped here."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User
from casework.accounts.roles import Instrument, Role


def active_clinical_leads() -> QuerySet[User]:
    return User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True)


def users_visible_to(user: User) -> QuerySet[User]:
    """System administrators manage every account; clinical leads see staff (for allocation and
    access review); nobody else sees the user list."""
    if not user.is_authenticated:
        return User.objects.none()
    if user.role == Role.SYSTEM_ADMINISTRATOR:
        return User.objects.select_related("organisation")
    if user.role == Role.CLINICAL_LEAD:
        return User.objects.exclude(role=Role.AGENCY_REFERRER).select_related("organisation")
    return User.objects.filter(pk=user.pk)


def user_by_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=(email or "").strip()).first()


def training_records_for(user: User, subject: User) -> QuerySet[TrainingRecord]:
    return TrainingRecord.objects.filter(user__in=users_visible_to(user), user=subject)


def has_current_training(user: User, instrument: Instrument | str, on=None) -> TrainingRecord | None:
    """The current training record for ``instrument``, or None."""
    on = on or timezone.localdate()
    return (
        TrainingRecord.objects.filter(user=user, instrument=instrument, trained_on__lte=on)
        .exclude(expires_on__lt=on)
        .order_by("-expires_on")
        .first()
    )


def latest_training(user: User, instrument: Instrument | str) -> TrainingRecord | None:
    return (
        TrainingRecord.objects.filter(user=user, instrument=instrument)
        .order_by("-trained_on", "-id")
        .first()
    )


def clinicians() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.CLINICIAN, Role.CLINICAL_LEAD], is_active=True)
