"""The officer acknowledges a notice through the signed link it carries (no account; a bad or
expired link is refused); the team sees the case's notices and their sending status, raises one now,
records an acknowledgement given by telephone; unacknowledged notices are on My work."""

from __future__ import annotations

import time

import pytest
from django.core.signing import TimestampSigner, b62_encode
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.core.idempotency import FIELD
from casework.core.tests.test_idempotency import token_in
from casework.treatment.choices import NoticeStatus
from casework.treatment.compliance_work import compliance_notices
from casework.treatment.models import ComplianceNotice
from casework.treatment.services import compliance
from casework.treatment.tests.matrix_compliance import appointment, make_enrolment, make_notice

pytestmark = pytest.mark.django_db


def ack_url(token: str) -> str:
    return reverse("notices:acknowledge", args=[token])


def test_the_officer_acknowledges_through_the_link_without_signing_in(cast, client):
    notice = make_notice(cast, make_enrolment(cast), status=NoticeStatus.DELIVERED)
    url = ack_url(compliance.token_for(notice))
    page = client.get(url)
    assert page.status_code == 200
    assert notice.reason in page.content.decode()
    assert notice.enrolment.case.subject.family_name not in page.content.decode()
    done = client.post(url, {"name": "PO Sam Smith", "confirm": "on"})
    assert done.status_code == 200
    assert "Notice acknowledged" in done.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_by == "PO Sam Smith"
    assert notice.acknowledged_at is not None
    assert notice.status == NoticeStatus.ACKNOWLEDGED
    event = AuditEvent.objects.filter(object_type="cases.case").latest("sequence")
    assert event.actor is None and "through the link" in event.reason
    again = client.get(url)
    assert "This notice has been acknowledged" in again.content.decode()


def test_the_officer_must_give_a_name_and_confirm(cast, client):
    notice = make_notice(cast, make_enrolment(cast))
    page = client.post(ack_url(compliance.token_for(notice)), {"name": "PO Sam Smith"})
    assert page.status_code == 400
    assert "Confirm that you have read the notice" in page.content.decode()
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


class _LongAgo(TimestampSigner):
    def timestamp(self):
        return b62_encode(int(time.time()) - 61 * 24 * 3600)


@pytest.mark.parametrize("kind", ["tampered", "other salt", "expired"])
def test_a_bad_or_expired_link_is_refused(cast, client, kind, settings):
    settings.TREATMENT_NOTICE_LINK_DAYS = 60
    notice = make_notice(cast, make_enrolment(cast))
    token = {
        "tampered": compliance.token_for(notice)[:-2] + "xx",
        "other salt": TimestampSigner(salt="elsewhere").sign_object(notice.idempotency_key),
        "expired": _LongAgo(salt=compliance.TOKEN_SALT).sign_object(notice.idempotency_key),
    }[kind]
    assert client.get(ack_url(token)).status_code == 404
    assert client.post(ack_url(token), {"name": "Someone", "confirm": "on"}).status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


def test_the_team_sees_the_notices_with_their_status_and_why_sending_failed(cast, client_for):
    enrolment = make_enrolment(cast)
    make_notice(cast, enrolment, status=NoticeStatus.FAILED, attempts=2, last_error="Could not reach GOV.UK Notify")
    page = client_for(cast.clinician).get(reverse("treatment:notices", args=[enrolment.case.reference]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Failed" in text and "Could not reach GOV.UK Notify" in text


def test_a_clinician_raises_a_notice_now_from_the_page(cast, client_for):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    client = client_for(cast.clinician)
    page = client.get(reverse("treatment:notices", args=[enrolment.case.reference])).content.decode()
    assert "Raise a compliance notice now" in page
    url = reverse("treatment:notice_check", args=[enrolment.case.reference, enrolment.pk])
    answer = client.post(url, {FIELD: token_in(page)})
    notice = ComplianceNotice.objects.get()
    assert answer["Location"] == reverse("treatment:notice", args=[enrolment.case.reference, notice.pk])
    detail = client.get(answer["Location"]).content.decode()
    assert "Record acknowledgement" in detail


def test_raising_now_with_too_few_absences_raises_nothing(cast, client_for):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    client = client_for(cast.clinician)
    page = client.get(reverse("treatment:notices", args=[enrolment.case.reference])).content.decode()
    url = reverse("treatment:notice_check", args=[enrolment.case.reference, enrolment.pk])
    answer = client.post(url, {FIELD: token_in(page)}, follow=True)
    assert "No notice was raised" in answer.content.decode()
    assert not ComplianceNotice.objects.exists()


def test_staff_record_an_acknowledgement_given_by_telephone(cast, client_for):
    notice = make_notice(cast, make_enrolment(cast))
    url = reverse("treatment:notice_acknowledge", args=[notice.enrolment.case.reference, notice.pk])
    assert client_for(cast.coordinator).post(url, {"name": "PO Sam Smith"}).status_code == 403
    answer = client_for(cast.clinician).post(url, {"name": "PO Sam Smith"})
    assert answer.status_code == 302
    notice.refresh_from_db()
    assert notice.acknowledged_by == "PO Sam Smith" and notice.status == NoticeStatus.ACKNOWLEDGED
    event = AuditEvent.objects.filter(object_type="cases.case").latest("sequence")
    assert event.actor == cast.clinician
    twice = client_for(cast.clinician).post(url, {"name": "Someone else"})
    assert twice.status_code == 400 and compliance.ALREADY_ACKNOWLEDGED in twice.content.decode()


def test_unacknowledged_notices_are_on_my_work_for_the_team_and_leads_only(cast, client_for):
    notice = make_notice(cast, make_enrolment(cast), status=NoticeStatus.DELIVERED)
    reference = reverse("treatment:notice", args=[notice.enrolment.case.reference, notice.pk])
    for user in (cast.clinician, cast.clinical_lead):
        page = client_for(user).get(reverse("core:my_work")).content.decode()
        assert "Compliance notices not acknowledged" in page and reference in page
    for user in (cast.other_clinician, cast.coordinator):
        assert reference not in client_for(user).get(reverse("core:my_work")).content.decode()
    compliance.record_acknowledgement(notice=notice, name="PO Sam Smith", by=cast.clinician)
    assert reference not in client_for(cast.clinician).get(reverse("core:my_work")).content.decode()


def test_my_work_asks_the_same_number_of_queries_however_many_notices(cast):
    class Request:
        user = cast.clinical_lead

    make_notice(cast, make_enrolment(cast))
    compliance_notices(Request())  # warm the user's permission caches
    with CaptureQueriesContext(connection) as one:
        compliance_notices(Request())
    for _ in range(4):
        make_notice(cast, make_enrolment(cast))
    with CaptureQueriesContext(connection) as five:
        sections = compliance_notices(Request())
    assert len(sections[0].items) == 5
    assert len(five) == len(one)
