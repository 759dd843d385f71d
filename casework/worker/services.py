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
from casework.worker import redis_queue
from casework.worker.descriptions import describe
from casework.worker.models import TaskRun


def task_retry(*, task: Any, by: Any, request: HttpRequest | None = None) -> bool:
    """Put a FAILED task (a ``DBTaskResult``, or an RQ job when the queue is on Redis) back on the
    queue with a fresh set of attempts. False if it was no longer failed (someone else queued it
    again)."""
    require(by, "worker.retry_task")
    if not isinstance(task, DBTaskResult):
        if not redis_queue.requeue(task):
            return False
        _audit_retry(by, request, task_id=str(task.id), task_path=task.func_name)
        return True
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
        _audit_retry(by, request, task_id=str(result.pk), task_path=result.task_path)
    return True


def _audit_retry(by: Any, request: HttpRequest | None, *, task_id: str, task_path: str) -> None:
    record(
        action=Action.UPDATE,
        actor=by,
        request=request,
        object_type="worker.task",
        object_id=task_id,
        object_label=f"Background task: {describe(task_path)}"[:200],
        changes={"status": {"old": "failed", "new": "queued again"}},
    )
