"""Writers for accounts: each one transaction, each one audited."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User, UserSession
from casework.accounts.roles import Role
from casework.audit.models import Action
from casework.audit.services import record, record_change, record_create, snapshot

SESSION_STARTED_AT = "casework_signed_in_at"


def session_started(*, user: User, request: HttpRequest) -> None:
    request.session[SESSION_STARTED_AT] = timezone.now().timestamp()
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.get_or_create(user=user, session_key=request.session.session_key)


def sessions_end(*, user: User) -> int:
    """End every session ``user`` holds."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    deleted, _ = UserSession.objects.filter(user=user).delete()
    return deleted


def user_create(*, by: User, request: HttpRequest | None = None, password: str | None = None, **fields: Any) -> User:
    with transaction.atomic():
        email = fields.pop("email")
        user = User.objects.create_user(email=email, password=password, **fields)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        record_create(request=request, actor=by, obj=user, fields=User.AUDITED_FIELDS)
    return user


def user_update(*, user: User, by: User, request: HttpRequest | None = None, **fields: Any) -> User:
    with transaction.atomic():
        before = snapshot(user, User.AUDITED_FIELDS)
        was_active = user.is_active
        for name, value in fields.items():
            setattr(user, name, value)
        if user.role != Role.AGENCY_REFERRER:
            user.organisation = None
        if was_active and not user.is_active:
            user.deactivated_at = timezone.now()
        if user.is_active:
            user.deactivated_at = None
        user.full_clean(exclude=["password"])
        user.save()
        record_change(request=request, actor=by, obj=user, before=before, fields=User.AUDITED_FIELDS)
        if was_active and not user.is_active:
            sessions_end(user=user)
    return user


def user_set_active(*, user: User, by: User, active: bool, request: HttpRequest | None = None) -> User:
    return user_update(user=user, by=by, request=request, is_active=active)


def user_reset_second_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """Remove a user's TOTP, recovery codes and passkeys so they enrol again at next sign-in."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.passkeys.all().delete()
        record(
            action=Action.UPDATE, actor=by, request=request, obj=user,
            changes={"second_factor": {"old": "set up", "new": "reset"}},
        )
        sessions_end(user=user)


def training_record_add(*, user: User, by: User, request: HttpRequest | None = None, **fields: Any) -> TrainingRecord:
    with transaction.atomic():
        training = TrainingRecord(user=user, **fields)
        training.full_clean()
        training.save()
        record_create(request=request, actor=by, obj=training, fields=TrainingRecord.AUDITED_FIELDS)
    return training


def training_record_delete(*, training: TrainingRecord, by: User, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        values = snapshot(training, TrainingRecord.AUDITED_FIELDS)
        record(
            action=Action.DELETE, actor=by, request=request, obj=training,
            changes={name: {"old": value, "new": None} for name, value in values.items()},
        )
        training.delete()
