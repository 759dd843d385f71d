"""Tasks whose attempts are used up are shown to system administrators and clinical leads, who can
see what failed (never its arguments or error message); a system administrator can queue one again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.audit.models import AuditEvent
from casework.worker.models import TaskRun
from casework.worker.runner import WORKER_LOST, Policy, sweep_lost_tasks

pytestmark = pytest.mark.django_db

POLICY = Policy(
    max_attempts=3, retry_delay=30, retry_max_delay=3600, lease=60, heartbeat=10, time_limit=300, shutdown_grace=20
)


def make_task(status: str, *, attempts: int = 0, heartbeat_ago: float | None = None, error: str = "") -> DBTaskResult:
    now = timezone.now()
    result = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [4242], "kwargs": {}},
        backend_name="default",
        task_path="casework.access.tasks.email_break_glass_alert",
        run_after=now,
        started_at=now - dt.timedelta(hours=1) if status != "READY" else None,
        finished_at=now if status == "FAILED" else None,
        exception_class_path=error,
        traceback="Traceback: secret@example.org refused" if error else "",
    )
    TaskRun.objects.create(
        task=result,
        attempts=attempts,
        worker_id="gone-worker" if status == "RUNNING" else "",
        heartbeat_at=now - dt.timedelta(seconds=heartbeat_ago) if heartbeat_ago is not None else None,
        last_error=error,
    )
    return result


def test_a_running_task_whose_lease_lapsed_is_retried_with_back_off():
    lost = make_task("RUNNING", attempts=1, heartbeat_ago=120)
    alive = make_task("RUNNING", attempts=1, heartbeat_ago=5)
    before = timezone.now()
    assert sweep_lost_tasks(backend_name="default", policy=POLICY) == 1
    lost.refresh_from_db()
    alive.refresh_from_db()
    assert lost.status == "READY" and alive.status == "RUNNING"
    assert before + dt.timedelta(seconds=29) < lost.run_after < before + dt.timedelta(seconds=40)
    assert TaskRun.objects.get(pk=lost.pk).last_error == WORKER_LOST


def test_back_off_doubles_with_each_attempt_up_to_the_maximum():
    assert [POLICY.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert POLICY.backoff(20).total_seconds() == 3600


def test_a_lost_task_on_its_last_attempt_is_marked_failed():
    lost = make_task("RUNNING", attempts=3, heartbeat_ago=120)
    sweep_lost_tasks(backend_name="default", policy=POLICY)
    lost.refresh_from_db()
    assert lost.status == "FAILED"
    assert lost.exception_class_path == WORKER_LOST
    assert TaskRun.objects.get(pk=lost.pk).gave_up_at is not None


def test_failed_tasks_are_listed_for_the_system_administrator_without_personal_data(cast, client_for):
    failed = make_task("FAILED", attempts=5, error="smtplib.SMTPRecipientsRefused")
    response = client_for(cast.sysadmin).get(reverse("worker:failed_tasks"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Email the people told that break-glass access was used" in page
    assert "SMTPRecipientsRefused" in page
    assert f"task-{failed.pk}" in page and "Try again" in page
    # Neither arguments nor tracebacks. (The task's id is a random UUID that may itself contain
    # "4242", so ids are taken out before looking for the argument.)
    without_ids = page.replace(str(failed.pk), "")
    assert "4242" not in without_ids and "secret@example.org" not in page


def test_clinical_leads_see_failed_tasks_on_my_work_but_cannot_queue_them_again(cast, client_for):
    failed = make_task("FAILED", attempts=5, error=WORKER_LOST)
    client = client_for(cast.clinical_lead)
    work = client.get(reverse("core:my_work")).content.decode()
    assert "Background tasks that failed" in work
    assert "Email the people told that break-glass access was used" in work
    page = client.get(reverse("worker:failed_tasks")).content.decode()
    assert "The worker running it stopped" in page and "Try again" not in page
    response = client.post(reverse("worker:task_retry", args=[failed.pk]))
    assert response.status_code == 403
    failed.refresh_from_db()
    assert failed.status == "FAILED"


def test_my_work_of_other_staff_does_not_mention_background_tasks(cast, client_for):
    make_task("FAILED", attempts=5, error=WORKER_LOST)
    assert (
        "Background tasks that failed" not in client_for(cast.clinician).get(reverse("core:my_work")).content.decode()
    )


def test_the_system_administrator_queues_a_failed_task_again_and_it_is_audited(cast, client_for):
    failed = make_task("FAILED", attempts=5, error=WORKER_LOST)
    response = client_for(cast.sysadmin).post(reverse("worker:task_retry", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    run = TaskRun.objects.get(pk=failed.pk)
    assert failed.status == "READY" and failed.finished_at is None
    assert (run.attempts, run.gave_up_at) == (0, None)
    event = AuditEvent.objects.filter(object_type="worker.task", object_id=str(failed.pk)).get()
    assert event.actor == cast.sysadmin


def test_queueing_again_a_task_that_is_not_failed_is_not_found(cast, client_for):
    ready = make_task("READY")
    response = client_for(cast.sysadmin).post(reverse("worker:task_retry", args=[ready.pk]))
    assert response.status_code == 404


def test_a_lease_shorter_than_three_heartbeats_is_refused(settings):
    from casework.core.checks import worker_lease_outlasts_heartbeats

    assert worker_lease_outlasts_heartbeats(None) == []
    settings.CASEWORK_TASK_LEASE_SECONDS = 20
    settings.CASEWORK_TASK_HEARTBEAT_SECONDS = 10
    assert [error.id for error in worker_lease_outlasts_heartbeats(None)] == ["casework.E014"]
