from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from casework.accounts.mfa import has_second_factor
from casework.accounts.passkeys import apply_session_verification
from casework.accounts.services import SESSION_STARTED_AT

# Set on the request before a logout that the user did not ask for: the session is ended and the
# reason audited, but the user's other sessions (other devices) are left alone.
SIGN_OUT_REASON = "casework_sign_out_reason"


def second_factor_not_required(view: Callable) -> Callable:
    """Mark a view a signed-in user may reach before completing the second factor."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.second_factor_not_required = True  # type: ignore[attr-defined]
    return wrapped


def end_this_session(request: HttpRequest, reason: str) -> None:
    """Sign this session out for ``reason`` (audited), leaving the user's other sessions."""
    setattr(request, SIGN_OUT_REASON, reason)
    logout(request)


class SessionLifetimeMiddleware:
    """End a session that has lived longer than the absolute limit, however active.

    The start time is written into the session by ``accounts.services.session_started`` on every
    sign-in (``user_logged_in``), including ``Client.force_login`` in tests. A signed-in session
    without it is treated as expired.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_AT)
            age = timezone.now().timestamp() - float(started or 0)
            if started is None or age > settings.CASEWORK_SESSION_ABSOLUTE_SECONDS:
                end_this_session(request, "session reached its time limit")
                return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A signed-in user must pass their second factor before reaching anything else.

    Users without a second factor are sent to set one up; the rest to verify it (carrying the page
    they asked for, so they land there afterwards). A session verified by a passkey is recognised
    here, before any view runs.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        apply_session_verification(request)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or settings.CASEWORK_MFA_DISABLED:
            return None
        if getattr(view_func, "second_factor_not_required", False):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public pages (healthz, static)
        if user.is_verified():
            return None
        if not has_second_factor(user):
            return redirect("accounts:mfa_setup")
        target = reverse("accounts:mfa_verify")
        wanted = request.get_full_path()
        if request.method == "GET" and wanted != reverse(settings.LOGIN_REDIRECT_URL):
            target = f"{target}?{urlencode({'next': wanted})}"
        return redirect(target)
