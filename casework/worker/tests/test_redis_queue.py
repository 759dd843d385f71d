"""The Redis queue (``CASEWORK_TASKS=redis``), against the Redis on 127.0.0.1:6379 (a database of
its own per test process, emptied first): tasks run from it, deferred tasks wait in it, a failing
task is retried with the service's back-off and then shown to staff, who can queue it again; an
application task (a letter to a referrer, through the Notify stand-in) runs from it end to end; RQ's
log records carry no exception message.

The worker here is RQ's ``SimpleWorker`` in burst mode, in the test's own process (so it sees the
test's database transaction); production runs ``manage.py rq_worker``, RQ's forking worker."""

from __future__ import annotations

import datetime as dt
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend, task_backends
from django_tasks.base import TaskResultStatus
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker
from rq.registry import FailedJobRegistry, ScheduledJobRegistry
from rq.scheduler import RQScheduler

from casework.audit.models import AuditEvent
from casework.referrals.choices import Decision, Status
from casework.referrals.models import DeliveryStatus
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.referrals.services.triage import screening_decide
from casework.referrals.tests.factories import ReferralFactory
from casework.worker import redis_queue
from casework.worker.tests import redis_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_tasks_queue(settings):
    """The Redis queue as the task backend, its Redis database emptied; skipped where no Redis runs
    unless CASEWORK_REQUIRE_REDIS is set (CI sets it, so there it fails instead)."""
    settings.TASKS = {"default": {"BACKEND": redis_queue.BACKEND_PATH, "QUEUES": ["default"]}}
    settings.CASEWORK_TASK_MAX_ATTEMPTS = 3
    settings.CASEWORK_TASK_RETRY_DELAY_SECONDS = 30
    settings.CASEWORK_TASK_RETRY_MAX_DELAY_SECONDS = 3600
    (queue,) = redis_queue.queues()
    try:
        queue.connection.ping()
    except RedisConnectionError:
        if os.environ.get("CASEWORK_REQUIRE_REDIS"):
            raise
        pytest.skip("no Redis on RQ_QUEUES' URL")
    queue.connection.flushdb()
    redis_tasks.RAN.clear()
    yield queue
    queue.connection.flushdb()


def work(queue) -> None:
    """Move any due delayed jobs onto the queue (the scheduler's job) and run what waits there."""
    scheduler = RQScheduler([queue], connection=queue.connection)
    scheduler.acquire_locks()
    scheduler.enqueue_scheduled_jobs()
    scheduler.release_locks()
    SimpleWorker([queue], connection=queue.connection, job_class=redis_queue.Job).work(burst=True)


def make_due(queue, job_id: str) -> None:
    """As if the back-off had passed: the waiting retry is due now."""
    job = redis_queue.Job.fetch(job_id, connection=queue.connection)
    ScheduledJobRegistry(queue=queue).schedule(job, timezone.now() - dt.timedelta(seconds=1))


def test_the_backend_is_the_redis_queue_with_defer_and_results(redis_tasks_queue):
    backend = task_backends["default"]
    assert isinstance(backend, redis_queue.RedisQueueBackend)
    assert backend.supports_defer and backend.supports_get_result
    assert list(backend.check()) == []


def test_a_task_runs_from_redis_and_its_result_is_kept(redis_tasks_queue):
    result = redis_tasks.note_number.enqueue(21)
    assert redis_tasks.RAN == []
    job = redis_queue.Job.fetch(result.id, connection=redis_tasks_queue.connection)
    assert job.timeout == 300 and job.retries_left == 2 and job.retry_intervals == [30, 60]
    work(redis_tasks_queue)
    assert redis_tasks.RAN == [21]
    kept = default_task_backend.get_result(result.id)
    assert kept.status == TaskResultStatus.SUCCESSFUL and kept.return_value == 42


def test_a_deferred_task_waits_in_redis_until_it_is_due(redis_tasks_queue):
    later = timezone.now() + dt.timedelta(hours=1)
    result = redis_tasks.note_number.using(run_after=later).enqueue(7)
    work(redis_tasks_queue)
    assert redis_tasks.RAN == []
    registry = ScheduledJobRegistry(queue=redis_tasks_queue)
    assert result.id in registry.get_job_ids()
    waits_until = registry.get_scheduled_time(redis_queue.Job.fetch(result.id, connection=redis_tasks_queue.connection))
    assert abs((waits_until - later).total_seconds()) < 1
    make_due(redis_tasks_queue, result.id)
    work(redis_tasks_queue)
    assert redis_tasks.RAN == [7]


