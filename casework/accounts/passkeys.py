"""Passkeys (WebAuthn) as a second factor, with py_webauthn.

A signed-in, verified user registers a passkey from "Sign-in security"; at the next sign-in the
passkey may be used instead of the security code. Challenges live in the session, expire after
``CHALLENGE_SECONDS`` and are taken (removed) by the first verification that reads them, whether
it succeeds or not. Every registration, use, refusal and removal writes an audit event.

A passkey is not a django-otp device, so a session verified by one carries the passkey's id under
``VERIFIED_KEY``; ``apply_session_verification`` (called by ``SecondFactorRequiredMiddleware``)
turns that into ``request.user.otp_device`` for each request while the passkey still exists, so
``user.is_verified()`` means the same thing everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from casework.accounts.http import AuthenticatedHttpRequest
from casework.accounts.mfa import has_totp
from casework.accounts.models import Passkey, User
from casework.audit.models import Action
from casework.audit.services import record, record_create

RP_NAME = "NSC Casework"
REGISTRATION_KEY = "casework_webauthn_registration"
AUTHENTICATION_KEY = "casework_webauthn_authentication"
VERIFIED_KEY = "casework_passkey_id"
CHALLENGE_SECONDS = 5 * 60
TIMEOUT_MS = 2 * 60 * 1000
# A person needs a passkey or two (a laptop, a phone, a security key); the cap keeps the list on
# the security page short enough not to need pages.
MAX_PASSKEYS = 10
AT_LIMIT = f"You have {MAX_PASSKEYS} passkeys, the most you can have. Remove one before you add another."
NAME_MAX_LENGTH = Passkey._meta.get_field("name").max_length

# Anything a malformed or hostile response can raise while being parsed and checked.
_BAD_RESPONSE = (WebAuthnException, ValueError, TypeError, KeyError, AttributeError)


class PasskeyError(Exception):
    """A refusal, with a message fit to show to the user."""


@dataclass(frozen=True)
class PasskeyVerification:
    """Stands in for a django-otp device on ``request.user.otp_device`` when a passkey verified
    the session. Only the attributes django-otp and this project read are provided."""

    passkey_id: int
    user_id: int
    name: str = "Passkey"
    confirmed: bool = True

    @property
    def persistent_id(self) -> str:
        return f"passkey/{self.passkey_id}"


# --- Readers ------------------------------------------------------------------------------------


def available() -> bool:
    """Passkeys are offered only where the relying party is configured."""
    return bool(settings.CASEWORK_WEBAUTHN_RP_ID and settings.CASEWORK_WEBAUTHN_ORIGIN)


def _relying_party() -> tuple[str, str]:
    """The relying party's id and origin, for the passkey views, which only ``available()`` reaches."""
    rp_id, origin = settings.CASEWORK_WEBAUTHN_RP_ID, settings.CASEWORK_WEBAUTHN_ORIGIN
    assert rp_id and origin, "passkeys are not configured here (passkeys.available())"
    return rp_id, origin


def passkeys_of(user: User) -> list[Passkey]:
    return list(Passkey.objects.filter(user=user).order_by("created_at", "pk"))


def has_passkeys(user: User) -> bool:
    return Passkey.objects.filter(user=user).exists()


def can_add(user: User) -> bool:
    return Passkey.objects.filter(user=user).count() < MAX_PASSKEYS


def passkey_of(user: User, pk: int) -> Passkey | None:
    """One of ``user``'s own passkeys, or None: nobody sees another person's passkeys."""
    return Passkey.objects.filter(user=user, pk=pk).first()


def verified_by(request: HttpRequest) -> int | None:
    """The id of the passkey that verified this session, if one did."""
    return request.session.get(VERIFIED_KEY)


def user_handle(user: User) -> bytes:
    """The WebAuthn user handle: opaque and stable, never the email address or the primary key."""
    return salted_hmac("casework.accounts.passkeys.user_handle", str(user.pk), algorithm="sha256").digest()


# --- Challenges -----------------------------------------------------------------------------------


def _remember_challenge(request: HttpRequest, key: str, challenge: bytes) -> None:
    request.session[key] = {
        "challenge": bytes_to_base64url(challenge),
        "expires": timezone.now().timestamp() + CHALLENGE_SECONDS,
    }


def _take_challenge(request: HttpRequest, key: str) -> bytes:
    """Remove and return the challenge: each one can be answered once."""
    stored = request.session.pop(key, None)
    if not stored or stored.get("expires", 0) < timezone.now().timestamp():
        raise PasskeyError("The request to use your passkey has expired. Try again.")
    return base64url_to_bytes(stored["challenge"])


# --- Registration ---------------------------------------------------------------------------------


def registration_options(*, request: HttpRequest, user: User) -> str:
    """Options for ``navigator.credentials.create()``, as JSON; the challenge is kept in the session."""
    if not can_add(user):
        raise PasskeyError(AT_LIMIT)
    options = generate_registration_options(
        rp_id=_relying_party()[0],
        rp_name=RP_NAME,
        user_id=user_handle(user),
        user_name=user.email,
        user_display_name=user.full_name or user.email,
        timeout=TIMEOUT_MS,
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=bytes(credential_id))
            for credential_id in Passkey.objects.filter(user=user).values_list("credential_id", flat=True)
        ],
    )
    _remember_challenge(request, REGISTRATION_KEY, options.challenge)
    return options_to_json(options)


