"""Background tasks for referrals: scanning a document the scanner could not take at upload."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from casework.core.malware import ScannerUnavailable
from casework.referrals.models import ReferralDocument

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
