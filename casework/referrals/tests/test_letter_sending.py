"""Issued letters are sent to the referrer through GOV.UK Notify in the background (a local
stand-in for Notify here): by email where the referrer gave an address, otherwise by post; once
only; with the delivery status kept on the letter and shown on the referral."""

from __future__ import annotations

import base64

import pytest

from casework.accounts.tests.factories import OrganisationFactory
from casework.referrals import tasks
from casework.referrals.choices import Decision, Status
from casework.referrals.models import DeliveryChannel, DeliveryStatus, Letter
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.referrals.services.triage import screening_decide
from casework.referrals.tests.factories import ReferralFactory
from casework.worker.descriptions import describe
from casework.worker.models import Delivery


@pytest.fixture
def notify(settings):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


def _decline(cast, django_capture_on_commit_callbacks, **kwargs):
    kwargs.setdefault("referring_organisation", cast.organisation)
    referral = ReferralFactory(
        status=Status.SCREENING, parties=[{"role": "victim", "name": "Vera Victimson"}], **kwargs
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter = screening_decide(
            referral=referral, by=cast.coordinator, decision=Decision.DECLINE, reason="Out of scope."
        )
    letter.refresh_from_db()
    return letter


def test_a_letter_is_emailed_to_the_referrer_as_a_pdf_and_shows_as_delivered(
    cast, notify, django_capture_on_commit_callbacks
):
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="jo@police.example.org")
    assert letter.delivery_channel == DeliveryChannel.EMAIL
    assert letter.delivery_status == DeliveryStatus.DELIVERED
    sent = notify.notifications[letter.notify_id]
    assert sent["email_address"] == "jo@police.example.org"
    assert sent["reference"] == f"letter-{letter.pk}"
    assert set(sent["personalisation"]) == {"reference", "link_to_file"}
    assert sent["personalisation"]["reference"] == letter.referral.reference
    assert base64.b64decode(sent["personalisation"]["link_to_file"]["file"]).startswith(b"%PDF-")


def test_without_an_email_address_the_letter_goes_by_post(cast, notify, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(address="1 Station Road\nTesttown", postcode="TT1 1TT")
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="", referring_organisation=organisation)
    assert letter.delivery_channel == DeliveryChannel.POST
    assert letter.delivery_status == DeliveryStatus.POSTED
    assert notify.notifications[letter.notify_id]["content"].startswith(b"%PDF-")


def test_with_no_address_at_all_the_letter_is_marked_not_sent(cast, notify, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(address="", postcode="")
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="", referring_organisation=organisation)
    assert letter.delivery_status == DeliveryStatus.NO_ADDRESS
    assert not notify.notifications


def test_running_the_task_again_sends_nothing_more(cast, notify, django_capture_on_commit_callbacks):
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="jo@police.example.org")
    assert tasks.send_letter.call(letter.pk) == DeliveryStatus.DELIVERED
    assert len(notify.notifications) == 1


def test_a_retry_after_notify_took_the_letter_but_the_answer_was_lost_sends_nothing_more(
    cast, notify, django_capture_on_commit_callbacks
):
    # Notify accepted the letter, then the worker died before recording it: the letter has no id
    # and no delivery record. The retry finds Notify's notification by the letter's reference.
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="jo@police.example.org")
    sent_id = letter.notify_id
    Letter.objects.filter(pk=letter.pk).update(notify_id="", delivery_status=DeliveryStatus.QUEUED)
    Delivery.objects.filter(key=f"letter:{letter.pk}:notify").delete()
    assert tasks.send_letter.call(letter.pk) == DeliveryStatus.DELIVERED
    assert len(notify.notifications) == 1
    letter.refresh_from_db()
    assert letter.notify_id == sent_id


def test_a_letter_is_queued_with_its_id_only_after_the_decision_commits(
    cast, notify, django_capture_on_commit_callbacks
):
    referral = ReferralFactory(status=Status.SCREENING, referring_organisation=cast.organisation)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        letter = screening_decide(
            referral=referral, by=cast.coordinator, decision=Decision.DECLINE, reason="Out of scope."
        )
        assert letter.delivery_status == DeliveryStatus.QUEUED
    assert len(callbacks) == 1
    assert not notify.notifications  # nothing sent before the commit


def test_the_referral_page_shows_the_delivery_status(cast, client_for, notify, django_capture_on_commit_callbacks):
    letter = _decline(cast, django_capture_on_commit_callbacks, referrer_email="jo@police.example.org")
    page = client_for(cast.coordinator).get(f"/referrals/{letter.referral.reference}/").content.decode()
    assert "Delivered by email (email)" not in page
    assert 'data-testid="letter-delivery">Delivered by email' in page


def test_the_stand_in_refuses_a_request_without_a_token(notify):
    import json
    import urllib.error
    import urllib.request

    url = f"{notify.url}/v2/notifications/email"
    request = urllib.request.Request(url, data=json.dumps({}).encode(), method="POST")  # noqa: S310 (local)
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)  # noqa: S310 (our own local server)
    assert refused.value.code == 403


def test_the_tasks_have_plain_english_descriptions():
    assert describe("casework.referrals.tasks.send_letter") == "Send a letter to the referrer through GOV.UK Notify"
