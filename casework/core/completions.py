"""Completed work, announced: an assessment signed, a report issued, an appointment's attendance
recorded. The clinical apps announce; an app above them (billing, which raises billable events)
listens, registering its receiver when it is ready (``listen``). The clinical apps therefore
import nothing of billing (the import layers forbid it).

Each receiver runs inside the announcing service's transaction, in a savepoint of its own: a
receiver that fails is rolled back and logged (the kind of work and the record's id, nothing
personal) and never undoes the clinical work that was completed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

ASSESSMENT_SIGNED = "assessment_signed"
REPORT_ISSUED = "report_issued"
ATTENDANCE_RECORDED = "attendance_recorded"
KINDS = (ASSESSMENT_SIGNED, REPORT_ISSUED, ATTENDANCE_RECORDED)

logger = logging.getLogger(__name__)

# receiver(kind, record, by=..., request=...)
Receiver = Callable[..., object]
_receivers: list[Receiver] = []


def listen(receiver: Receiver) -> Receiver:
    """Register ``receiver`` (once) for every kind of completed work."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def announce(kind: str, record, *, by, request=None) -> None:
    """Tell the receivers that ``record`` was completed (``kind`` one of ``KINDS``)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}")
    for receiver in list(_receivers):
        try:
            with transaction.atomic():
                receiver(kind, record, by=by, request=request)
        except Exception:  # noqa: BLE001  (completed clinical work must stand; the failure is logged)
            logger.exception("A receiver of completed work failed", extra={"kind": kind, "record_id": record.pk})
