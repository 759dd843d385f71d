"""Background tasks for referrals: scanning a document the scanner could not take at upload;
sending a letter to the referrer through GOV.UK Notify and following its delivery."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casework.core.malware import ScannerUnavailable
from casework.core.models import update_in_place
from casework.referrals import letters, notify
from casework.referrals.models import DeliveryStatus, Letter, ReferralDocument
from casework.worker.delivery import already_delivered, record_delivery

log = logging.getLogger("casework.security")

# Wait before trying a held document again: 1, 2, 4 … minutes, at most an hour.
RETRY_MINUTES_MAX = 60


def retry_delay(attempt: int) -> dt.timedelta:
    return dt.timedelta(minutes=min(RETRY_MINUTES_MAX, 2 ** max(0, attempt - 1)))


@task()
def scan_document(document_id: int, attempt: int = 1) -> str:
    """Scan one stored document and release or quarantine it. If the scanner is still down the
    document stays held and, where the task backend can run tasks later (the database backend of
    ``db_worker``), the scan is queued again with a growing delay; ``manage.py scan_documents``
    (run from cron) catches anything left."""
    # Here, not at the top: the documents service queues this task when it holds an upload.
    from casework.referrals.services.documents import document_scan

    document = ReferralDocument.objects.filter(pk=document_id).first()
    if document is None:
        return "gone"
    try:
        return str(document_scan(document=document))
    except ScannerUnavailable as reason:
        log.warning("Document %s still not scanned (attempt %s): %s", document_id, attempt, reason)
        backend = scan_document.get_backend()
        if backend.supports_defer:
            scan_document.using(run_after=timezone.now() + retry_delay(attempt)).enqueue(document_id, attempt + 1)
        return "unavailable"


# Ask Notify again about a letter not yet delivered: after 5, 10, 20 … minutes, at most 12 times.
DELIVERY_CHECKS_MAX = 12


def _letter(letter_id: int) -> Letter | None:
    return Letter.objects.select_related("referral__referring_organisation").filter(pk=letter_id).first()


def _set_status(letter: Letter, **fields) -> None:
    update_in_place(letter, delivery_updated_at=timezone.now(), **fields)


@task()
def send_letter(letter_id: int) -> str:
    """Send an issued letter to the referrer through GOV.UK Notify (by email, or by post when no
    email address was given), once: a run again after a crash finds the letter already handed
    over (``casework.worker.delivery``) and only asks Notify how it went. Takes the letter's id,
    never anything personal; returns the letter's delivery status."""
    letter = _letter(letter_id)
    if letter is None:
        return "gone"
    key = f"letter:{letter.pk}:notify"
    if not letter.notify_id and not already_delivered(key):
        channel = notify.channel_for(letter)
        if not channel:
            _set_status(letter, delivery_status=DeliveryStatus.NO_ADDRESS)
            return str(letter.delivery_status)
        notify_id = notify.send(letter, letters.letter_pdf(letter), channel)
        with transaction.atomic():
            _set_status(
                letter,
                notify_id=notify_id,
                delivery_channel=channel,
                delivery_status=DeliveryStatus.SENT,
                sent_at=timezone.now(),
            )
            record_delivery(key)
    return _follow(letter, attempt=1)


@task()
def check_letter_delivery(letter_id: int, attempt: int = 1) -> str:
    """Ask Notify how a sent letter is getting on, and keep the answer on the letter."""
    letter = _letter(letter_id)
    if letter is None or not letter.notify_id:
        return "gone"
    return _follow(letter, attempt=attempt)


def _follow(letter: Letter, *, attempt: int) -> str:
    status = notify.status_of(letter)
    if status != letter.delivery_status:
        _set_status(letter, delivery_status=status)
    if status not in notify.FINAL and attempt < DELIVERY_CHECKS_MAX:
        backend = check_letter_delivery.get_backend()
        if backend.supports_defer:
            later = timezone.now() + dt.timedelta(minutes=5 * 2 ** (attempt - 1))
            check_letter_delivery.using(run_after=later).enqueue(letter.pk, attempt + 1)
    return str(status)
