"""The background worker, run for real (``manage.py db_worker`` in its own process, on a scratch
database of the suite's engine), against a local mail relay that answers or hangs.

- killed with SIGKILL in the middle of a task, the task is found after restart and completes,
  each alert email delivered exactly once;
- a hung relay times out (EMAIL_TIMEOUT), the task is retried with back-off and, its attempts used
  up, marked failed, while the worker goes on with other work;
- SIGTERM while a task hangs: the worker abandons it within the grace period, exits 0, and the
  task is back on the queue, not counted as an attempt.
"""

from __future__ import annotations

import signal
import subprocess

import pytest

from casework.core.tests.scratch import clone, query, template
from casework.worker.tests.relay import Relay, wait_for

LEADS = 3


def set_up(leads: int = LEADS, *, with_task_needing_no_relay: bool = False) -> str:
    """Code that makes ``leads`` clinical leads and a clinician, and queues the break-glass alert for
    a grant the clinician opened (every lead is emailed). With ``with_task_needing_no_relay`` a
    second task follows: a grant opened by the only lead, so nobody is emailed."""
    return f"""
import json
from datetime import timedelta
from django.utils import timezone
from casework.accounts.models import User
from casework.core.roles import Role
from casework.audit.models import Alert, BreakGlassGrant
from casework.access.tasks import email_break_glass_alert

leads = [User.objects.create_user(f"lead{{i}}@nsc.example.nhs.uk", full_name=f"Lead {{i}}", role=Role.CLINICAL_LEAD)
         for i in range({leads})]
clinician = User.objects.create_user("clinician@nsc.example.nhs.uk", full_name="Clare Clinician", role=Role.CLINICIAN)
now = timezone.now()

def grant_by(user, label):
    # As casework.access.breakglass.open_grant leaves it: the grant and an alert for each person told.
    grant = BreakGlassGrant.objects.create(user=user, object_type="referrals.referral", object_id="1",
        object_label=label, reason="Synthetic test", granted_at=now, expires_at=now + timedelta(hours=8))
    for lead in leads:
        if lead.pk != user.pk:
            Alert.objects.create(raised_at=now, recipient=lead, kind="break_glass", message="m", grant=grant)
    return grant

tasks = [email_break_glass_alert.enqueue(grant_by(clinician, "REF-2026-00001").pk).id]
if {with_task_needing_no_relay}:
    tasks.append(email_break_glass_alert.enqueue(grant_by(leads[0], "REF-2026-00002").pk).id)
print(json.dumps({{"tasks": tasks, "leads": [lead.email for lead in leads]}}))
"""


TASK_STATE = """
SELECT r.status, COALESCE(t.attempts, 0), COALESCE(t.last_error, ''), COALESCE(t.worker_id, '')
FROM django_tasks_database_dbtaskresult r LEFT JOIN worker_taskrun t ON t.task_id = r.id WHERE r.id = %s
"""


def _task_id(scratch, task_id: str) -> str:
    """The id as the database stores it (SQLite keeps UUIDs without dashes)."""
    return task_id.replace("-", "") if scratch.database_url is None else task_id


def state(scratch, task_id: str) -> tuple[str, int, str, str]:
    rows = query(scratch, TASK_STATE, (_task_id(scratch, task_id),))
    return rows[0] if rows else ("", 0, "", "")


@pytest.fixture
def database(tmp_path_factory, tmp_path):
    scratch = clone(template(tmp_path_factory, "migrated"), tmp_path, "worker")
    yield scratch
    scratch.drop()


@pytest.fixture
def relay():
    relays: list[Relay] = []

    def make(**kwargs) -> Relay:
        relays.append(Relay(**kwargs))
        return relays[-1]

    yield make
    for made in relays:
        made.close()


def start_worker(scratch, relay: Relay, **env: str) -> subprocess.Popen:
    settings = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(relay.port),
        "TASK_LEASE_SECONDS": "3",
        "TASK_HEARTBEAT_SECONDS": "1",
        "TASK_RETRY_DELAY_SECONDS": "0",
        "EMAIL_TIMEOUT": "600",
    }
    settings.update(env)
    return scratch.popen("db_worker", "--interval", "0.2", **settings)


