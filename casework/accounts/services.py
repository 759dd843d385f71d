"""Writers for accounts: each one transaction, each one audited."""

from __future__ import annotations

from typing import Any

from axes.utils import reset as axes_reset
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import TrainingRecord, User, UserSession
from casework.audit.models import Action
from casework.audit.services import record, record_change, record_create, snapshot
from casework.core.permissions import require, requires, system_service
from casework.core.roles import Role

SESSION_STARTED_AT = "casework_signed_in_at"


@system_service("recorded for the user who has just signed in, by the sign-in signal")
def session_started(*, user: User, request: HttpRequest) -> None:
    request.session[SESSION_STARTED_AT] = timezone.now().timestamp()
    if not request.session.session_key:
        request.session.save()
    UserSession.objects.get_or_create(user=user, session_key=request.session.session_key)


@system_service("ends a user's sessions when an administrator disables them or resets their second factor")
def sessions_end(*, user: User) -> int:
    """End every session ``user`` holds."""
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    deleted, _ = UserSession.objects.filter(user=user).delete()
    return deleted


@requires("accounts.manage_users")
def user_create(*, by: User, request: HttpRequest | None = None, password: str | None = None, **fields: Any) -> User:
    with transaction.atomic():
        email = fields.pop("email")
        user = User.objects.create_user(email=email, password=password, **fields)
        if password is None:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        record_create(request=request, actor=by, obj=user, fields=User.AUDITED_FIELDS)
    return user


@requires("accounts.change_user", obj="user")
def user_update(*, user: User, by: User, request: HttpRequest | None = None, **fields: Any) -> User:
    """Change an account. The old values recorded are those in the database, whatever the
    caller has done to ``user`` in memory (a bound model form changes its instance)."""
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        before = snapshot(current, User.AUDITED_FIELDS)
        was_active = current.is_active
        old_role = current.role
        for name, value in fields.items():
            setattr(current, name, value)
        if by.pk == current.pk and current.role != old_role:
            raise PermissionDenied("Nobody can change their own role")
        if by.pk == current.pk and was_active and not current.is_active:
            raise PermissionDenied("Nobody can disable their own account")
        if by.pk == current.pk and current.is_caldicott_guardian != before["is_caldicott_guardian"]:
            raise PermissionDenied("Nobody can name themselves the Caldicott guardian")
        if current.role != Role.AGENCY_REFERRER:
            current.organisation = None
        if (
            current.is_active
            and current.role == Role.AGENCY_REFERRER
            and current.organisation is not None
            and not current.organisation.is_active
        ):
            raise ValidationError(
                {"organisation": "This organisation has been deactivated. Choose an active organisation"}
            )
        if was_active and not current.is_active:
            current.deactivated_at = timezone.now()
        if current.is_active:
            current.deactivated_at = None
        current.full_clean(exclude=["password"])
        current.save()
        record_change(request=request, actor=by, obj=current, before=before, fields=User.AUDITED_FIELDS)
        if was_active and not current.is_active:
            sessions_end(user=current)
    user.refresh_from_db()
    return current


def user_set_active(*, user: User, by: User, active: bool, request: HttpRequest | None = None) -> User:
    require(by, "accounts.enable_user" if active else "accounts.disable_user", user)
    return user_update(user=user, by=by, request=request, is_active=active)


@requires("accounts.reset_second_factor", obj="user")
def user_reset_second_factor(*, user: User, by: User, request: HttpRequest | None = None) -> None:
    """Remove a user's TOTP, recovery codes and passkeys so they enrol again at next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        user.passkeys.all().delete()
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=user,
            changes={"second_factor": {"old": "set up", "new": "reset"}},
        )
        sessions_end(user=user)


@requires("accounts.manage_training", obj="user")
def training_record_add(*, user: User, by: User, request: HttpRequest | None = None, **fields: Any) -> TrainingRecord:
    with transaction.atomic():
        training = TrainingRecord(user=user, **fields)
        training.full_clean()
        training.save()
        record_create(request=request, actor=by, obj=training, fields=TrainingRecord.AUDITED_FIELDS)
    return training


def training_record_delete(*, training: TrainingRecord, by: User, request: HttpRequest | None = None) -> None:
    require(by, "accounts.manage_training", training.user)
    with transaction.atomic():
        values = snapshot(training, TrainingRecord.AUDITED_FIELDS)
        record(
            action=Action.DELETE,
            actor=by,
            request=request,
            obj=training,
            changes={name: {"old": value, "new": None} for name, value in values.items()},
        )
        training.delete()


# --- Unlocking, and the one-time set-password link ---------------------------------------------


@requires("accounts.unlock_user", obj="user")
def user_unlock(*, user: User, by: User, request: HttpRequest | None = None) -> int:
    """Clear django-axes' failed sign-in attempts for the account, through axes' own API.
    Returns how many attempt records were removed."""
    with transaction.atomic():
        removed = axes_reset(username=user.email)
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=user,
            changes={"sign_in_lock": {"old": "locked", "new": "unlocked"}},
        )
    return removed


class SetPasswordLinkTokens(PasswordResetTokenGenerator):
    """Tokens for the one-time set-password link. A token stops working when the password
    changes (so it works once), when a newer link is made, or after PASSWORD_RESET_TIMEOUT."""

    key_salt = "casework.accounts.services.SetPasswordLinkTokens"


set_password_link_tokens = SetPasswordLinkTokens()


@requires("accounts.issue_set_password_link", obj="user")
def user_issue_set_password_link(*, user: User, by: User, request: HttpRequest | None = None) -> tuple[str, str]:
    """Make a one-time link with which ``user`` chooses their own password.

    Any password they had stops working at once, any earlier link stops working, and their
    sessions end. Returns (uid, token) for the link; the token itself is never recorded."""
    if by.pk == user.pk:
        raise PermissionDenied("Use your own sign-in security page")
    if not user.is_active:
        raise PermissionDenied("The account is disabled")
    with transaction.atomic():
        current = User.objects.select_for_update().get(pk=user.pk)
        had_password = current.has_usable_password()
        current.set_unusable_password()  # a new random value: older links and the old password stop working
        current.save(update_fields=["password"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=current,
            # Named so that the audit's secret filter (which drops *_password) keeps it: no secret here.
            changes={
                "sign_in": {"old": "password set" if had_password else "no password", "new": "set-password link issued"}
            },
        )
        sessions_end(user=current)
    user.password = current.password
    uid = urlsafe_base64_encode(force_bytes(current.pk))
    return uid, set_password_link_tokens.make_token(current)


@system_service("the holder of a one-time set-password link, checked by the link itself")
def user_set_password_from_link(*, user: User, password: str, request: HttpRequest | None = None) -> None:
    """The account holder chooses their password with a valid one-time link."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        record(
            action=Action.UPDATE,
            actor=user,
            request=request,
            obj=user,
            reason="password chosen with a one-time set-password link",
            changes={"sign_in": {"old": "set-password link issued", "new": "password set"}},
        )
        sessions_end(user=user)
