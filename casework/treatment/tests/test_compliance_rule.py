"""The compliance rule: unacceptable absences within the period, not yet notified, reaching the
threshold raise one notice (the facts only, to the officer by email or to the agency by post), queued
for sending once the check commits and recorded in the case's audit trail."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from casework.audit.models import AuditEvent
from casework.treatment.choices import Attendance, NoticeChannel, NoticeStatus
from casework.treatment.models import ComplianceNotice
from casework.treatment.services import compliance
from casework.treatment.tests.matrix_compliance import appointment, make_enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rule(settings):
    settings.TREATMENT_COMPLIANCE_ABSENCES = 2
    settings.TREATMENT_COMPLIANCE_PERIOD_DAYS = 90


def test_one_absence_raises_nothing_and_two_raise_a_notice_with_both(cast):
    enrolment = make_enrolment(cast)
    first = appointment(cast, enrolment, days_ago=20)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None
    second = appointment(cast, enrolment, days_ago=5, attendance=Attendance.CANCELLED_BY_CLIENT, acceptable=False)
    notice = compliance.check(enrolment=enrolment, by=cast.clinician)
    assert notice is not None
    assert set(notice.absences.all()) == {first, second}
    assert notice.status == NoticeStatus.PENDING
    assert notice.channel == NoticeChannel.EMAIL
    assert notice.idempotency_key.startswith("cn-")


def test_the_reason_gives_dates_and_kinds_and_nothing_clinical_or_personal(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=20)
    appointment(cast, enrolment, days_ago=5, attendance=Attendance.CANCELLED_BY_CLIENT, acceptable=False)
    notice = compliance.check(enrolment=enrolment, by=cast.clinician)
    assert "did not attend" in notice.reason
    assert "cancelled by the client without an acceptable reason" in notice.reason
    assert "car broke down" not in notice.reason  # the client's stated reason stays in the record
    assert enrolment.case.subject.given_name not in notice.reason


def test_acceptable_cancellations_and_other_attendance_do_not_count(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=9, attendance=Attendance.CANCELLED_BY_CLIENT, acceptable=True)
    appointment(cast, enrolment, days_ago=8, attendance=Attendance.CANCELLED_BY_CLIENT, acceptable=None)
    appointment(cast, enrolment, days_ago=7, attendance=Attendance.CANCELLED_BY_CLINIC)
    appointment(cast, enrolment, days_ago=6, attendance=Attendance.LATE)
    appointment(cast, enrolment, days_ago=5, attendance=Attendance.ATTENDED)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None


def test_absences_before_the_period_do_not_count(cast, settings):
    settings.TREATMENT_COMPLIANCE_PERIOD_DAYS = 30
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=31)
    appointment(cast, enrolment, days_ago=3)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None
    appointment(cast, enrolment, days_ago=29)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is not None


def test_future_appointments_do_not_count(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=3)
    appointment(cast, enrolment, days_ago=-3)  # wrongly marked ahead of time
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None


def test_the_threshold_comes_from_the_settings(cast, settings):
    settings.TREATMENT_COMPLIANCE_ABSENCES = 3
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None
    appointment(cast, enrolment, days_ago=2)
    assert compliance.check(enrolment=enrolment, by=cast.clinician).absences.count() == 3


def test_absences_are_never_counted_twice(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is not None
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None
    appointment(cast, enrolment, days_ago=2)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None  # one new absence only
    appointment(cast, enrolment, days_ago=1)
    second = compliance.check(enrolment=enrolment, by=cast.clinician)
    assert second is not None and second.absences.count() == 2
    assert ComplianceNotice.objects.filter(enrolment=enrolment).count() == 2


def test_absences_of_another_enrolment_do_not_count(cast):
    enrolment = make_enrolment(cast)
    other = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, other, days_ago=5)
    assert compliance.check(enrolment=enrolment, by=cast.clinician) is None


def test_without_the_officers_email_the_notice_goes_by_post(cast):
    enrolment = make_enrolment(cast, email="")
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    assert compliance.check(enrolment=enrolment, by=cast.clinician).channel == NoticeChannel.LETTER


def test_raising_a_notice_is_audited_against_the_case(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    notice = compliance.check(enrolment=enrolment, by=cast.clinician)
    event = AuditEvent.objects.filter(object_type="cases.case", object_id=str(enrolment.case.pk)).latest("sequence")
    assert event.actor == cast.clinician
    assert event.action == "create"
    assert notice.audit_label in event.object_label


def test_the_notice_is_queued_for_sending_only_after_the_check_commits(cast, django_capture_on_commit_callbacks):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    with django_capture_on_commit_callbacks() as callbacks:
        compliance.check(enrolment=enrolment, by=cast.clinician)
    assert len(callbacks) == 1


@pytest.mark.parametrize("role", ["coordinator", "other_clinician", "finance", "agency"])
def test_only_the_clinical_team_may_raise_a_notice(cast, role):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    appointment(cast, enrolment, days_ago=5)
    with pytest.raises(PermissionDenied):
        compliance.check(enrolment=enrolment, by=cast.by_name(role))
    assert not ComplianceNotice.objects.exists()


def test_recording_an_absence_applies_the_rule_for_whoever_keeps_the_diary(cast):
    enrolment = make_enrolment(cast)
    appointment(cast, enrolment, days_ago=10)
    attended = appointment(cast, enrolment, days_ago=7, attendance=Attendance.ATTENDED)
    assert compliance.check_after_attendance(appointment=attended, by=cast.coordinator) is None
    missed = appointment(cast, enrolment, days_ago=5)
    notice = compliance.check_after_attendance(appointment=missed, by=cast.coordinator)
    assert notice is not None and notice.absences.count() == 2
    with pytest.raises(PermissionDenied):
        compliance.check_after_attendance(appointment=missed, by=cast.finance)
