"""Sign-in, sign-out and failed sign-in write audit events and track sessions."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casework.accounts import services
from casework.audit.models import Action
from casework.audit.services import record


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs) -> None:
    services.session_started(user=user, request=request)
    record(action=Action.SIGN_IN, actor=user, request=request, obj=user)


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs) -> None:
    if user is None:
        return
    record(action=Action.SIGN_OUT, actor=user, request=request, obj=user)
    services.sessions_end(user=user)


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    from casework.accounts.queries import user_by_email

    user = user_by_email(credentials.get("email") or credentials.get("username") or "")
    # An unknown address is recorded without the address itself: no personal data in the trail
    # for someone who is not a user.
    record(
        action=Action.SIGN_IN_FAILED, actor=user, request=request,
        obj=user, object_type="" if user else "accounts.user",
        object_label="" if user else "unknown account",
    )
