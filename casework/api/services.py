"""Making, checking and revoking API tokens (``casework.api.models.ApiToken``).

A token is ``nsc_`` + an 8-character prefix + ``_`` + 43 characters of ``secrets.token_urlsafe``
(256 bits). Only ``sha256(token)`` is stored; the prefix finds the row, the digest is compared in
constant time. Making a token also makes the agency account it acts through (an agency referrer
of the organisation with no usable password); revoking a token disables that account.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.models import User
from casework.api.models import ApiToken, Scope
from casework.audit.models import Action
from casework.audit.services import record, record_create
from casework.core.permissions import requires
from casework.core.refusals import Refused
from casework.core.roles import Role

TOKEN_PREFIX = "nsc_"  # noqa: S105  (the tokens' visible prefix, not a secret)
MAX_DAYS = 366
DEFAULT_DAYS = 90


class TokenRefused(Refused):
    pass


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ``nsc_`` + the 8 hexadecimal digits of the prefix + ``_`` + the secret (``token_urlsafe``'s alphabet).
_WELL_FORMED = re.compile(rf"{TOKEN_PREFIX}([0-9a-f]{{8}})_[A-Za-z0-9_-]{{32,}}")


def parse(token: str) -> str | None:
    """The lookup prefix of a well-formed token, else ``None``. Only the tokens' own alphabet passes:
    anything else in an ``Authorization`` header (a NUL byte, which PostgreSQL refuses in text, or
    other control characters) never reaches a query."""
    match = _WELL_FORMED.fullmatch(token)
    return match.group(1) if match else None


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown once, never stored


def _new_secret() -> tuple[str, str]:
    while True:
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix, f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"


@requires("api.manage_tokens")
def token_create(
    *,
    by,
    organisation,
    name: str,
    scopes: Iterable[str],
    expires_on: dt.date,
    request: HttpRequest | None = None,
) -> NewToken:
    """A new token for ``organisation``; the secret is in the answer and nowhere else."""
    wanted = sorted(set(scopes))
    if not wanted:
        raise TokenRefused("Select at least one thing the token may do", field="scopes")
    unknown = set(wanted) - set(Scope.values)
    if unknown:
        raise TokenRefused("Select what the token may do from the list", field="scopes")
    today = timezone.localdate()
    if expires_on <= today:
        raise TokenRefused("The expiry date must be in the future", field="expires_on")
    if expires_on > today + dt.timedelta(days=MAX_DAYS):
        raise TokenRefused(f"The expiry date must be within {MAX_DAYS} days", field="expires_on")
    expires_at = timezone.make_aware(dt.datetime.combine(expires_on, dt.time(23, 59, 59)))
    with transaction.atomic():
        prefix, secret = _new_secret()
        account = User.objects.create_user(
            email=f"api-{prefix}@api.invalid",
            password=None,
            full_name=f"API: {name}"[:150],
            role=Role.AGENCY_REFERRER,
            organisation=organisation,
            job_title="API integration",
        )
        record_create(request=request, actor=by, obj=account, fields=User.AUDITED_FIELDS)
        token = ApiToken.objects.create(
            organisation=organisation,
            name=name,
            prefix=prefix,
            secret_hash=digest(secret),
            scopes=wanted,
            user=account,
            created_by=by,
            expires_at=expires_at,
        )
        record_create(request=request, actor=by, obj=token, fields=ApiToken.AUDITED_FIELDS)
    return NewToken(token=token, secret=secret)


@requires("api.revoke_token", obj="token")
def token_revoke(*, by, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Revoke at once: the next call with it answers 401. Its agency account is disabled too."""
    with transaction.atomic():
        now = timezone.now()
        token.revoked_at = now
        token.revoked_by = by
        token.save(update_fields=["revoked_at", "revoked_by"])
        User.objects.filter(pk=token.user_id).update(is_active=False, deactivated_at=now)
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=token,
            changes={"revoked_at": {"old": None, "new": now.isoformat()}},
            reason="API token revoked",
        )
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The usable token ``raw`` names, or ``None`` (unknown, wrong secret, expired, revoked).
    Reading only: not a service. ``last_used_at`` is touched at most once a minute."""
    prefix = parse(raw)
    if prefix is None:
        return None
    token = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.secret_hash, digest(raw)):
        return None
    now = timezone.now()
    if not token.is_usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
