"""A person who is stalked is reminded of a therapy appointment only as their safety plan allows:
booking schedules the victims app's reminder (never treatment's), which writes one message through
the safe-contact path 24 hours before — by text if texts are agreed, else by email, never by
letter — saying only the date, time and kind of place. No plan, no agreed text or email, or no
agreed time before the appointment: nothing is written, and the case's trail says why. Moved,
cancelled and attended appointments get nothing, and a retry never writes twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.audit.models import AuditEvent
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.treatment import reminders as treatment_reminders
from casework.treatment.choices import Attendance
from casework.treatment.models import Appointment
from casework.treatment.services import diary as diary_services
from casework.victims import contact, tasks
from casework.victims.choices import MessageStatus
from casework.victims.models import VictimMessage
from casework.victims.tests.helpers import ALL_DAYS, plan, victim_case

pytestmark = pytest.mark.django_db

VICTIM_TASK = "casework.victims.tasks.remind_victim_appointment"
TREATMENT_TASK = "casework.treatment.tasks.remind_appointment"


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


def _appointment(case, cast, *, days: float = 3, place_kind: str = "video") -> Appointment:
    return Appointment.objects.create(
        case=case,
        kind="treatment",
        clinician=cast.clinician,
        place_kind=place_kind,
        starts_at=timezone.now() + dt.timedelta(days=days),
        attendance=Attendance.BOOKED,
        created_by=cast.clinician,
    )


def _remind(appointment, capture) -> str:
    with capture(execute=True):
        return tasks.remind_victim_appointment.call(appointment.pk, appointment.starts_at.isoformat())


def _trail(case) -> list[str]:
    return [
        str(value["new"])
        for event in AuditEvent.objects.filter(object_id=str(case.pk), object_type="cases.case")
        for key, value in (event.changes or {}).items()
        if key.endswith("reminder")
    ]


def test_booking_on_a_victim_case_schedules_the_victims_reminder_not_treatments(cast, case, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    plan(case, cast.clinician)
    starts_at = timezone.localtime() + dt.timedelta(days=4)
    starts_at = starts_at.replace(second=0, microsecond=0)
    appointment = diary_services.appointment_book(
        case=case,
        kind="treatment",
        clinician=cast.clinician,
        place_kind="video",
        starts_at=starts_at,
        minutes=60,
        by=cast.coordinator,
    )
    treatment_reminders.schedule_appointment(appointment.pk)
    rows = list(DBTaskResult.objects.filter(task_path=VICTIM_TASK))
    assert rows and all(row.args_kwargs["args"] == [appointment.pk, starts_at.isoformat()] for row in rows)
    assert rows[0].run_after == starts_at - dt.timedelta(hours=24)
    assert not DBTaskResult.objects.filter(task_path=TREATMENT_TASK).exists()


def test_the_reminder_goes_by_text_through_the_safe_path_and_says_nothing_of_the_clinic(
    cast, case, notify, django_capture_on_commit_callbacks
):
    plan(case, cast.clinician)
    appointment = _appointment(case, cast)
    assert _remind(appointment, django_capture_on_commit_callbacks) == "written"
    message = VictimMessage.objects.get(case=case)
    assert message.channel == "sms" and message.status == MessageStatus.DELIVERED
    sent = notify.notifications[message.notify_id]
    assert sent["phone_number"] == "+447700900123"
    assert "by video call" in message.text and not contact.revealing_words(message.text)
    assert settings.CLINIC_NAME not in message.text
    assert _trail(case) == ["written to them by text message (sms)"]
    # Never twice: a second run (a retry) finds the reminder done.
    assert _remind(appointment, django_capture_on_commit_callbacks) == "already_reminded"
    assert VictimMessage.objects.filter(case=case).count() == 1 and len(notify.notifications) == 1


def test_email_when_texts_are_not_agreed_and_never_a_letter(cast, case, notify, django_capture_on_commit_callbacks):
    plan(case, cast.clinician, channels=["letter", "email"])
    assert _remind(_appointment(case, cast), django_capture_on_commit_callbacks) == "written"
    assert VictimMessage.objects.get(case=case).channel == "email"

    other = victim_case(cast)
    plan(other, cast.clinician, channels=["letter"])
    assert _remind(_appointment(other, cast, days=5), django_capture_on_commit_callbacks) == "no_agreed_channel"
    assert not VictimMessage.objects.filter(case=other).exists()
    assert _trail(other) == ["not written: the safety plan agrees no text message or email to use"]


def test_no_plan_means_no_reminder(cast, case, notify, django_capture_on_commit_callbacks):
    assert _remind(_appointment(case, cast), django_capture_on_commit_callbacks) == "no_agreed_channel"
    assert not VictimMessage.objects.exists() and not notify.notifications


def test_outside_the_agreed_times_the_reminder_waits_for_the_next_one(
    cast, case, notify, django_capture_on_commit_callbacks
):
    now = timezone.localtime()
    tomorrow = str((now.date() + dt.timedelta(days=1)).weekday())
    plan(case, cast.clinician, contact_days=[tomorrow], contact_from=dt.time(0, 0), contact_until=dt.time(23, 59))
    appointment = _appointment(case, cast, days=3)
    assert _remind(appointment, django_capture_on_commit_callbacks) == "written"
    message = VictimMessage.objects.get(case=case)
    assert message.status == MessageStatus.WAITING and message.send_after.date() == now.date() + dt.timedelta(days=1)
    assert not notify.notifications


def test_no_agreed_time_before_the_appointment_means_no_reminder(
    cast, case, notify, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    # The only agreed day is a week away: after the appointment in three days' time.
    plan(case, cast.clinician, contact_days=[str((today + dt.timedelta(days=5)).weekday())])
    assert _remind(_appointment(case, cast, days=3), django_capture_on_commit_callbacks) == "no_agreed_time"
    assert not VictimMessage.objects.exists()
    assert _trail(case) == ["not written: no agreed time to contact them before the appointment"]


def test_moved_cancelled_or_past_appointments_get_nothing(cast, case, notify, django_capture_on_commit_callbacks):
    plan(case, cast.clinician, contact_days=ALL_DAYS)
    moved = _appointment(case, cast)
    old_start = moved.starts_at.isoformat()
    Appointment.objects.filter(pk=moved.pk).update(starts_at=moved.starts_at + dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_victim_appointment.call(moved.pk, old_start) == "moved"
    cancelled = _appointment(case, cast, days=4)
    Appointment.objects.filter(pk=cancelled.pk).update(attendance=Attendance.CANCELLED_BY_CLIENT)
    assert _remind(cancelled, django_capture_on_commit_callbacks) == "not_booked"
    assert not VictimMessage.objects.exists() and not notify.notifications


def test_treatment_never_reminds_the_subject_of_a_victim_case_itself(cast, case, notify):
    plan(case, cast.clinician)
    appointment = _appointment(case, cast)
    from casework.treatment import tasks as treatment_tasks

    assert (
        treatment_tasks.remind_appointment.call(appointment.pk, appointment.starts_at.isoformat())
        == "not_perpetrator_case"
    )
    assert not notify.notifications


def test_after_therapy_the_lead_clinician_is_reminded_of_the_follow_ups_and_sees_them_on_my_work(
    cast, case, notify, settings, client_for, django_capture_on_commit_callbacks
):
    from casework.treatment import tasks as treatment_tasks
    from casework.treatment.services import enrolment as enrolment_services

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    enrolment = enrolment_services.enrol(
        case=case,
        programme_code="victim-recovery",
        legal_basis="voluntary",
        starts_on=timezone.localdate() - dt.timedelta(days=400),
        by=cast.clinician,
    )
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_services.discharge(
            enrolment=enrolment,
            status="completed",
            reason="Finished the programme",
            discharged_on=timezone.localdate() - dt.timedelta(days=190),
            by=cast.clinician,
        )
    scheduled = DBTaskResult.objects.filter(task_path="casework.treatment.tasks.remind_follow_up")
    assert scheduled.count() == 3
    follow_up = enrolment.follow_ups.get(point=6)
    assert treatment_tasks.remind_follow_up.call(follow_up.pk) == "sent"
    (sent,) = notify.notifications.values()
    assert sent["email_address"] == cast.clinician.email  # staff, never the person stalked
    assert sent["personalisation"] == {"reference": case.reference, "point": "6-month"}
    page = client_for(cast.clinician).get(reverse("core:my_work")).content.decode()
    assert f"{case.reference}: follow-up at 6 months" in page
