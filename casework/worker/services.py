"""Queueing a failed background task again (audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import require
from casework.worker.descriptions import describe
from casework.worker.models import TaskRun


def task_retry(*, task: DBTaskResult, by: Any, request: HttpRequest | None = None) -> bool:
    """Put a FAILED task back on the queue with a fresh set of attempts. False if it was no
    longer failed (someone else queued it again)."""
    require(by, "worker.retry_task")
    with transaction.atomic():
        result = DBTaskResult.objects.select_for_update().filter(pk=task.pk, status=TaskResultStatus.FAILED).first()
        if result is None:
            return False
        result.status = TaskResultStatus.READY
        result.run_after = timezone.now()
        result.finished_at = None
        result.save(update_fields=["status", "run_after", "finished_at"])
        TaskRun.objects.update_or_create(
            task=result,
            defaults={"attempts": 0, "worker_id": "", "heartbeat_at": None, "gave_up_at": None},
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            object_type="worker.task",
            object_id=str(result.pk),
            object_label=f"Background task: {describe(result.task_path)}"[:200],
            changes={"status": {"old": "failed", "new": "queued again"}},
        )
    return True
