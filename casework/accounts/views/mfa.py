"""Second-factor set-up at first sign-in, verification, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.accounts import mfa
from casework.accounts.forms import CodeForm
from casework.accounts.middleware import second_factor_not_required

MAX_CODE_FAILURES = 5
FAILURES_KEY = "casework_mfa_failures"
NEW_CODES_KEY = "casework_new_recovery_codes"


def _count_failure(request: HttpRequest) -> bool:
    """Count a wrong code; after too many, end the session. True if the session ended."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    request.session[FAILURES_KEY] = failures
    if failures >= MAX_CODE_FAILURES:
        logout(request)
        return True
    return False


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa.has_second_factor(user) and not user.is_verified():
        return redirect("accounts:mfa_verify")
    device = mfa.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.totp_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            request.session.pop(FAILURES_KEY, None)
            request.session[NEW_CODES_KEY] = codes
            return redirect("accounts:recovery_codes")
        if _count_failure(request):
            return redirect("accounts:sign_in")
        form.add_error("code", "The code is not correct. Check the time on your phone and enter the newest code")
    return render(
        request, "accounts/mfa_setup.jinja",
        {"form": form, "qr_svg": mfa.totp_qr_svg(device), "secret": mfa.totp_secret_for_display(device)},
        status=400 if form.errors else 200,
    )


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect("core:my_work")
    if not mfa.has_second_factor(user):
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if mfa.verify_code(request=request, user=user, code=form.cleaned_data["code"]):
            request.session.pop(FAILURES_KEY, None)
            if mfa.recovery_codes_left(user) <= 2:
                messages.warning(request, "You have few recovery codes left. Make a new set from Sign-in security.")
            return redirect(request.GET.get("next") or "core:my_work")
        if _count_failure(request):
            return redirect("accounts:sign_in")
        form.add_error("code", "The security code is not correct")
    return render(request, "accounts/mfa_verify.jinja",
                  {"form": form, "has_passkeys": user.passkeys.exists()},
                  status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Shows a newly made set of recovery codes once; POST makes a new set."""
    if request.method == "POST":
        request.session[NEW_CODES_KEY] = mfa.new_recovery_codes(request.user)
        from casework.audit.models import Action
        from casework.audit.services import record

        record(action=Action.MFA_ENROLLED, request=request, obj=request.user, reason="new recovery codes")
        return redirect("accounts:recovery_codes")
    codes = request.session.pop(NEW_CODES_KEY, None)
    return render(request, "accounts/recovery_codes.jinja", {"codes": codes})


@never_cache
@require_http_methods(["GET"])
def security(request: HttpRequest) -> HttpResponse:
    return render(
        request, "accounts/security.jinja",
        {"codes_left": mfa.recovery_codes_left(request.user), "passkeys": list(request.user.passkeys.all())},
    )