def stop(worker: subprocess.Popen, *, timeout: float = 20) -> tuple[int, str]:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        output, _ = worker.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
        raise AssertionError(f"The worker did not stop within {timeout} s of SIGTERM:\n{output}") from None
    return worker.returncode, output


def test_a_task_killed_mid_way_completes_exactly_once_after_restart(database, relay):
    made = database.python(set_up()).value
    [task_id] = made["tasks"]
    server = relay(hang_after=1)  # the first lead's email goes through, then the relay hangs
    first = start_worker(database, server)
    try:
        wait_for(server.hanging.is_set, timeout=60, what="the worker to be stuck mid-task")
        assert len(server.messages) == 1
        assert state(database, task_id)[0] == "RUNNING"
        first.kill()  # SIGKILL: no handler runs, nothing is cleaned up
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert state(database, task_id)[0] == "RUNNING"  # what django-tasks-db alone would leave for ever

    server.answer_from_now_on()
    second = start_worker(database, server)
    try:
        wait_for(lambda: state(database, task_id)[0] == "SUCCESSFUL", timeout=60, what="the task to succeed")
    finally:
        code, output = stop(second)
    assert code == 0, output
    assert sorted(server.recipients()) == sorted(made["leads"]), "each lead is emailed exactly once"
    status, attempts, last_error, worker_id = state(database, task_id)
    assert (status, attempts, last_error, worker_id) == ("SUCCESSFUL", 2, "", "")
    assert query(database, "SELECT COUNT(*) FROM worker_delivery")[0][0] == LEADS
    assert "was interrupted" in output


def test_a_hung_mail_relay_times_out_and_the_task_is_retried_then_marked_failed(database, relay):
    hung_task, other_task = database.python(set_up(1, with_task_needing_no_relay=True)).value["tasks"]
    server = relay(hang_after=0)  # accepts connections and never answers
    worker = start_worker(database, server, EMAIL_TIMEOUT="2", TASK_MAX_ATTEMPTS="2", TASK_RETRY_DELAY_SECONDS="1")
    try:
        wait_for(
            lambda: state(database, other_task)[0] == "SUCCESSFUL",
            timeout=60,
            what="the worker to be freed from the hung relay and run the next task",
        )
        wait_for(
            lambda: state(database, hung_task)[0] == "FAILED", timeout=60, what="the hung task to use up its attempts"
        )
        assert worker.poll() is None, "the worker is still running"
    finally:
        code, output = stop(worker)
    assert code == 0, output
    status, attempts, last_error, _ = state(database, hung_task)
    assert (status, attempts) == ("FAILED", 2)
    # smtplib reports a greeting that never came as a disconnection ("timed out"); later steps as a timeout.
    assert last_error in ("smtplib.SMTPServerDisconnected", "builtins.TimeoutError")
    assert server.connections >= 2  # tried twice, each time given up after EMAIL_TIMEOUT
    assert server.messages == []
    assert query(database, "SELECT COUNT(*) FROM worker_taskrun WHERE gave_up_at IS NOT NULL")[0][0] == 1


def test_sigterm_abandons_a_hung_task_within_the_grace_period_and_it_runs_again(database, relay):
    made = database.python(set_up()).value
    [task_id] = made["tasks"]
    server = relay(hang_after=0)
    worker = start_worker(database, server, WORKER_SHUTDOWN_GRACE_SECONDS="2")
    try:
        wait_for(server.hanging.is_set, timeout=60, what="the worker to be stuck on the relay")
        assert state(database, task_id)[0] == "RUNNING"
    finally:
        code, output = stop(worker, timeout=15)
    assert code == 0, output
    assert "abandoned at shutdown" in output
    status, attempts, last_error, worker_id = state(database, task_id)
    assert (status, attempts, last_error, worker_id) == ("READY", 0, "abandoned at shutdown", "")

    server.answer_from_now_on()
    again = start_worker(database, server)
    try:
        wait_for(lambda: state(database, task_id)[0] == "SUCCESSFUL", timeout=60, what="the task to succeed")
    finally:
        stop(again)
    assert sorted(server.recipients()) == sorted(made["leads"])
