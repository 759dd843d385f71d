"""The safe-contact rule, for each channel: no plan, a channel not agreed, a time not agreed (not for
letters), and wording that names the clinic when that is not agreed, are each refused with the reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.victims import contact
from casework.victims.tests.helpers import ALL_DAYS, not_today, plan, victim_case

pytestmark = pytest.mark.django_db

NOW = timezone.now()
PLAIN = "Your next appointment is on Tuesday at 10:00."


@pytest.fixture
def case(cast):
    return victim_case(cast, contact=False)


@pytest.mark.parametrize("channel", ["letter", "email", "sms"])
def test_without_a_plan_nothing_may_be_sent(channel):
    refused = contact.refusal(None, channel=channel, text=PLAIN, at=NOW)
    assert refused is not None and refused.field == "channel" and "No safety plan" in refused.reason


@pytest.mark.parametrize("channel", ["letter", "email", "sms"])
def test_a_channel_they_did_not_agree_is_refused(cast, case, channel):
    agreed = [c for c in ("letter", "email", "sms", "phone") if c != channel]
    refused = contact.refusal(plan(case, cast.clinician, channels=agreed), channel=channel, text=PLAIN, at=NOW)
    assert refused is not None and refused.field == "channel"
    assert "They have not agreed to be contacted by" in refused.reason


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_an_email_or_text_outside_the_agreed_days_and_times_is_refused(cast, case, channel):
    version = plan(case, cast.clinician, contact_days=not_today())
    refused = contact.refusal(version, channel=channel, text=PLAIN, at=NOW)
    assert refused is not None and refused.field == "channel" and "It is not a time they agreed" in refused.reason
    # Inside the agreed hours of an agreed day, it may be sent.
    assert contact.refusal(plan(case, cast.clinician, number=2), channel=channel, text=PLAIN, at=NOW) is None


def test_a_letter_is_not_held_to_the_agreed_times(cast, case):
    version = plan(case, cast.clinician, contact_days=not_today())
    assert contact.refusal(version, channel="letter", text=PLAIN, at=NOW) is None


@pytest.mark.parametrize("channel", ["letter", "email", "sms"])
@pytest.mark.parametrize("text", ["From the National Stalking Clinic: see you Tuesday.", "Your STALKING assessment"])
def test_wording_that_names_the_clinic_is_refused_unless_agreed(cast, case, channel, text):
    refused = contact.refusal(plan(case, cast.clinician), channel=channel, text=text, at=NOW)
    assert (
        refused is not None
        and refused.field == "text"
        and "not agreed to messages that name the clinic" in refused.reason
    )
    allowed = plan(case, cast.clinician, number=2, may_name_clinic=True)
    assert contact.refusal(allowed, channel=channel, text=text, at=NOW) is None


def test_the_next_agreed_time_is_the_start_of_the_next_agreed_day(cast, case):
    version = plan(case, cast.clinician, contact_days=not_today(), contact_from=dt.time(9), contact_until=dt.time(17))
    later = contact.next_safe_time(version, NOW)
    local = timezone.localtime(later)
    assert local.date() == timezone.localdate() + dt.timedelta(days=1) and local.time() == dt.time(9)
    assert contact.next_safe_time(plan(case, cast.clinician, number=2, contact_days=ALL_DAYS), NOW) == NOW
