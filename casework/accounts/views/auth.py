"""Signing in and out. The same answer, and the same work, for an unknown email address as for
a wrong password; repeated failures lock the account (django-axes) and throttle the address."""

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

from casework.accounts.forms import SignInForm
from casework.accounts.middleware import second_factor_not_required
from casework.audit.models import Action
from casework.audit.services import client_ip, record

FAILED_MESSAGE = "Enter a correct email address and password. The password is case-sensitive."
LOCKED_MESSAGE = (
    "There have been too many failed attempts to sign in. Try again later, "
    "or ask your system administrator to unlock your account."
)
IP_WINDOW_SECONDS = 15 * 60


def _ip_key(request: HttpRequest) -> str:
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


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _render_sign_in(request: HttpRequest, form: SignInForm, status: int = 200, message: str | None = None) -> HttpResponse:
    return render(
        request, "accounts/sign_in.jinja",
        {"form": form, "message": message, "next": request.POST.get("next") or request.GET.get("next", ""),
         "expired": request.GET.get("expired") == "1"},
        status=status,
    )


@login_not_required
@second_factor_not_required
@sensitive_post_parameters("password")
@csrf_protect
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated and request.method == "GET":
        return redirect(settings.LOGIN_REDIRECT_URL)
    if request.method != "POST":
        return _render_sign_in(request, SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _render_sign_in(request, form, status=400)
    if _ip_throttled(request):
        record(action=Action.SIGN_IN_LOCKED, request=request, object_type="accounts.user",
               object_label="address throttled")
        return _render_sign_in(request, SignInForm(initial={"email": form.cleaned_data["email"]}), 429, LOCKED_MESSAGE)
    user = authenticate(
        request, email=form.cleaned_data["email"].strip().lower(), password=form.cleaned_data["password"]
    )
    if getattr(request, "axes_locked_out", False):
        return locked_out(request)
    if user is None:
        _count_ip_failure(request)
        form = SignInForm(initial={"email": form.cleaned_data["email"]})
        return _render_sign_in(request, form, status=400, message=FAILED_MESSAGE)
    login(request, user)
    return redirect(_next_url(request))


def locked_out(request: HttpRequest, credentials: dict | None = None, *args, **kwargs) -> HttpResponse:
    """django-axes calls this when an account is locked. It answers exactly as for any other
    locked attempt, whether or not the account exists."""
    record(action=Action.SIGN_IN_LOCKED, request=request, object_type="accounts.user",
           object_label="account locked")
    email = request.POST.get("email", "") if request.method == "POST" else ""
    return _render_sign_in(request, SignInForm(initial={"email": email}), status=429, message=LOCKED_MESSAGE)


@second_factor_not_required
@never_cache
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST signs out and ends every session the user holds."""
    if request.method == "POST":
        logout(request)
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/sign_out.jinja")
