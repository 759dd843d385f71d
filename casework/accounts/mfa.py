"""Second factors: TOTP with single-use recovery codes (django-otp), and passkeys."""

from __future__ import annotations

import base64
import secrets

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import User
from casework.audit.models import Action
from casework.audit.services import record

TOTP_NAME = "Authenticator app"
RECOVERY_NAME = "Recovery codes"


def has_second_factor(user: User) -> bool:
    return (
        TOTPDevice.objects.filter(user=user, confirmed=True).exists()
        or user.passkeys.exists()
    )


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being set up (one at a time)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code for your authenticator app")


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with a fresh set; the codes are shown once."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(settings.CASEWORK_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def normalise_code(code: str) -> str:
    return "".join((code or "").split()).lower()


def totp_confirm(*, request: HttpRequest, user: User, code: str) -> list[str] | None:
    """Confirm the pending TOTP device with a code; return new recovery codes, or None."""
    device = pending_totp_device(user)
    if not device.verify_token(normalise_code(code)):
        record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason="set-up code wrong")
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = new_recovery_codes(user)
        record(action=Action.MFA_ENROLLED, actor=user, request=request, obj=user)
    otp_login(request, device)
    return codes


def verify_code(*, request: HttpRequest, user: User, code: str) -> bool:
    """Check a TOTP code or a single-use recovery code; on success mark the session verified."""
    token = normalise_code(code)
    for device in _devices(user):
        if device.verify_token(token):
            otp_login(request, device)
            used = "recovery code" if isinstance(device, StaticDevice) else "authenticator app"
            record(action=Action.MFA_VERIFIED, actor=user, request=request, obj=user, reason=used)
            return True
    record(action=Action.MFA_FAILED, actor=user, request=request, obj=user)
    return False


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY_NAME).count()


def _devices(user: User) -> list:
    totp = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    static = list(StaticDevice.objects.filter(user=user, confirmed=True))
    return totp + static
