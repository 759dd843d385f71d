from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from casework.accounts.services import SESSION_STARTED_AT


def second_factor_not_required(view: Callable) -> Callable:
    """Mark a view a signed-in user may reach before completing the second factor."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        return view(*args, **kwargs)

    wrapped.second_factor_not_required = True  # type: ignore[attr-defined]
    return wrapped


class SessionLifetimeMiddleware:
    """End a session that has lived longer than the absolute limit, however active."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_AT)
            age = timezone.now().timestamp() - float(started or 0)
            if started is None or age > settings.CASEWORK_SESSION_ABSOLUTE_SECONDS:
                logout(request)
                return redirect(f"{settings.LOGIN_URL_PATH}?expired=1")
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """A signed-in user must pass their second factor before reaching anything else.

    Users without a second factor are sent to set one up; the rest to verify it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
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
        from casework.accounts.mfa import has_second_factor

        return redirect("accounts:mfa_verify" if has_second_factor(user) else "accounts:mfa_setup")
