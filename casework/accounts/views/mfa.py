"""Second-factor set-up at first sign-in, verification, recovery codes and the security page."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casework.accounts import enrolment, mfa, passkeys
from casework.accounts.forms import CodeForm, EnrolmentCodeForm
from casework.accounts.http import AuthenticatedHttpRequest
from casework.accounts.middleware import end_this_session, second_factor_not_required
from casework.accounts.views.auth import safe_next

MAX_CODE_FAILURES = 5
FAILURES_KEY = "casework_mfa_failures"
NEW_CODES_KEY = "casework_new_recovery_codes"
LOW_CODES_WARNING_AT = 2

ENROLMENT_WRONG = (
    "The enrolment code is not correct, or it has expired or been used. Check it, or ask your system "
    "administrator for a new one"
)
SETUP_WRONG = "The code is not correct. Check the time on your phone is right, then enter the newest code"
VERIFY_WRONG = "The security code is not correct. Enter the newest code from your authenticator app, or a recovery code"
TOO_MANY = "You entered too many wrong security codes, so you have been signed out. Sign in again to continue."


def count_failure(request: AuthenticatedHttpRequest) -> bool:
    """Count a refused code or passkey; after ``MAX_CODE_FAILURES`` end the session (this one
    only: the user's other sessions are not this attempt's to end). True if the session ended."""
    failures = request.session.get(FAILURES_KEY, 0) + 1
    request.session[FAILURES_KEY] = failures
    if failures >= MAX_CODE_FAILURES:
        end_this_session(request, "too many wrong security codes")
        messages.error(request, TOO_MANY)
        return True
    return False


def clear_failures(request: AuthenticatedHttpRequest) -> None:
    request.session.pop(FAILURES_KEY, None)


def _refusal(check: mfa.CodeCheck, wrong: str, again: str = "the newest code") -> str:
    if check.outcome is mfa.Outcome.THROTTLED:
        seconds = check.wait_seconds
        return f"Wait {seconds} second{'s' if seconds != 1 else ''}, then enter {again}"
    return wrong


def _refuse(request: AuthenticatedHttpRequest, form, check: mfa.CodeCheck, wrong: str, again: str = "the newest code"):
    """A refused code: counted (the sign-in page if that ended the session), else said on the field."""
    if count_failure(request):
        return redirect("accounts:sign_in")
    form.add_error("code", _refusal(check, wrong, again))
    return None


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_setup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up the authenticator app: at first sign-in, or (once verified) to replace the app."""
    user = request.user
    if mfa.has_second_factor(user):
        if not user.is_verified():
            return redirect("accounts:mfa_verify")
    elif not enrolment.may_enrol(request, user):
        # A password alone never sets up a second factor (docs/adr/0010).
        return redirect("accounts:mfa_enrolment_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = mfa.totp_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            enrolment.end_in_session(request)
            clear_failures(request)
            request.session[NEW_CODES_KEY] = {"codes": codes, "then": "core:my_work"}
            return redirect("accounts:recovery_codes")
        ended = _refuse(request, form, check, SETUP_WRONG)
        if ended:
            return ended
    device = mfa.pending_totp_device(user)
    return render(
        request,
        "accounts/mfa_setup.jinja",
        {
            "form": form,
            "qr_svg": mfa.totp_qr_svg(device),
            "secret": mfa.totp_secret_for_display(device),
            "replacing": mfa.has_totp(user),
        },
        status=400 if form.errors else 200,
    )


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_enrolment_code(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Someone signed in with a password and with no second factor: they need an enrolment code
    from a system administrator (or the session of a set-password link) to set one up."""
    user = request.user
    if mfa.has_second_factor(user):
        return redirect("accounts:mfa_verify")
    if enrolment.may_enrol(request, user):
        return redirect("accounts:mfa_setup")
    form = EnrolmentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = enrolment.enrolment_code_redeem(request=request, user=user, code=form.cleaned_data["code"])
        if check.ok:
            clear_failures(request)
            return redirect("accounts:mfa_setup")
        ended = _refuse(request, form, check, ENROLMENT_WRONG, again="the code again")
        if ended:
            return ended
    return render(
        request,
        "accounts/mfa_enrolment_code.jinja",
        {"form": form, "validity": enrolment.validity_words()},
        status=400 if form.errors else 200,
    )


@second_factor_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def mfa_verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(safe_next(request))
    if not mfa.has_second_factor(user):
        return redirect("accounts:mfa_setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = mfa.verify_code(request=request, user=user, code=form.cleaned_data["code"])
        if check.ok:
            clear_failures(request)
            left = mfa.recovery_codes_left(user)
            if left <= LOW_CODES_WARNING_AT:
                messages.warning(
                    request,
                    f"You have {left} recovery code{'s' if left != 1 else ''} left. "
                    "Make a new set from Sign-in security.",
                )
            return redirect(safe_next(request))
        ended = _refuse(request, form, check, VERIFY_WRONG)
        if ended:
            return ended
    offer_passkey = passkeys.available() and passkeys.has_passkeys(user)
    return render(
        request,
        "accounts/mfa_verify.jinja",
        {"form": form, "offer_passkey": offer_passkey, "next": safe_next(request, default="")},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows a newly made set of recovery codes once; POST makes a new set (old ones stop working)."""
    if request.method == "POST":
        codes = mfa.recovery_codes_renew(request=request, user=request.user)
        request.session[NEW_CODES_KEY] = {"codes": codes, "then": "accounts:security"}
        return redirect("accounts:recovery_codes")
    fresh = request.session.pop(NEW_CODES_KEY, None) or {}
    return render(
        request,
        "accounts/recovery_codes.jinja",
        {"codes": fresh.get("codes"), "then": fresh.get("then", "accounts:security")},
    )


@never_cache
@require_http_methods(["GET"])
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/security.jinja",
        {
            "has_totp": mfa.has_totp(user),
            "codes_left": mfa.recovery_codes_left(user),
            "passkeys_offered": passkeys.available(),
            "passkeys": passkeys.passkeys_of(user),
            "verified_by_passkey": passkeys.verified_by(request),
        },
    )
