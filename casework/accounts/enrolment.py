"""Who may set up a second factor, and when (docs/adr/0010).

A password alone never enrols a second factor: whoever learnt it would then own the account. A
session may enrol (for ``CASEWORK_ENROLMENT_WINDOW_MINUTES``) when it has just

- chosen the account's password with a valid one-time set-password link, or
- entered an enrolment code that a system administrator issued to the account holder (single-use,
  valid ``CASEWORK_ENROLMENT_CODE_HOURS``, kept only as a keyed hash, refused after
  ``CASEWORK_ENROLMENT_CODE_ATTEMPTS`` wrong tries and slowed down after each).

Writers here are services: one transaction each, audited, the code itself never recorded.
"""

from __future__ import annotations

import datetime as dt
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac

from casework.accounts.mfa import CodeCheck, Outcome, has_second_factor
from casework.accounts.models import EnrolmentCode, User
from casework.audit.models import Action
from casework.audit.services import record

# No 0/O, 1/I/L, U: easy to read out over the telephone. 12 characters: about 58 bits.
ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
LENGTH = 12
SESSION_KEY = "casework_may_enrol"
VIA_LINK = "set-password link"
VIA_CODE = "enrolment code"
AUDIT_FIELD = "second_factor_enrolment"


def _normalise(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """A keyed hash (SECRET_KEY) of the code: a copy of the database alone cannot test guesses."""
    return salted_hmac("casework.accounts.enrolment", _normalise(code), algorithm="sha256").hexdigest()


def _new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def validity_words() -> str:
    hours = settings.CASEWORK_ENROLMENT_CODE_HOURS
    return f"{hours} hour{'s' if hours != 1 else ''}"


# --- The session's permission to enrol ----------------------------------------------------------


def allow_in_session(request: HttpRequest, user: User, via: str) -> None:
    until = timezone.now() + dt.timedelta(minutes=settings.CASEWORK_ENROLMENT_WINDOW_MINUTES)
    request.session[SESSION_KEY] = {"user": user.pk, "until": until.timestamp(), "via": via}


def may_enrol(request: HttpRequest, user: User) -> bool:
    """This session proved a set-password link or an enrolment code for ``user``, recently."""
    allowed = request.session.get(SESSION_KEY) or {}
    return allowed.get("user") == user.pk and float(allowed.get("until", 0)) > timezone.now().timestamp()


def end_in_session(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


# --- Codes --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issued:
    code: str  # shown once; never stored
    expires_at: dt.datetime


def enrolment_code_issue(
    *, user: User, by: User | None, request: HttpRequest | None = None, reason: str = ""
) -> Issued:
    """Issue a code with which ``user`` sets up a second factor; any earlier unused code stops
    working. ``by`` is the system administrator, or None from the command line (``reason`` says
    which command). Refused for one's own account, a disabled one, or one with a second factor
    (reset it first)."""
    if by is not None and by.pk == user.pk:
        raise PermissionDenied("Nobody issues an enrolment code for their own account")
    if not user.is_active:
        raise PermissionDenied("The account is disabled")
    if has_second_factor(user):
        raise PermissionDenied("The account already has a second factor: reset it first")
    now = timezone.now()
    code = _new_code()
    expires_at = now + dt.timedelta(hours=settings.CASEWORK_ENROLMENT_CODE_HOURS)
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        EnrolmentCode.objects.filter(user=user, used_at=None, revoked_at=None).update(revoked_at=now)
        EnrolmentCode.objects.create(
            user=user, code_hash=code_hash(code), issued_by=by, issued_at=now, expires_at=expires_at
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=user,
            reason=reason,
            changes={AUDIT_FIELD: {"old": None, "new": f"enrolment code issued, valid until {expires_at.isoformat()}"}},
        )
    return Issued(code=code, expires_at=expires_at)


def enrolment_code_redeem(*, request: HttpRequest, user: User, code: str) -> CodeCheck:
    """Check ``code`` against the user's current enrolment code. Used up on success (and the
    session may then enrol); each wrong try waits longer before the next (1, 2, 4 … seconds) and
    the code stops working after ``CASEWORK_ENROLMENT_CODE_ATTEMPTS`` wrong tries. Every try is
    audited."""
    now = timezone.now()
    with transaction.atomic():
        current = (
            EnrolmentCode.objects.select_for_update()
            .filter(user=user, used_at=None, revoked_at=None, expires_at__gt=now)
            .order_by("-issued_at", "-id")
            .first()
        )
        if current is not None and current.throttled_until and current.throttled_until > now:
            wait = max(1, math.ceil((current.throttled_until - now).total_seconds()))
            record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason="enrolment code: throttled")
            return CodeCheck(Outcome.THROTTLED, wait)
        if current is None or not hmac.compare_digest(current.code_hash, code_hash(code)):
            if current is not None:
                _count_wrong(current, now)
            reason = "enrolment code wrong" if current is not None else "enrolment code: none valid"
            record(action=Action.MFA_FAILED, actor=user, request=request, obj=user, reason=reason)
            return CodeCheck(Outcome.WRONG)
        current.used_at = now
        current.save(update_fields=["used_at"])
        record(
            action=Action.UPDATE,
            actor=user,
            request=request,
            obj=user,
            changes={AUDIT_FIELD: {"old": "enrolment code issued", "new": "enrolment code used"}},
        )
    allow_in_session(request, user, VIA_CODE)
    return CodeCheck(Outcome.VERIFIED)


def _count_wrong(code: EnrolmentCode, now: dt.datetime) -> None:
    code.failed_attempts += 1
    code.throttled_until = now + dt.timedelta(seconds=2 ** (code.failed_attempts - 1))
    if code.failed_attempts >= settings.CASEWORK_ENROLMENT_CODE_ATTEMPTS:
        code.revoked_at = now
    code.save(update_fields=["failed_attempts", "throttled_until", "revoked_at"])