def test_a_failing_task_is_retried_with_back_off_then_shown_to_staff_who_can_queue_it_again(
    redis_tasks_queue, cast, client_for
):
    result = redis_tasks.always_fails.enqueue(5)
    before = timezone.now()
    work(redis_tasks_queue)
    # The first retry waits 30 seconds, and staff see it waiting, with the class of its error.
    scheduled = ScheduledJobRegistry(queue=redis_tasks_queue)
    assert result.id in scheduled.get_job_ids()
    job = redis_queue.Job.fetch(result.id, connection=redis_tasks_queue.connection)
    waits = (scheduled.get_scheduled_time(job) - before).total_seconds()
    assert 29 <= waits <= 35
    page = client_for(cast.sysadmin).get(reverse("worker:failed_tasks")).content.decode()
    assert f'id="task-{result.id}"' in page and "ValueError" in page and "Vera" not in page
    # The second waits 60 seconds; after the third attempt it has failed for good.
    make_due(redis_tasks_queue, result.id)
    before = timezone.now()
    work(redis_tasks_queue)
    waits = (scheduled.get_scheduled_time(job) - before).total_seconds()
    assert 59 <= waits <= 65
    make_due(redis_tasks_queue, result.id)
    work(redis_tasks_queue)
    assert redis_tasks.RAN == [5, 5, 5]
    assert result.id in FailedJobRegistry(queue=redis_tasks_queue).get_job_ids()
    assert default_task_backend.get_result(result.id).status == TaskResultStatus.FAILED
    client = client_for(cast.sysadmin)
    page = client.get(reverse("worker:failed_tasks")).content.decode()
    assert f'id="task-{result.id}"' in page and "Always fails" in page
    assert '<dd class="nhsuk-summary-list__value">3</dd>' in page  # attempts
    assert "Vera" not in page and "Secret Lane" not in page
    my_work = client_for(cast.clinical_lead).get("/").content.decode()
    assert "Always fails" in my_work and "after 3 attempts" in my_work
    # Queued again: a fresh set of attempts, audited.
    response = client.post(reverse("worker:task_retry", args=[result.id]))
    assert response.status_code == 302
    assert result.id not in FailedJobRegistry(queue=redis_tasks_queue).get_job_ids()
    assert redis_queue.Job.fetch(result.id, connection=redis_tasks_queue.connection).retries_left == 2
    assert AuditEvent.objects.filter(object_type="worker.task", object_id=result.id).exists()
    work(redis_tasks_queue)
    assert redis_tasks.RAN == [5, 5, 5, 5]
    # Another role may neither see nor queue it.
    assert client_for(cast.clinician).get(reverse("worker:failed_tasks")).status_code == 403


def test_an_unknown_task_id_is_404(redis_tasks_queue, cast, client_for):
    assert client_for(cast.sysadmin).post(reverse("worker:task_retry", args=["no-such-job"])).status_code == 404


def test_a_letter_to_the_referrer_is_sent_by_a_task_from_the_redis_queue(
    redis_tasks_queue, cast, settings, django_capture_on_commit_callbacks
):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    try:
        referral = ReferralFactory(
            status=Status.SCREENING, referring_organisation=cast.organisation, referrer_email="jo@police.example.org"
        )
        with django_capture_on_commit_callbacks(execute=True):
            letter = screening_decide(
                referral=referral, by=cast.coordinator, decision=Decision.DECLINE, reason="Out of scope."
            )
        letter.refresh_from_db()
        assert letter.delivery_status == DeliveryStatus.QUEUED and not standin.notifications
        work(redis_tasks_queue)
        letter.refresh_from_db()
        assert letter.delivery_status == DeliveryStatus.DELIVERED and len(standin.notifications) == 1
        work(redis_tasks_queue)  # run again: nothing more is sent
        assert len(standin.notifications) == 1
    finally:
        standin.stop()


def test_rq_records_keep_no_exception_message_or_traceback(settings):
    assert "no_job_details" in settings.LOGGING["handlers"]["rq_console"]["filters"]
    assert settings.LOGGING["loggers"]["rq"]["handlers"] == ["rq_console"]
    # django-tasks logs a failed task with logger.exception: its handler drops the traceback.
    assert settings.LOGGING["loggers"]["django_tasks"]["handlers"] == ["console_no_traceback"]
    assert "no_traceback" in settings.LOGGING["handlers"]["console_no_traceback"]["filters"]
    try:
        raise ValueError("Refused for Vera Victimson")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "rq.worker", logging.ERROR, __file__, 1, "[Job %s]: exception raised\n%s", ("abc", "Vera"), sys.exc_info()
        )
    assert redis_queue.NoJobDetailsFilter().filter(record)
    assert "Vera" not in record.getMessage() and record.exc_info is None and record.exc_text is None


def test_manage_py_rq_worker_runs_the_waiting_tasks(redis_tasks_queue, settings, tmp_path):
    """The production command, in a process of its own (as an operator runs it), against the same
    Redis database: it runs what waits and stops (``--burst``)."""
    result = redis_tasks.note_number.enqueue(4)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CASEWORK_ENV")}
    env.update(
        {
            "CASEWORK_ENV": "demo",
            "CASEWORK_VAR_DIR": str(tmp_path),
            "CASEWORK_TASKS": "redis",
            "RQ_REDIS_URL": settings.RQ_QUEUES["default"]["URL"],
        }
    )
    finished = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "rq_worker", "--burst"],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr[-2000:]
    kept = task_backends["default"].get_result(result.id)
    assert kept.status == TaskResultStatus.SUCCESSFUL and kept.return_value == 8
