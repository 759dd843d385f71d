"""Portal writers built on ``casework.referrals.services.intake``: saving one question page of a
draft, and sending it.

``draft_save`` audits the referral's own fields; a page that changes the services asked for or
the people named also records those changes here, in the same transaction. Sending locks the
draft's row first, so a double click cannot send one draft twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import requires
from casework.referrals.choices import Status
from casework.referrals.models import Referral
from casework.referrals.services.intake import (
    draft_discard,
    draft_save,
    draft_submit,
    referral_changes,
    related_snapshot,
)


class AlreadySent(Exception):
    """The draft was sent (or deleted) before this request could send it."""


@requires("referrals.portal_edit_draft", obj="referral")
def portal_save_step(
    *, referral: Referral, by, request: HttpRequest | None = None, step: str,
    services: Iterable[str] | None = None, parties: Iterable[dict[str, Any]] | None = None, **fields: Any,
) -> Referral:
    """Save one page of a draft and where the referrer has got to."""
    with transaction.atomic():
        before = related_snapshot(referral) if (services is not None or parties is not None) else None
        draft_save(referral=referral, by=by, request=request, step=step, services=services, parties=parties, **fields)
        if before is not None:
            changes = referral_changes(before, related_snapshot(referral))
            if changes:
                record(action=Action.UPDATE, actor=by, request=request, obj=referral, changes=changes)
    # Drop any cached prefetch so the caller reads what was saved.
    # (Django's own prefetch cache, which the stubs do not declare.)
    referral._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    return referral


@requires("referrals.portal_edit_draft", obj="referral")
def portal_submit(*, referral: Referral, by, request: HttpRequest | None = None) -> Referral:
    """Send a draft to the clinic: it is received now and gets its reference."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().filter(pk=referral.pk, status=Status.DRAFT).first()
        if locked is None:
            raise AlreadySent
        return draft_submit(referral=locked, by=by, request=request)


@requires("referrals.portal_edit_draft", obj="referral")
def portal_discard(*, referral: Referral, by, request: HttpRequest | None = None) -> None:
    """Delete an unsent draft (audited by ``draft_discard``)."""
    with transaction.atomic():
        locked = Referral.objects.select_for_update().filter(pk=referral.pk, status=Status.DRAFT).first()
        if locked is None:
            raise AlreadySent
        draft_discard(referral=locked, by=by, request=request)
