"""Background tasks as staff see them: failed for good, or waiting to be tried again, from the
queue in use (the database's, or Redis's when ``CASEWORK_TASKS=redis``: ``redis_queue``).

Nothing here reads a task's arguments or an error's message (either may hold personal data):
only what the task is, when it ran, how often, and the class of its last error."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from casework.worker import redis_queue
from casework.worker.descriptions import describe
from casework.worker.runner import WORKER_LOST


@dataclass
class TaskRow:
    id: str
    description: str
    enqueued_at: datetime
    attempts: int
    last_error: str
    failed_at: datetime | None
    next_attempt_at: datetime | None


def _error_text(path: str) -> str:
    if not path:
        return ""
    if path in (WORKER_LOST, "worker lost"):
        return "The worker running it stopped (crash, kill or restart)"
    return path.rsplit(".", 1)[-1]


def _rows(queryset) -> list[TaskRow]:
    rows = []
    for result in queryset:
        run = getattr(result, "run", None)
        rows.append(
            TaskRow(
                id=str(result.pk),
                description=describe(result.task_path),
                enqueued_at=result.enqueued_at,
                attempts=run.attempts if run else 1,
                last_error=_error_text((run.last_error if run else "") or result.exception_class_path),
                failed_at=result.finished_at if result.status == TaskResultStatus.FAILED else None,
                next_attempt_at=result.run_after if result.status == TaskResultStatus.READY else None,
            )
        )
    return rows


def failed_tasks_visible_to(user) -> QuerySet[DBTaskResult]:
    if not user.has_perm("worker.view_failed_tasks"):
        return DBTaskResult.objects.none()
    return DBTaskResult.objects.failed().select_related("run").order_by("-finished_at")


def retrying_tasks_visible_to(user) -> QuerySet[DBTaskResult]:
    if not user.has_perm("worker.view_failed_tasks"):
        return DBTaskResult.objects.none()
    return (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, run__attempts__gt=0)
        .select_related("run")
        .order_by("run_after")
    )


def _job_row(job, *, next_attempt_at=None) -> TaskRow:
    return TaskRow(
        id=job.id,
        description=describe(job.func_name),
        enqueued_at=job.created_at,
        attempts=redis_queue._attempts(job),
        last_error=_error_text(redis_queue._last_error(job)),
        failed_at=job.ended_at if next_attempt_at is None else None,
        next_attempt_at=next_attempt_at,
    )


def failed_task_rows(user, limit: int | None = None) -> list[TaskRow]:
    if redis_queue.in_use():
        if not user.has_perm("worker.view_failed_tasks"):
            return []
        return [_job_row(job) for job in redis_queue.failed_jobs(limit)]
    queryset = failed_tasks_visible_to(user)
    return _rows(queryset[:limit] if limit else queryset)


def failed_task_count(user) -> int:
    if redis_queue.in_use():
        return len(failed_task_rows(user))
    return failed_tasks_visible_to(user).count()


def retrying_task_rows(user, limit: int | None = None) -> list[TaskRow]:
    if redis_queue.in_use():
        if not user.has_perm("worker.view_failed_tasks"):
            return []
        return [_job_row(job, next_attempt_at=when) for job, when in redis_queue.retrying_jobs(limit)]
    queryset = retrying_tasks_visible_to(user)
    return _rows(queryset[:limit] if limit else queryset)


def failed_task_for(user, task_id):
    """The failed task ``task_id`` (a ``DBTaskResult``, or an RQ job on Redis), or None."""
    if not user.has_perm("worker.view_failed_tasks"):
        return None
    if redis_queue.in_use():
        return redis_queue.failed_job(str(task_id))
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return None
    return failed_tasks_visible_to(user).filter(pk=task_uuid).first()
