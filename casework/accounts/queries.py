"""Readers for accounts. Every queryset that reaches a user is scoped here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django.db.models import Field, Model, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.mfa import has_second_factor as _has
from casework.accounts.models import TrainingRecord, User
from casework.core.formatting import date_gb
from casework.core.roles import Instrument, Role

# --- The organisations a user may belong to ----------------------------------------------------------
# The organisations app sits a layer above this one (its pages list an agency's referrers and
# disable them with it); accounts reaches the directory only through the model its own
# ``User.organisation`` field points to, to offer its rows as choices.


def _organisation_model() -> type[Model]:
    model = User._meta.get_field("organisation").related_model
    assert isinstance(model, type), "User.organisation is resolved once the apps are loaded"
    return model


def _organisations() -> QuerySet:
    return _organisation_model()._default_manager.all()


def organisations_of_kind(kind: str) -> QuerySet:
    return _organisations().filter(kind=kind).order_by("id")


def organisation_kind_label(kind: str) -> str:
    field = _organisation_model()._meta.get_field("kind")
    assert isinstance(field, Field)
    return dict(field.flatchoices).get(kind, kind)


def organisation_choices(user, current=None) -> QuerySet:
    """Organisations an agency referrer may be given, for clinic staff: the active ones, and the
    one they already have even if it has since been deactivated (so editing them does not
    silently move them). None for anyone signed out or outside the clinic."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role == Role.AGENCY_REFERRER:
        return _organisations().none()
    condition = Q(is_active=True)
    if current is not None:
        condition |= Q(pk=current.pk)
    return _organisations().filter(condition).order_by("name", "id")


def organisation_filter_choices(user) -> QuerySet:
    """Every organisation, to filter the user list by (clinic staff only)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.role == Role.AGENCY_REFERRER:
        return _organisations().none()
    return _organisations().order_by("name", "id")


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
    return TrainingRecord.objects.filter(user=user, instrument=instrument).order_by("-trained_on", "-id").first()


def clinicians() -> QuerySet[User]:
    return User.objects.filter(role__in=[Role.CLINICIAN, Role.CLINICAL_LEAD], is_active=True)


# --- The user administration and staff pages ------------------------------------------------

USER_STATUS_ACTIVE = "active"
USER_STATUS_DISABLED = "disabled"


def users_filtered(
    queryset: QuerySet[User], *, role: str = "", organisation=None, status: str = "", search: str = ""
) -> QuerySet[User]:
    """Narrow an already-scoped list of users by the list page's filters."""
    if role:
        queryset = queryset.filter(role=role)
    if organisation is not None:
        queryset = queryset.filter(organisation=organisation)
    if status == USER_STATUS_ACTIVE:
        queryset = queryset.filter(is_active=True)
    elif status == USER_STATUS_DISABLED:
        queryset = queryset.filter(is_active=False)
    search = (search or "").strip()
    if search:
        queryset = queryset.filter(Q(full_name__icontains=search) | Q(email__icontains=search))
    return queryset.order_by("full_name", "id")


def staff_visible_to(user: User) -> QuerySet[User]:
    """Clinic staff (never agency referrers) the user may see, each with their training records."""
    return (
        users_visible_to(user)
        .exclude(role=Role.AGENCY_REFERRER)
        .prefetch_related(
            Prefetch("training_records", queryset=TrainingRecord.objects.order_by("instrument", "-trained_on", "-id"))
        )
    )


def user_for_set_password_link(uid: str | int) -> User | None:
    """The active account a one-time set-password link names, or None."""
    try:
        pk = int(uid)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@dataclass(frozen=True)
class TrainingStatus:
    record: TrainingRecord
    current: bool
    tag_text: str
    tag_colour: str


def training_status(record: TrainingRecord, on: dt.date | None = None) -> TrainingStatus:
    """How a training record is shown: "Current" or "Expired 3 October 2026"."""
    on = on or timezone.localdate()
    if record.is_current(on):
        return TrainingStatus(record, True, "Current", "green")
    if record.expires_on is not None and record.expires_on < on:
        return TrainingStatus(record, False, f"Expired {date_gb(record.expires_on)}", "red")
    return TrainingStatus(record, False, f"From {date_gb(record.trained_on)}", "grey")


def training_statuses(records, on: dt.date | None = None) -> list[TrainingStatus]:
    """Current training first, then expired, each by instrument."""
    on = on or timezone.localdate()
    statuses = [training_status(record, on) for record in records]
    return sorted(statuses, key=lambda s: (not s.current, s.record.instrument, -s.record.trained_on.toordinal()))


@dataclass(frozen=True)
class SignInLock:
    locked: bool
    recent_failures: int


def sign_in_lock(subject: User) -> SignInLock:
    """Whether django-axes has locked the account after repeated failed sign-ins, asked through
    axes' own handler (whatever storage it is configured with), for this account's email address."""
    probe = HttpRequest()  # no address or browser: only the account's own attempts count
    credentials = get_credentials(subject.email)
    failures = AxesProxyHandler.get_failures(probe, credentials)
    return SignInLock(locked=AxesProxyHandler.is_locked(HttpRequest(), credentials), recent_failures=failures)


def has_second_factor(subject: User) -> bool:
    return _has(subject)


def email_in_use(email: str, exclude: User | None = None) -> bool:
    """Whether another account already signs in with ``email`` (compared without case)."""
    queryset = User.objects.filter(email__iexact=(email or "").strip())
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.exists()
