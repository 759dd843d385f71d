"""Portal writers built on ``casework.referrals.services.intake``: saving one question page of a
draft, and sending it; and answering the clinic's request for more information.

``draft_save`` audits the referral's own fields; a page that changes the services asked for or
the people named also records those changes here, in the same transaction. Sending locks the
draft's row first, so a double click cannot send one draft twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import requires
from casework.referrals.choices import DocumentKind, Status
from casework.referrals.models import Referral, ReferralDocument, Transition
from casework.referrals.services.documents import agency_document_upload
from casework.referrals.services.intake import (
    draft_discard,
    draft_save,
    draft_submit,
    referral_changes,
    related_snapshot,
)
from casework.referrals.services.triage import referrer_answer


class AlreadySent(Exception):
    """The draft was sent (or deleted) before this request could send it."""


@requires("referrals.portal_edit_draft", obj="referral")
def portal_save_step(
    *,
    referral: Referral,
    by,
    request: HttpRequest | None = None,
    step: str,
    services: Iterable[str] | None = None,
    parties: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
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


@requires("referrals.portal_answer_request", obj="referral")
def portal_answer_request(
    *,
    referral: Referral,
    by,
    answer: str,
    request: HttpRequest | None = None,
    uploaded: UploadedFile | None = None,
    kind: str = "",
) -> tuple[Transition, ReferralDocument | None]:
    """Answer the clinic's request for more information, with a document if one is given. The
    answer moves the referral back to screening; the document is checked and scanned as any
    upload. One transaction: a refused file sends nothing, not even the answer. Both are audited
    by the services they use."""
    with transaction.atomic():
        step = referrer_answer(referral=referral, by=by, answer=answer, request=request)
        document = None
        if uploaded is not None:
            document = agency_document_upload(
                referral=referral,
                kind=kind or DocumentKind.OTHER,
                uploaded=uploaded,
                by=by,
                request=request,
            )
    return step, document
