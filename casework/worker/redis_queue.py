"""The production queue on Redis: django-tasks' RQ backend (django-tasks-rq), with the retries,
time limit and staff view this service's own worker gives the database queue.

Chosen with ``CASEWORK_TASKS=redis`` (and ``REDIS_URL``, the Redis the app servers already share for
sign-in throttling); the embedded default stays django-tasks-db with ``manage.py db_worker``
(``casework.worker.runner``). The tasks are the same functions either way: they take ids, never
anything personal, and a side effect that must happen once is recorded under an idempotency key
(``casework.worker.delivery``), so a task run twice by either queue does its work once.

What RQ gives and what is added here (docs/adr/0019-redis-task-queue.md):

- **Retries with back-off**: every job is created with ``Retry`` (``RetryingQueue``): at most
  ``CASEWORK_TASK_MAX_ATTEMPTS`` attempts, the n-th retry after ``CASEWORK_TASK_RETRY_DELAY_SECONDS``
  × 2^(n − 1), capped at ``CASEWORK_TASK_RETRY_MAX_DELAY_SECONDS``, as the database worker does. A
  delayed retry waits in RQ's scheduled registry, so the worker runs with its scheduler
  (``manage.py rqworker default --with-scheduler``).
- **A time limit** per attempt: ``CASEWORK_TASK_TIME_LIMIT_SECONDS`` (RQ's job timeout).
- **Lost workers**: RQ's own (a job whose worker stops heartbeating is moved to the failed registry
  by the next worker's maintenance, and retried if it has retries left).
- **Failures visible to staff**: ``failed_rows`` and ``retrying_rows`` read RQ's failed and scheduled
  registries for the staff page (``worker:failed_tasks``) and "My work", in the same rows as the
  database queue's; ``requeue`` puts a failed job back, with a fresh set of attempts.
- **No personal data in logs**: RQ's worker logs a failed job's traceback, exception message
  included; ``NoJobDetailsFilter`` cuts RQ's records down to the job id and the function's path.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, cast

import django_rq
from django.conf import settings
from django.core.checks import messages
from django_rq.queues import DjangoRQ
from django_tasks_rq.backend import Job, RQBackend
from rq import Retry
from rq.exceptions import NoSuchJobError
from rq.registry import FailedJobRegistry, ScheduledJobRegistry

BACKEND_PATH = "casework.worker.redis_queue.RedisQueueBackend"
EXCEPTIONS_META = "_django_tasks_rq_exceptions"


def backoff_intervals() -> list[int]:
    """Seconds before each retry: the database worker's back-off, one per retry."""
    delay = settings.CASEWORK_TASK_RETRY_DELAY_SECONDS
    cap = settings.CASEWORK_TASK_RETRY_MAX_DELAY_SECONDS
    return [min(delay * 2**n, cap) for n in range(max(settings.CASEWORK_TASK_MAX_ATTEMPTS - 1, 0))]


class RetryingQueue(DjangoRQ):
    """An RQ queue whose every job is retried with back-off and has the time limit."""

    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        intervals = backoff_intervals()
        if intervals and kwargs.get("retry") is None:
            kwargs["retry"] = Retry(max=len(intervals), interval=intervals)
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = settings.CASEWORK_TASK_TIME_LIMIT_SECONDS
        return super().create_job(*args, **kwargs)


class RedisQueueBackend(RQBackend):
    """django-tasks-rq's backend on ``RetryingQueue``. Its system check asks for the ``django_rq``
    app, which only brings RQ's admin dashboard (and tables for it); this service shows failed tasks
    on its own page, so the check here asks only that each queue is configured and reachable by
    name."""

    def check(self, **kwargs: Any) -> Iterable[messages.CheckMessage]:
        for queue_name in self.queues:
            try:
                django_rq.get_queue(queue_name)
            except KeyError:
                yield messages.Error(
                    f"{queue_name!r} is not configured for the Redis task queue",
                    hint=f"Add {queue_name!r} to RQ_QUEUES",
                    id="worker.E001",
                )


def in_use() -> bool:
    return settings.TASKS.get("default", {}).get("BACKEND") == BACKEND_PATH


def queues() -> list[DjangoRQ]:
    return [cast(DjangoRQ, django_rq.get_queue(name, job_class=Job)) for name in settings.RQ_QUEUES]


def _jobs(ids: list[str], queue: DjangoRQ) -> list[Job]:
    return [cast(Job, job) for job in Job.fetch_many(ids, connection=queue.connection) if job is not None]


def _last_error(job: Job) -> str:
    classes = job.meta.get(EXCEPTIONS_META) or []
    return classes[-1] if classes else ""


def _attempts(job: Job) -> int:
    """Attempts made: each retry used is one more than the first."""
    planned = len(backoff_intervals())
    left = job.retries_left if job.retries_left is not None else planned
    return max(planned - left, 0) + 1


def failed_jobs(limit: int | None = None) -> list[Job]:
    """Jobs that failed for good (no retries left), newest first."""
    jobs: list[Job] = []
    for queue in queues():
        registry = FailedJobRegistry(queue=queue)
        jobs += _jobs(registry.get_job_ids(), queue)
    jobs.sort(key=lambda job: (job.ended_at or job.enqueued_at or job.created_at).timestamp(), reverse=True)
    return jobs[:limit] if limit else jobs


def retrying_jobs(limit: int | None = None) -> list[tuple[Job, Any]]:
    """Jobs waiting for a retry (a scheduled job that has used a retry), soonest first, with when."""
    waiting = []
    for queue in queues():
        registry = ScheduledJobRegistry(queue=queue)
        for job in _jobs(registry.get_job_ids(), queue):
            if _attempts(job) > 1:
                waiting.append((job, registry.get_scheduled_time(job)))
    waiting.sort(key=lambda pair: pair[1])
    return waiting[:limit] if limit else waiting


def failed_job(job_id: str) -> Job | None:
    for queue in queues():
        if job_id in FailedJobRegistry(queue=queue).get_job_ids():
            try:
                return cast(Job, Job.fetch(job_id, connection=queue.connection))
            except NoSuchJobError:
                return None
    return None


def requeue(job: Job) -> bool:
    """Put a failed job back on its queue with a fresh set of attempts; False if it was no longer
    failed."""
    queue = django_rq.get_queue(job.origin, job_class=Job)
    registry = FailedJobRegistry(queue=queue)
    if job.id not in registry.get_job_ids():
        return False
    job.retries_left = len(backoff_intervals())
    job.retry_intervals = backoff_intervals()
    job.save()
    registry.requeue(job.id)
    return True


class NoJobDetailsFilter(logging.Filter):
    """RQ's worker logs, when a job fails, its traceback with the exception's message, which may in
    principle hold personal data. Its warnings and errors keep only a fixed text; the failed tasks
    page says which task and the class of its error. (Its other records name the queue, the job's id
    and its description: a task's path and ids, never anything personal.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if record.levelno >= logging.WARNING:
            record.msg = "RQ worker: a task failed or its worker was lost; the failed tasks page shows which"
            record.args = ()
        return True
