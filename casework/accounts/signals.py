"""Sign-in, sign-out and failed sign-in write audit events and track sessions."""

from __future__ import annotations

from axes.helpers import get_failure_limit
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from casework.accounts import services
from casework.accounts.middleware import SIGN_OUT_REASON
from casework.accounts.queries import user_by_email
from casework.audit.models import Action
from casework.audit.services import record


@receiver(user_logged_in)
def on_signed_in(sender, request, user, **kwargs) -> None:
    services.session_started(user=user, request=request)
    record(action=Action.SIGN_IN, actor=user, request=request, obj=user)


@receiver(user_logged_out)
def on_signed_out(sender, request, user, **kwargs) -> None:
    """A sign-out the user asked for ends every session they hold, on every device. A session
    ended for them (time limit, too many wrong codes) is ended alone and the reason recorded."""
    if user is None:
        return
    reason = getattr(request, SIGN_OUT_REASON, "") if request is not None else ""
    record(action=Action.SIGN_OUT, actor=user, request=request, obj=user, reason=reason)
    if not reason:
        services.sessions_end(user=user)


def refused_while_locked(request) -> bool:
    """django-axes refused the attempt because the account was already locked: no password was
    checked. Its backend flags such a request before raising; its failure handler (which runs
    before this module's receivers) then either skips counting (``axes_failures_since_start`` left
    None) or, with AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT (the default), counts one more
    failure past the limit, which restarts the cool-off."""
    if not getattr(request, "axes_locked_out", False):
        return False
    failures = getattr(request, "axes_failures_since_start", None)
    return failures is None or failures > get_failure_limit(request, getattr(request, "axes_credentials", None))


@receiver(user_login_failed)
def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    if request is not None and refused_while_locked(request):
        return  # recorded once, as SIGN_IN_LOCKED, by the sign-in view
    user = user_by_email(credentials.get("email") or credentials.get("username") or "")
    # An unknown address is recorded without the address itself: no personal data in the trail
    # for someone who is not a user.
    record(
        action=Action.SIGN_IN_FAILED,
        actor=user,
        request=request,
        obj=user,
        object_type="" if user else "accounts.user",
        object_label="" if user else "unknown account",
    )
