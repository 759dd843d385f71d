"""The background worker: django-tasks-db's queue, with leases, retries and a clean stop.

django-tasks-db 0.13 claims a task by marking it RUNNING and nothing else: a worker killed while
running one leaves it RUNNING for ever, a task that raises is FAILED at once, and SIGTERM waits
for the current task however long it hangs. This worker keeps the same queue and task rows
(``DBTaskResult``) and adds (docs/adr/0013-background-work-that-survives.md):

- a **lease** per running task (``TaskRun``), renewed by a heartbeat thread every
  ``CASEWORK_TASK_HEARTBEAT_SECONDS``;
- a **sweep**, run by every worker as it polls, that finds RUNNING tasks whose lease is older
  than ``CASEWORK_TASK_LEASE_SECONDS`` (their worker crashed or was killed) and puts them back
  on the queue;
- **retries with back-off**: a task that raises, or whose worker was lost, runs again after
  ``CASEWORK_TASK_RETRY_DELAY_SECONDS`` × 2^(attempt − 1), at most
  ``CASEWORK_TASK_MAX_ATTEMPTS`` attempts; then it is FAILED and shown to staff
  (``worker:failed_tasks`` and "My work");
- a **time limit** per attempt (``CASEWORK_TASK_TIME_LIMIT_SECONDS``);
- a **clean stop**: on SIGTERM or SIGINT an idle worker exits at once; a busy one lets its task
  finish for up to ``CASEWORK_WORKER_SHUTDOWN_GRACE_SECONDS`` and otherwise abandons it, putting
  it straight back on the queue (the attempt is not counted), then exits with status 0.

Tasks therefore run at least once; a task whose side effects must happen once records them
under an idempotency key (``casework.worker.delivery``). Logs name the task and its id, never
its arguments or an exception's message (either may hold personal data).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal
import threading
import time
import uuid
from dataclasses import dataclass
from traceback import format_exception

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.db.models import Q
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks_db.compat import TaskContext, TaskResultStatus, task_finished, task_started
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from casework.worker.models import TaskRun

logger = logging.getLogger("casework.worker")

WORKER_LOST = "casework.worker.runner.WorkerLost"
WORKER_LOST_TEXT = "The worker running this task stopped without finishing it (a crash, a kill or a lost machine)."


class TaskInterrupted(BaseException):  # noqa: N818 - not an error of the task's
    """Raised inside a task when the worker must stop and the grace period is over.

    A BaseException, like KeyboardInterrupt, so that a task's own ``except Exception`` cannot
    swallow it."""


class TaskTimeLimitExceeded(BaseException):  # noqa: N818
    """Raised inside a task that ran longer than CASEWORK_TASK_TIME_LIMIT_SECONDS."""


@dataclass(frozen=True)
class Policy:
    max_attempts: int
    retry_delay: float
    retry_max_delay: float
    lease: float
    heartbeat: float
    time_limit: float
    shutdown_grace: float

    @classmethod
    def from_settings(cls) -> Policy:
        return cls(
            max_attempts=max(1, settings.CASEWORK_TASK_MAX_ATTEMPTS),
            retry_delay=settings.CASEWORK_TASK_RETRY_DELAY_SECONDS,
            retry_max_delay=settings.CASEWORK_TASK_RETRY_MAX_DELAY_SECONDS,
            lease=settings.CASEWORK_TASK_LEASE_SECONDS,
            heartbeat=settings.CASEWORK_TASK_HEARTBEAT_SECONDS,
            time_limit=settings.CASEWORK_TASK_TIME_LIMIT_SECONDS,
            shutdown_grace=settings.CASEWORK_WORKER_SHUTDOWN_GRACE_SECONDS,
        )

    def backoff(self, attempts: int) -> dt.timedelta:
        """How long to wait before the next attempt, after ``attempts`` attempts."""
        return dt.timedelta(seconds=min(self.retry_delay * 2 ** max(attempts - 1, 0), self.retry_max_delay))


def error_name(error: BaseException) -> str:
    return f"{type(error).__module__}.{type(error).__qualname__}"[:200]


# --- What happens to a task after an attempt -----------------------------------------------------


def retry_or_give_up(result: DBTaskResult, *, policy: Policy, error_path: str, traceback: str) -> bool:
    """After a failed or lost attempt: back on the queue with back-off, or FAILED for staff to see
    when the attempts are used up. Returns True if it will be retried. Call inside a transaction
    that holds the task row."""
    run, _ = TaskRun.objects.get_or_create(task=result)
    attempts = max(run.attempts, 1)
    now = timezone.now()
    result.exception_class_path = error_path
    result.traceback = traceback
    if attempts < policy.max_attempts:
        result.status = TaskResultStatus.READY
        result.run_after = now + policy.backoff(attempts)
        result.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
        TaskRun.objects.filter(pk=result.pk).update(
            attempts=attempts,
            worker_id="",
            heartbeat_at=None,
            last_error=error_path[:200],
        )
        return True
    result.status = TaskResultStatus.FAILED
    result.finished_at = now
    result.return_value = None
    result.save(update_fields=["status", "finished_at", "return_value", "exception_class_path", "traceback"])
    TaskRun.objects.filter(pk=result.pk).update(
        attempts=attempts,
        worker_id="",
        heartbeat_at=None,
        last_error=error_path[:200],
        gave_up_at=now,
    )
    return False


def sweep_lost_tasks(*, backend_name: str, policy: Policy, exclude_worker: str = "", limit: int = 100) -> int:
    """Find RUNNING tasks whose lease has lapsed and retry them (or give them up). Safe to run in
    every worker at once: each task is re-read and changed under a lock, only if still lapsed."""
    cutoff = timezone.now() - dt.timedelta(seconds=policy.lease)
    lapsed = Q(run__heartbeat_at__lt=cutoff) | Q(run__isnull=True, started_at__lt=cutoff)
    found = DBTaskResult.objects.running().filter(backend_name=backend_name).filter(lapsed)
    if exclude_worker:
        found = found.exclude(run__worker_id=exclude_worker)
    candidates = list(found.values_list("pk", flat=True)[:limit])
    swept = 0
    for pk in candidates:
        with exclusive_transaction(DBTaskResult.objects.db):
            result = (
                DBTaskResult.objects.running()
                .filter(pk=pk)
                .filter(lapsed)
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if result is None:
                continue  # finished, renewed or taken by another sweeper meanwhile
            retried = retry_or_give_up(result, policy=policy, error_path=WORKER_LOST, traceback=WORKER_LOST_TEXT)
        swept += 1
        logger.warning(
            "Task %s (%s) was interrupted: its worker stopped renewing its lease; %s",
            pk,
            result.task_path.rsplit(".", 1)[-1],
            "retrying with back-off" if retried else "attempts used up, marked failed",
        )
    return swept


# --- The worker -----------------------------------------------------------------------------------


class Worker:
    def __init__(
        self,
        *,
        queue_names: list[str],
        interval: float,
        batch: bool,
        backend_name: str,
        max_tasks: int | None,
        worker_id: str,
        policy: Policy | None = None,
    ):
        self.queue_names = queue_names
        self.interval = interval
        self.batch = batch
        self.backend_name = backend_name
        self.max_tasks = max_tasks
        self.worker_id = worker_id
        self.policy = policy or Policy.from_settings()
        self.stopping = False
        self.wake = threading.Event()
        self.tasks_run = 0
        self.current: uuid.UUID | None = None  # id of the task being run
        self._in_task = False  # a signal may interrupt the task only inside task.call
        self._stop_reason = ""
        self._heartbeat_stop = threading.Event()
        self._last_sweep = 0.0

    # -- signals ---------------------------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGALRM, self._on_alarm)

    def _on_stop_signal(self, signum, frame) -> None:
        if self.stopping and self._in_task:
            # A second request to stop: abandon the task now.
            self._stop_reason = "shutdown"
            raise TaskInterrupted("stop requested twice")
        self.stopping = True
        self.wake.set()
        if self._in_task:
            logger.warning(
                "%s received: letting task %s finish for up to %s s",
                signal.Signals(signum).name,
                self.current,
                self.policy.shutdown_grace,
            )
            self._stop_reason = "shutdown"
            remaining = signal.getitimer(signal.ITIMER_REAL)[0]
            grace = self.policy.shutdown_grace
            signal.setitimer(signal.ITIMER_REAL, min(remaining, grace) if remaining else max(grace, 0.001))
        else:
            logger.info("%s received: stopping", signal.Signals(signum).name)

    def _on_alarm(self, signum, frame) -> None:
        if not self._in_task:
            return
        if self._stop_reason == "shutdown":
            raise TaskInterrupted("shutdown grace period over")
        raise TaskTimeLimitExceeded(f"ran longer than {self.policy.time_limit} s")

    # -- heartbeat -------------------------------------------------------------------------------

    def _heartbeat_loop(self) -> None:
        try:
            while not self._heartbeat_stop.wait(self.policy.heartbeat):
                current = self.current
                if current is None:
                    continue
                try:
                    TaskRun.objects.filter(pk=current, worker_id=self.worker_id).update(heartbeat_at=timezone.now())
                except Exception:  # noqa: BLE001 - a missed beat is retried; the lease allows several
                    logger.warning("Could not renew the lease of task %s; will try again", current)
                    close_old_connections()
        finally:
            connections.close_all()

    # -- the loop --------------------------------------------------------------------------------

    def run(self) -> None:
        logger.info("Starting worker %s on queues %s", self.worker_id, ",".join(self.queue_names))
        heartbeat = threading.Thread(target=self._heartbeat_loop, name="task-heartbeat", daemon=True)
        heartbeat.start()
        try:
            while not self.stopping:
                close_old_connections()
                self._maybe_sweep()
                result = self._claim()
                if result is not None:
                    self.run_task(result)
                elif self.batch:
                    logger.info("No more tasks to run: worker %s stops", self.worker_id)
                    return
                if self.max_tasks is not None and self.tasks_run >= self.max_tasks:
                    return
                if result is None and not self.stopping:
                    self.wake.wait(self.interval)
        finally:
            self._heartbeat_stop.set()
            heartbeat.join(timeout=5)
            logger.info("Worker %s stopped", self.worker_id)

    def _maybe_sweep(self) -> None:
        now = time.monotonic()
        if now - self._last_sweep < min(self.policy.lease / 4, 30):
            return
        self._last_sweep = now
        try:
            sweep_lost_tasks(backend_name=self.backend_name, policy=self.policy, exclude_worker=self.worker_id)
        except OperationalError as error:
            if not is_locked_database_exception(error):
                raise

    def _ready(self):
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if "*" not in self.queue_names:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        return tasks

    def _claim(self) -> DBTaskResult | None:
        try:
            with exclusive_transaction(DBTaskResult.objects.db):
                result = self._ready().get_locked()
                if result is None:
                    return None
                result.claim(self.worker_id)
                run, _ = TaskRun.objects.get_or_create(task=result)
                TaskRun.objects.filter(pk=result.pk).update(
                    attempts=run.attempts + 1,
                    worker_id=self.worker_id,
                    heartbeat_at=timezone.now(),
                )
                return result
        except OperationalError as error:
            if is_locked_database_exception(error):
                return None
            raise

    def run_task(self, result: DBTaskResult) -> None:
        name = result.task_path.rsplit(".", 1)[-1]
        self.current = result.pk
        self._stop_reason = ""
        outcome: BaseException | None = None
        return_value = None
        try:
            task = result.task
            task_result = result.task_result
            task_started.send(sender=type(task.get_backend()), task_result=task_result)
            if self.policy.time_limit > 0:
                signal.setitimer(signal.ITIMER_REAL, self.policy.time_limit)
            self._in_task = True
            try:
                if task.takes_context:
                    return_value = task.call(
                        TaskContext(task_result=task_result), *task_result.args, **task_result.kwargs
                    )
                else:
                    return_value = task.call(*task_result.args, **task_result.kwargs)
            finally:
                self._in_task = False
                signal.setitimer(signal.ITIMER_REAL, 0)
        except TaskInterrupted:
            self._put_back(result)
            logger.warning("Task %s (%s) abandoned at shutdown; it is back on the queue", result.pk, name)
            return
        except BaseException as error:  # noqa: BLE001 - every failure of a task is recorded, never raised
            outcome = error
        finally:
            self.current = None
            self.tasks_run += 1
        close_old_connections()
        if outcome is None:
            self._succeeded(result, return_value, name)
        else:
            self._failed(result, outcome, name)

    def _holds_lease(self, result: DBTaskResult) -> bool:
        """Still RUNNING under this worker's lease (the row locked until the transaction ends)."""
        locked = DBTaskResult.objects.select_for_update().filter(pk=result.pk, status=TaskResultStatus.RUNNING).first()
        return locked is not None and TaskRun.objects.filter(pk=result.pk, worker_id=self.worker_id).exists()

    def _succeeded(self, result: DBTaskResult, return_value, name: str) -> None:
        with exclusive_transaction(DBTaskResult.objects.db):
            if not self._holds_lease(result):
                logger.warning(
                    "Task %s (%s) finished after its lease had lapsed; left as the sweep set it", result.pk, name
                )
                return
            try:
                with transaction.atomic():
                    result.set_successful(return_value)
            except Exception as error:  # noqa: BLE001 - e.g. a return value JSON cannot hold
                self._record_failure(result, error, name)
                return
            TaskRun.objects.filter(pk=result.pk).update(worker_id="", heartbeat_at=None, last_error="")
        logger.info("Task %s (%s) succeeded", result.pk, name)
        self._send_finished(result)

    def _failed(self, result: DBTaskResult, error: BaseException, name: str) -> None:
        with exclusive_transaction(DBTaskResult.objects.db):
            if not self._holds_lease(result):
                logger.warning(
                    "Task %s (%s) failed after its lease had lapsed; left as the sweep set it", result.pk, name
                )
                return
            self._record_failure(result, error, name)

    def _record_failure(self, result: DBTaskResult, error: BaseException, name: str) -> None:
        retried = retry_or_give_up(
            result,
            policy=self.policy,
            error_path=error_name(error),
            traceback="".join(format_exception(error)),
        )
        logger.warning(
            "Task %s (%s) failed with %s; %s",
            result.pk,
            name,
            error_name(error),
            "retrying with back-off" if retried else "attempts used up, marked failed",
        )
        if not retried:
            transaction.on_commit(lambda: self._send_finished(result))

    def _put_back(self, result: DBTaskResult) -> None:
        """Abandoned at shutdown: straight back on the queue; this attempt does not count."""
        close_old_connections()
        with exclusive_transaction(DBTaskResult.objects.db):
            if not self._holds_lease(result):
                return
            DBTaskResult.objects.filter(pk=result.pk).update(status=TaskResultStatus.READY)
            run = TaskRun.objects.get(pk=result.pk)
            TaskRun.objects.filter(pk=result.pk).update(
                attempts=max(run.attempts - 1, 0),
                worker_id="",
                heartbeat_at=None,
                last_error="abandoned at shutdown",
            )

    def _send_finished(self, result: DBTaskResult) -> None:
        try:
            result.refresh_from_db()
            task_finished.send(sender=type(result.task.get_backend()), task_result=result.task_result)
        except Exception:  # noqa: BLE001 - a listener's failure must not stop the worker
            logger.exception("A task_finished listener failed for task %s", result.pk)
