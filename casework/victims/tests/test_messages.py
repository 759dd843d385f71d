"""Messages to a person who is stalked: each channel goes through GOV.UK Notify (the stand-in,
started here) to the contact details marked safe, from a neutral sender unless the plan agrees to
the clinic's name; a message the plan forbids is refused before anything is queued or sent; a plan
changed after queueing holds it; an email or text due outside the agreed times waits; a retry never
sends twice."""

from __future__ import annotations

import pytest
from django.conf import settings

from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.victims import tasks
from casework.victims.choices import MessageStatus
from casework.victims.models import VictimMessage
from casework.victims.services.messages import MessageRefused, message_send
from casework.victims.tests.helpers import not_today, plan, victim_case

pytestmark = pytest.mark.django_db

TEXT = "Your next appointment is on Tuesday at 10:00. Reply to this number if you need to change it."


@pytest.fixture
def notify(settings):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


@pytest.fixture
def case(cast):
    return victim_case(cast)


def _send(cast, case, capture, channel, text=TEXT):
    with capture(execute=True):
        message = message_send(case=case, channel=channel, text=text, by=cast.clinician)
    message.refresh_from_db()
    return message


def test_an_email_goes_to_the_address_marked_safe_from_a_neutral_sender(
    cast, case, notify, django_capture_on_commit_callbacks
):
    plan(case, cast.clinician)
    message = _send(cast, case, django_capture_on_commit_callbacks, "email")
    assert message.status == MessageStatus.DELIVERED and message.sent_at is not None
    sent = notify.notifications[message.notify_id]
    assert sent["email_address"] == "safe@example.org"
    assert sent["personalisation"] == {"body": TEXT, "sender": settings.VICTIM_NEUTRAL_SENDER}
    assert sent["reference"] == message.reference


def test_a_text_goes_to_the_number_marked_safe(cast, case, notify, django_capture_on_commit_callbacks):
    plan(case, cast.clinician, may_name_clinic=True)
    message = _send(cast, case, django_capture_on_commit_callbacks, "sms")
    sent = notify.notifications[message.notify_id]
    assert sent["phone_number"] == "+447700900123"
    assert sent["personalisation"]["sender"] == settings.CLINIC_NAME


def test_a_letter_goes_to_the_current_address(cast, case, notify, django_capture_on_commit_callbacks):
    plan(case, cast.clinician)
    message = _send(cast, case, django_capture_on_commit_callbacks, "letter")
    lines = notify.notifications[message.notify_id]["personalisation"]
    assert [lines["address_line_1"], lines["address_line_2"], lines["address_line_3"]] == [
        "1 Quiet Road",
        "Testtown",
        "TT1 1TT",
    ]


@pytest.mark.parametrize("channel", ["letter", "email", "sms"])
def test_a_message_the_plan_forbids_is_refused_before_anything_is_queued_or_sent(
    cast, case, notify, django_capture_on_commit_callbacks, channel
):
    plan(case, cast.clinician, channels=[c for c in ("letter", "email", "sms") if c != channel])
    with pytest.raises(MessageRefused) as wrong_channel:
        _send(cast, case, django_capture_on_commit_callbacks, channel)
    assert wrong_channel.value.field == "channel"
    plan(case, cast.clinician, number=2)
    with pytest.raises(MessageRefused) as names_clinic:
        _send(
            cast, case, django_capture_on_commit_callbacks, channel, text="The stalking clinic writes: see you Tuesday"
        )
    assert names_clinic.value.field == "text"
    if channel != "letter":
        plan(case, cast.clinician, number=3, contact_days=not_today())
        with pytest.raises(MessageRefused) as wrong_time:
            _send(cast, case, django_capture_on_commit_callbacks, channel)
        assert "not a time they agreed" in wrong_time.value.message
    assert not VictimMessage.objects.exists() and not notify.notifications


def test_without_a_safe_email_an_email_is_refused(cast, notify, django_capture_on_commit_callbacks):
    case = victim_case(cast, contact=False)
    plan(case, cast.clinician)
    with pytest.raises(MessageRefused, match="No email address is recorded as safe"):
        _send(cast, case, django_capture_on_commit_callbacks, "email")


def test_a_plan_changed_after_the_message_was_queued_holds_it(cast, case, notify):
    plan(case, cast.clinician)
    message = message_send(case=case, channel="sms", text=TEXT, by=cast.clinician)  # not yet sent
    plan(case, cast.clinician, number=2, channels=["letter"])
    assert tasks.send_message.call(message.pk) == MessageStatus.HELD
    message.refresh_from_db()
    assert "not agreed to be contacted by text message" in message.last_error
    assert not notify.notifications


def test_an_email_due_outside_the_agreed_times_waits_for_the_next_one(cast, case, notify):
    plan(case, cast.clinician)
    message = message_send(case=case, channel="email", text=TEXT, by=cast.clinician)
    plan(case, cast.clinician, number=2, contact_days=not_today())
    assert tasks.send_message.call(message.pk) == MessageStatus.WAITING
    message.refresh_from_db()
    assert message.send_after is not None and message.send_after > message.created_at
    assert not notify.notifications


def test_running_the_task_again_sends_nothing_more(cast, case, notify, django_capture_on_commit_callbacks):
    plan(case, cast.clinician)
    message = _send(cast, case, django_capture_on_commit_callbacks, "email")
    tasks.send_message.call(message.pk)
    assert len(notify.notifications) == 1
