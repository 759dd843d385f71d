"""Passkeys: add one from Sign-in security, use one at the security-code step, remove one.

The WebAuthn ceremonies run in the browser (``static/passkeys.js``) against four JSON endpoints,
CSRF-protected like every POST: options and verification, for registration and for sign-in.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.accounts import passkeys
from casework.accounts.http import AuthenticatedHttpRequest
from casework.accounts.middleware import second_factor_not_required
from casework.accounts.views.auth import safe_next
from casework.accounts.views.mfa import clear_failures, count_failure
from casework.core.forms import NHSForm

PENDING_NAME_KEY = "casework_passkey_pending_name"
NOT_SENT = "Your browser did not send a passkey. Try again."


class PasskeyNameForm(NHSForm):
    name = forms.CharField(
        label="Name your passkey",
        max_length=passkeys.NAME_MAX_LENGTH,
        help_text="So you can tell your passkeys apart. For example, work laptop or blue security key",
        error_messages={
            "required": "Enter a name for your passkey",
            "max_length": f"Name must be {passkeys.NAME_MAX_LENGTH} characters or fewer",
        },
    )


def _require_available() -> None:
    if not passkeys.available():
        raise Http404("Passkeys are not set up on this site")


def _json_body(request: AuthenticatedHttpRequest) -> dict[str, Any] | None:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return None
    return body if isinstance(body, dict) else None


def _json_options(options_json: str) -> HttpResponse:
    return HttpResponse(options_json, content_type="application/json")


def _refused(message: str, status: int = 400, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status)


# --- Adding a passkey -----------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def passkey_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 1: name the passkey (an ordinary form, refused with the NHS error summary)."""
    _require_available()
    if not passkeys.can_add(request.user):
        return render(request, "accounts/passkey_add.jinja", {"at_limit": passkeys.AT_LIMIT})
    form = PasskeyNameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[PENDING_NAME_KEY] = form.cleaned_data["name"]
        return redirect("accounts:passkey_create")
    return render(request, "accounts/passkey_add.jinja", {"form": form}, status=400 if form.errors else 200)


@never_cache
@require_GET
def passkey_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Step 2: the browser makes the passkey (passkeys.js) and the server checks it."""
    _require_available()
    name = request.session.get(PENDING_NAME_KEY)
    if not name:
        return redirect("accounts:passkey_add")
    return render(request, "accounts/passkey_create.jinja", {"name": name})


@never_cache
@require_POST
def passkey_register_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_available()
    if not request.session.get(PENDING_NAME_KEY):
        return _refused("Start again: name your passkey first.")
    try:
        return _json_options(passkeys.registration_options(request=request, user=request.user))
    except passkeys.PasskeyError as refusal:
        return _refused(str(refusal))


@never_cache
@require_POST
def passkey_register_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_available()
    name = request.session.get(PENDING_NAME_KEY)
    if not name:
        return _refused("Start again: name your passkey first.")
    body = _json_body(request)
    if not body or not body.get("credential"):
        return _refused(NOT_SENT)
    try:
        passkeys.passkey_register(request=request, user=request.user, name=name, credential=body["credential"])
    except passkeys.PasskeyError as refusal:
        return _refused(str(refusal))
    request.session.pop(PENDING_NAME_KEY, None)
    messages.success(request, f"Passkey added: {name}")
    return JsonResponse({"redirect": reverse("accounts:security")})


# --- Removing a passkey ---------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def passkey_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    passkey = passkeys.passkey_of(request.user, pk)
    if passkey is None:
        raise Http404("No such passkey")
    if request.method == "POST":
        try:
            passkeys.passkey_remove(request=request, user=request.user, passkey=passkey)
        except passkeys.PasskeyError as refusal:
            raise PermissionDenied(str(refusal)) from refusal
        messages.success(request, f"Passkey removed: {passkey.name}")
        return redirect("accounts:security")
    return render(
        request,
        "accounts/passkey_remove.jinja",
        {"passkey": passkey, "signed_in_with_it": passkeys.verified_by(request) == passkey.pk},
    )


# --- Using a passkey at the security-code step ----------------------------------------------------


@second_factor_not_required
@never_cache
@require_POST
def passkey_sign_in_options(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_available()
    if request.user.is_verified():
        return JsonResponse({"redirect": resolve_url(safe_next(request))})
    try:
        return _json_options(passkeys.authentication_options(request=request, user=request.user))
    except passkeys.PasskeyError as refusal:
        return _refused(str(refusal))


@second_factor_not_required
@never_cache
@require_POST
def passkey_sign_in_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_available()
    if request.user.is_verified():
        return JsonResponse({"redirect": resolve_url(safe_next(request))})
    body = _json_body(request) or {}
    try:
        passkeys.passkey_verify(request=request, user=request.user, credential=body.get("credential"))
    except passkeys.PasskeyError as refusal:
        if count_failure(request):
            return _refused(str(refusal), redirect=reverse("accounts:sign_in"))
        return _refused(str(refusal))
    clear_failures(request)
    return JsonResponse({"redirect": resolve_url(safe_next(request))})