def passkey_register(*, request: HttpRequest, user: User, name: str, credential: Any) -> Passkey:
    """Check the browser's answer to the registration options and keep the new passkey."""
    challenge = _take_challenge(request, REGISTRATION_KEY)
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_relying_party()[0],
            expected_origin=_relying_party()[1],
            require_user_verification=False,
        )
    except _BAD_RESPONSE as exc:
        record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason="passkey registration refused")
        raise PasskeyError("Your passkey could not be checked. Try again.") from exc
    try:
        with transaction.atomic():
            if Passkey.objects.select_for_update().filter(user=user).count() >= MAX_PASSKEYS:
                raise PasskeyError(AT_LIMIT)
            if Passkey.objects.filter(credential_id=verified.credential_id).exists():
                raise IntegrityError("credential already registered")
            passkey = Passkey.objects.create(
                user=user,
                name=name,
                credential_id=verified.credential_id,
                public_key=verified.credential_public_key,
                sign_count=verified.sign_count,
            )
            record_create(request=request, actor=user, obj=passkey, fields=("name",))
    except IntegrityError as exc:
        raise PasskeyError("This passkey is already registered.") from exc
    return passkey


def passkey_remove(*, request: HttpRequest, user: User, passkey: Passkey) -> None:
    """Remove one of the user's passkeys. Refuses to remove the user's last second factor."""
    if passkey.user_id != user.pk:
        raise PasskeyError("This is not your passkey.")
    with transaction.atomic():
        others = Passkey.objects.select_for_update().filter(user=user).exclude(pk=passkey.pk).exists()
        if not others and not has_totp(user):
            raise PasskeyError("You cannot remove your only way to confirm it is you.")
        record(
            action=Action.DELETE,
            actor=user,
            request=request,
            obj=passkey,
            changes={"name": {"old": passkey.name, "new": None}},
        )
        passkey.delete()


# --- Authentication -------------------------------------------------------------------------------


def authentication_options(*, request: HttpRequest, user: User) -> str:
    """Options for ``navigator.credentials.get()`` listing the user's passkeys, as JSON."""
    credential_ids = list(Passkey.objects.filter(user=user).values_list("credential_id", flat=True))
    if not credential_ids:
        raise PasskeyError("You have not added a passkey. Enter a security code instead.")
    options = generate_authentication_options(
        rp_id=_relying_party()[0],
        timeout=TIMEOUT_MS,
        allow_credentials=[PublicKeyCredentialDescriptor(id=bytes(cid)) for cid in credential_ids],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _remember_challenge(request, AUTHENTICATION_KEY, options.challenge)
    return options_to_json(options)


def passkey_verify(*, request: AuthenticatedHttpRequest, user: User, credential: Any) -> Passkey:
    """Check the browser's answer to the authentication options; on success the session is verified.

    The passkey's row is locked while its signature counter is checked and moved on, so two
    answers racing with the same counter cannot both pass.
    """
    challenge = _take_challenge(request, AUTHENTICATION_KEY)
    refusal = ""
    passkey = None
    with transaction.atomic():
        try:
            raw_id = parse_authentication_credential_json(credential).raw_id
        except _BAD_RESPONSE:
            raw_id = b""
        passkey = (
            Passkey.objects.select_for_update().filter(user=user, credential_id=raw_id).first() if raw_id else None
        )
        if passkey is None:
            refusal = "passkey not registered to this account"
        else:
            try:
                verified = verify_authentication_response(
                    credential=credential,
                    expected_challenge=challenge,
                    expected_rp_id=_relying_party()[0],
                    expected_origin=_relying_party()[1],
                    credential_public_key=bytes(passkey.public_key),
                    credential_current_sign_count=passkey.sign_count,
                    require_user_verification=False,
                )
            except _BAD_RESPONSE as exc:
                refusal = "passkey sign count did not increase" if "sign count" in str(exc) else "passkey refused"
            else:
                passkey.sign_count = verified.new_sign_count
                passkey.last_used_at = timezone.now()
                passkey.save(update_fields=["sign_count", "last_used_at"])
        if refusal:
            record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason=refusal)
        else:
            assert passkey is not None  # no refusal: the passkey was found and checked
            record(action=Action.MFA_VERIFIED, actor=user, request=request, obj=user, reason=f"passkey {passkey.pk}")
    if refusal:
        raise PasskeyError("Your passkey could not be checked. Try again, or enter a security code.")
    assert passkey is not None
    request.session[VERIFIED_KEY] = passkey.pk
    request.user.otp_device = PasskeyVerification(passkey_id=passkey.pk, user_id=user.pk)
    return passkey


def apply_session_verification(request: HttpRequest) -> None:
    """Treat the session as verified while the passkey that verified it still exists."""
    session = getattr(request, "session", None)
    if session is None or VERIFIED_KEY not in session:
        return
    user = request.user
    if not user.is_authenticated:
        return
    if getattr(user, "otp_device", None) is not None:
        return
    passkey_id = session[VERIFIED_KEY]
    if Passkey.objects.filter(pk=passkey_id, user=user).exists():
        user.otp_device = PasskeyVerification(passkey_id=passkey_id, user_id=user.pk)
    else:
        del session[VERIFIED_KEY]
