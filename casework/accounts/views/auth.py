"""Signing in and out.

The same answer, and the same work, for an unknown email address as for a wrong password: Django's
ModelBackend hashes the password it was given even when no account matches. Repeated failures lock
the account by email address (django-axes, ``AXES_FAILURE_LIMIT``), and an address that fails
``CASEWORK_IP_FAILURE_LIMIT`` times within ``IP_WINDOW_SECONDS`` is throttled. A locked account
and a throttled address get one answer, whether or not the account exists.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from casework.accounts.forms import SignInForm
from casework.accounts.middleware import second_factor_not_required
from casework.accounts.queries import user_by_email
from casework.accounts.signals import refused_while_locked
from casework.audit.models import Action
from casework.audit.services import record
from casework.core.client_address import client_ip

FAILED_MESSAGE = "Enter a correct email address and password. The password is case-sensitive."
LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in. Try again later, "
    "or ask your system administrator to unlock your account."
)
IP_WINDOW_SECONDS = 15 * 60


def _ip_key(request: HttpRequest) -> str:
    # The address django-axes and the audit trail see, through TRUSTED_PROXY_COUNT proxies.
    return f"sign-in-failures:{client_ip(request) or 'unknown'}"


def _ip_throttled(request: HttpRequest) -> bool:
    return (cache.get(_ip_key(request)) or 0) >= settings.CASEWORK_IP_FAILURE_LIMIT


def _count_ip_failure(request: HttpRequest) -> None:
    key = _ip_key(request)
    cache.add(key, 0, IP_WINDOW_SECONDS)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, IP_WINDOW_SECONDS)


def safe_next(request: HttpRequest, default: str = settings.LOGIN_REDIRECT_URL) -> str:
    """The ``next`` page asked for, if it is on this site; otherwise ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _render_sign_in(
    request: HttpRequest, form: SignInForm, status: int = 200, message: str | None = None
) -> HttpResponse:
    next_value = request.POST.get("next") or request.GET.get("next", "")
    if next_value and safe_next(request, default="") != next_value:
        next_value = ""
    return render(
        request,
        "accounts/sign_in.jinja",
        {"form": form, "message": message, "next": next_value, "expired": request.GET.get("expired") == "1"},
        status=status,
    )


def _lockout_response(request: HttpRequest, reason: str) -> HttpResponse:
    """The one answer for a locked account or a throttled address, audited once."""
    email = (request.POST.get("email") or "").strip().lower() if request.method == "POST" else ""
    user = user_by_email(email) if email else None
    record(
        action=Action.SIGN_IN_LOCKED,
        request=request,
        actor=user,
        obj=user,
        object_type="" if user else "accounts.user",
        object_label="" if user else "unknown account",
        reason=reason,
    )
    response = _render_sign_in(
        request, SignInForm(initial={"email": request.POST.get("email", "")}), 429, LOCKED_MESSAGE
    )
    response.casework_lockout = True  # type: ignore[attr-defined]
    return response


@login_not_required
@second_factor_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return _render_sign_in(request, SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _render_sign_in(request, form, status=400)
    if _ip_throttled(request):
        return _lockout_response(request, "address throttled")
    user = authenticate(
        request, email=form.cleaned_data["email"].strip().lower(), password=form.cleaned_data["password"]
    )
    if getattr(request, "axes_locked_out", False):
        if refused_while_locked(request):
            return _lockout_response(request, "attempt while locked")
        _count_ip_failure(request)
        return _lockout_response(request, "account locked after repeated failures")
    if user is None:
        _count_ip_failure(request)
        form = SignInForm(initial={"email": form.cleaned_data["email"]})
        return _render_sign_in(request, form, status=400, message=FAILED_MESSAGE)
    login(request, user)
    return redirect(safe_next(request))


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict | None = None,
    *args,
    **kwargs,
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: AxesMiddleware calls this for every response to a request that
    axes flagged as locked out. The sign-in view has already answered (and audited) such requests,
    so its response is kept; anything else gets the same answer."""
    if original_response is not None and getattr(original_response, "casework_lockout", False):
        return original_response
    return _lockout_response(request, "account locked")


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST signs out and ends every session the user holds."""
    if request.method == "POST":
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/sign_out.jinja")
