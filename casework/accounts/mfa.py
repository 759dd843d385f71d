"""Second factors: TOTP with single-use recovery codes (django-otp). Passkeys are in ``passkeys``.

Writers here follow the services rule: each one transaction, each one audited. Readers return
plain values or lists, never querysets a template could walk.
"""

from __future__ import annotations

import base64
import enum
import math
import re
import secrets
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"
# A TOTP code is six digits; a recovery code is two groups of six hex digits ("3fa9c2-0b7d11").
_TOTP_SHAPE = re.compile(r"^\d{6}$")


class Outcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True)
class CodeCheck:
    """The result of checking a security code. ``wait_seconds`` is set when throttled."""

    outcome: Outcome
    wait_seconds: int = 0

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.VERIFIED


# --- Readers ------------------------------------------------------------------------------------


def has_totp(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def has_second_factor(user: User) -> bool:
    return has_totp(user) or user.passkeys.exists()


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def totp_secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG of the otpauth:// URL. Safe to mark safe: segno writes the markup itself."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, light="#ffffff", title="QR code for your authenticator app"
    )


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).lower()


# --- Writers ------------------------------------------------------------------------------------


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one at a time); made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def _replace_recovery_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(settings.CASEWORK_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_renew(*, request: HttpRequest, user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set (the old ones stop working).

    The codes are returned to be shown once; they are not recoverable afterwards.
    """
    with transaction.atomic():
        codes = _replace_recovery_codes(user)
        record(action=Action.MFA_ENROLLED, actor=user, request=request, obj=user, reason="new recovery codes")
    return codes


def totp_confirm(*, request: HttpRequest, user: User, code: str) -> tuple[CodeCheck, list[str] | None]:
    """Confirm the pending TOTP device with a code.

    On success the device replaces any earlier authenticator app, a fresh set of recovery codes is
    made (and returned, to be shown once) and the session is marked verified.
    """
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=pending_totp_device(user).pk)
        check = _check_device(device, normalise_code(code))
        if not check.ok:
            record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason="set-up code refused")
            return check, None
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _replace_recovery_codes(user)
        record(action=Action.MFA_ENROLLED, actor=user, request=request, obj=user, reason="authenticator app")
    otp_login(request, device)
    return check, codes


def verify_code(*, request: HttpRequest, user: User, code: str) -> CodeCheck:
    """Check a TOTP code or a single-use recovery code; on success mark the session verified.

    A six-digit code is checked against the authenticator app only and anything else against the
    recovery codes only, so a recovery code never counts as a wrong app code (and the reverse) in
    django-otp's per-device throttling. A recovery code is used up by the DELETE that matches it:
    of two requests racing with the same code only one deletes a row, so only one succeeds.
    """
    token = normalise_code(code)
    is_totp = bool(_TOTP_SHAPE.match(token))
    model = TOTPDevice if is_totp else StaticDevice
    used = "authenticator app" if is_totp else "recovery code"
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).order_by("pk").first()
        if device is None:
            check = CodeCheck(Outcome.WRONG)
        elif is_totp:
            check = _check_device(device, token)
        else:
            check = _check_recovery_code(device, token)
        if check.ok:
            record(action=Action.MFA_VERIFIED, actor=user, request=request, obj=user, reason=used)
        else:
            reason = "throttled" if check.outcome is Outcome.THROTTLED else f"{used} wrong"
            record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason=reason)
    if check.ok:
        otp_login(request, device)
    return check


def _wait_seconds(device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def _check_device(device: TOTPDevice, token: str) -> CodeCheck:
    wait = _wait_seconds(device)
    if wait:
        return CodeCheck(Outcome.THROTTLED, wait)
    return CodeCheck(Outcome.VERIFIED if device.verify_token(token) else Outcome.WRONG)


def _check_recovery_code(device: StaticDevice, token: str) -> CodeCheck:
    wait = _wait_seconds(device)
    if wait:
        return CodeCheck(Outcome.THROTTLED, wait)
    deleted, _ = StaticToken.objects.filter(device=device, token=token).delete()
    if deleted:
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        return CodeCheck(Outcome.VERIFIED)
    device.throttle_increment(commit=True)
    return CodeCheck(Outcome.WRONG)
