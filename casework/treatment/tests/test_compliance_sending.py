"""Compliance notices go to the supervising officer through GOV.UK Notify (the stand-in, started
here, answering over real HTTP): by email with the link to acknowledge, or by post to the agency;
never twice, even when a retry follows an answer that was lost; a failed send is kept, shown and
retried by the worker with back-off; the status follows Notify's until the officer acknowledges."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from notifications_python_client.errors import HTTPError

from casework.accounts.tests.factories import OrganisationFactory
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.reports.models import DisclosureEntry
from casework.treatment import tasks
from casework.treatment.choices import NoticeChannel, NoticeStatus
from casework.treatment.notices import error_text
from casework.treatment.services import compliance
from casework.treatment.tests.matrix_compliance import appointment, make_enrolment, make_notice
from casework.worker.descriptions import describe
from casework.worker.models import TaskRun
from casework.worker.runner import Policy, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(settings):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


def _raise(cast, django_capture_on_commit_callbacks, **enrolment_fields):
    enrolment = make_enrolment(cast, **enrolment_fields)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    with django_capture_on_commit_callbacks(execute=True):
        notice = compliance.check(enrolment=enrolment, by=cast.clinician)
    notice.refresh_from_db()
    return notice


def test_a_notice_is_emailed_to_the_officer_with_the_link_and_shows_as_delivered(
    cast, notify, django_capture_on_commit_callbacks, client
):
    notice = _raise(cast, django_capture_on_commit_callbacks)
    assert notice.status == NoticeStatus.DELIVERED
    assert notice.sent_at is not None and notice.delivered_at is not None
    assert notice.attempts == 1
    sent = notify.notifications[notice.notify_id]
    assert sent["email_address"] == "officer@probation.example.org"
    assert sent["reference"] == notice.idempotency_key
    assert set(sent["personalisation"]) == {"reference", "reason", "acknowledge_link"}
    assert sent["personalisation"]["reference"] == notice.enrolment.case.reference
    link = sent["personalisation"]["acknowledge_link"]
    assert "/treatment/notices/" in link and link.endswith("/acknowledge/")
    assert client.get(urlsplit(link).path).status_code == 200  # signed out, as the officer is
    # The release is on the disclosure register, as the clinician who raised it, under the order.
    entry = DisclosureEntry.objects.get(case=notice.enrolment.case)
    assert entry.description == f"Compliance notice {notice.pk} to the supervising officer"
    assert (entry.recipient, entry.recipient_name) == (notice.enrolment.supervising_agency, "Officer Matrix")
    assert (entry.method, entry.legal_basis) == ("notify_email", "court_order")
    assert entry.released_by == cast.clinician and entry.released_at == notice.sent_at


def test_without_an_email_the_notice_is_posted_to_the_supervising_agency(
    cast, notify, django_capture_on_commit_callbacks
):
    agency = OrganisationFactory(name="Testshire Probation", address="1 Court Street\nTesttown", postcode="TT1 1TT")
    notice = _raise(cast, django_capture_on_commit_callbacks, email="", agency=agency)
    assert notice.channel == NoticeChannel.LETTER
    assert notice.status == NoticeStatus.DELIVERED
    lines = notify.notifications[notice.notify_id]["personalisation"]
    assert [lines[f"address_line_{n}"] for n in range(1, 6)] == [
        "Testshire Probation",
        "For the attention of Officer Matrix",
        "1 Court Street",
        "Testtown",
        "TT1 1TT",
    ]
    assert DisclosureEntry.objects.get(case=notice.enrolment.case).method == "post"


def test_with_no_address_the_notice_is_failed_with_the_reason_and_nothing_is_sent(
    cast, notify, django_capture_on_commit_callbacks
):
    notice = _raise(cast, django_capture_on_commit_callbacks, email="", agency=OrganisationFactory(address=""))
    assert notice.status == NoticeStatus.FAILED
    assert notice.last_error == "The supervising agency has no postal address"
    assert not notify.notifications
    assert not DisclosureEntry.objects.exists()  # nothing was released


def test_a_retry_after_a_lost_answer_adopts_the_notification_instead_of_sending_again(cast, notify, settings):
    settings.NOTIFY_TIMEOUT = 1
    notify.answer_delay = 2  # Notify keeps the email, but its answer comes after the client gave up
    notice = make_notice(cast, make_enrolment(cast))
    with pytest.raises(Exception):  # noqa: B017 (the client's error for a timeout)
        tasks.send_notice.call(notice.pk)
    notice.refresh_from_db()
    assert len(notify.notifications) == 1
    assert notice.status == NoticeStatus.FAILED and not notice.notify_id
    assert notice.last_error == "Could not reach GOV.UK Notify, or it did not answer in time"
    notify.answer_delay = 0
    assert tasks.send_notice.call(notice.pk) == NoticeStatus.DELIVERED
    notice.refresh_from_db()
    assert len(notify.notifications) == 1
    assert notice.notify_id == next(iter(notify.notifications))
    assert notice.attempts == 2 and notice.last_error == ""


def test_running_the_task_again_after_success_sends_nothing_more(cast, notify, django_capture_on_commit_callbacks):
    notice = _raise(cast, django_capture_on_commit_callbacks)
    tasks.send_notice.call(notice.pk)
    assert len(notify.notifications) == 1
    assert DisclosureEntry.objects.count() == 1


def test_a_failed_send_is_kept_and_retried_by_the_worker_with_back_off(cast, notify, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The real worker runs here inside the test's transaction: its between-tasks housekeeping would
    # close that connection (on PostgreSQL), so it is left out; the worker's own tests run it whole
    # in a process of its own (casework/worker/tests/test_worker_survives.py).
    monkeypatch.setattr("casework.worker.runner.close_old_connections", lambda: None)
    url = notify.url
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens: the send fails
    notice = make_notice(cast, make_enrolment(cast))
    result = tasks.send_notice.enqueue(notice.pk)
    policy = Policy(
        max_attempts=3, retry_delay=30, retry_max_delay=3600, lease=60, heartbeat=30, time_limit=0, shutdown_grace=5
    )

    def work() -> None:
        Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            max_tasks=1,
            worker_id="test",
            policy=policy,
        ).run()

    before = timezone.now()
    work()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "READY"  # back on the queue, not lost
    assert before + dt.timedelta(seconds=29) < row.run_after < before + dt.timedelta(seconds=40)
    assert TaskRun.objects.get(pk=row.pk).attempts == 1
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.FAILED and notice.attempts == 1
    assert "GOV.UK Notify" in notice.last_error
    assert describe(row.task_path) == "Send a compliance notice to the supervising officer through GOV.UK Notify"

    settings.NOTIFY_BASE_URL = url  # Notify is back; the back-off has passed
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now())
    work()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED and notice.attempts == 2 and notice.last_error == ""
    assert len(notify.notifications) == 1


def test_the_status_follows_notify_until_the_officer_acknowledges(cast, notify):
    notice = make_notice(cast, make_enrolment(cast))
    tasks.send_notice.call(notice.pk)
    notice.refresh_from_db()
    notify.notifications[notice.notify_id]["status"] = "sending"
    notice.status = NoticeStatus.SENT
    notice.save(update_fields=["status"])
    assert tasks.check_notice_delivery.call(notice.pk) == NoticeStatus.SENT
    notify.notifications[notice.notify_id]["status"] = "permanent-failure"
    assert tasks.check_notice_delivery.call(notice.pk) == NoticeStatus.FAILED
    compliance.record_acknowledgement(notice=notice, name="PO Smith", by=cast.clinician)
    notify.notifications[notice.notify_id]["status"] = "delivered"
    assert tasks.check_notice_delivery.call(notice.pk) == NoticeStatus.ACKNOWLEDGED
    notice.refresh_from_db()
    assert notice.delivered_at is not None


def test_notifys_message_is_never_kept_on_the_notice():
    """Notify's message may repeat what was sent (an address): a refusal shows its HTTP status only."""

    class Answer:
        status_code = 400

        def json(self):
            return {"errors": [{"message": "email_address not-an-address Not a valid email address"}]}

    assert error_text(HTTPError(Answer())) == "GOV.UK Notify refused the notice (HTTP 400)"


def test_a_notice_notify_could_not_deliver_is_sent_again_as_a_new_notification_once_put_right(
    cast, notify, django_capture_on_commit_callbacks, client_for
):
    notice = _raise(cast, django_capture_on_commit_callbacks)
    first_key, first_id = notice.idempotency_key, notice.notify_id
    notify.notifications[first_id]["status"] = "permanent-failure"
    tasks.check_notice_delivery.call(notice.pk)
    notice.enrolment.supervising_officer_email = "right.officer@probation.example.org"
    notice.enrolment.save(update_fields=["supervising_officer_email"])
    url = reverse("treatment:notice_resend", args=[notice.enrolment.case.reference, notice.pk])
    assert client_for(cast.coordinator).post(url).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(cast.clinician).post(url).status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DELIVERED
    assert notice.idempotency_key != first_key and notice.notify_id != first_id
    assert notify.notifications[notice.notify_id]["email_address"] == "right.officer@probation.example.org"
    assert len(notify.notifications) == 2
    with django_capture_on_commit_callbacks(execute=True):
        client_for(cast.clinician).post(url)  # delivered now: nothing more is sent
    assert len(notify.notifications) == 2
