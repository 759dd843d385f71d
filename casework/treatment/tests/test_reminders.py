"""Reminders as tasks run at their time by the worker (the database backend), sent through GOV.UK
Notify (the stand-in, answering over real HTTP): the lead clinician emailed at 09:00 UK time on the
day a follow-up falls due; the client reminded of an appointment 24 hours before, by text message
or else email. Each is sent once, even when a retry follows a lost answer; a follow-up already
recorded, an appointment cancelled, attended or moved gets nothing; a client with no number or
address gets nothing ("no_contact"); treatment never reminds the subject of a victim case (the
victims app does, under their safety plan: victims/tests/test_reminders.py)."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from casework.audit.models import AuditEvent
from casework.cases.choices import CaseKind
from casework.cases.tests.factories import make_case
from casework.people.models import PersonEmail, PersonPhone
from casework.referrals.notify_standin import STANDIN_KEY, StandIn
from casework.treatment import reminders, tasks
from casework.treatment.choices import Attendance
from casework.treatment.models import Appointment
from casework.treatment.services import diary as diary_services
from casework.treatment.services import enrolment as enrolment_services
from casework.treatment.tests.diary_fixtures import Diary, make_diary
from casework.treatment.tests.enrolment_helpers import enrol_on, order_on

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")
FOLLOW_UP_TASK = "casework.treatment.tasks.remind_follow_up"
APPOINTMENT_TASK = "casework.treatment.tasks.remind_appointment"
MOBILE = "+447700900123"  # Ofcom's drama range
LANDLINE = "+441632960001"


@pytest.fixture
def notify(settings):
    standin = StandIn().start()
    settings.NOTIFY_API_KEY = STANDIN_KEY
    settings.NOTIFY_BASE_URL = standin.url
    yield standin
    standin.stop()


@pytest.fixture
def db_tasks(settings):
    """The worker's backend, which runs a task later (``run_after``); the tests' own runs at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def diary(cast) -> Diary:
    return make_diary(cast)


def _rows(task_path: str):
    return list(DBTaskResult.objects.filter(task_path=task_path).order_by("run_after"))


def _args(row) -> list:
    return row.args_kwargs["args"]


def _discharged(cast, django_capture_on_commit_callbacks):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    enrolment = enrol_on(case, cast.clinician, order_on(case, cast.clinician), days_ago=300)
    with django_capture_on_commit_callbacks(execute=True):
        enrolment_services.discharge(
            enrolment=enrolment,
            status="completed",
            reason="Completed all sessions.",
            discharged_on=timezone.localdate() - dt.timedelta(days=10),
            by=cast.clinician,
        )
    return enrolment


# --- Follow-ups -----------------------------------------------------------------------------------------


def test_discharge_schedules_a_reminder_at_nine_uk_time_on_each_follow_ups_due_date(
    cast, db_tasks, django_capture_on_commit_callbacks
):
    enrolment = _discharged(cast, django_capture_on_commit_callbacks)
    follow_ups = list(enrolment.follow_ups.order_by("point"))
    rows = _rows(FOLLOW_UP_TASK)
    assert [_args(row) for row in rows] == [[f.pk] for f in follow_ups]
    for row, follow_up in zip(rows, follow_ups, strict=True):
        assert row.status == "READY"
        local = row.run_after.astimezone(UK)
        assert (local.date(), local.time()) == (follow_up.due_on, dt.time(9))


def test_nine_uk_time_is_eight_utc_in_summer_and_nine_in_winter():
    assert reminders.follow_up_due_at(dt.date(2027, 7, 1)) == dt.datetime(2027, 7, 1, 8, tzinfo=dt.UTC)
    assert reminders.follow_up_due_at(dt.date(2027, 1, 4)) == dt.datetime(2027, 1, 4, 9, tzinfo=dt.UTC)


def test_without_a_backend_that_runs_tasks_later_nothing_is_scheduled(cast, django_capture_on_commit_callbacks):
    _discharged(cast, django_capture_on_commit_callbacks)  # the tests' immediate backend: no defer
    assert not DBTaskResult.objects.exists()


def test_the_lead_clinician_is_emailed_once_naming_only_the_case_and_the_point(
    cast, notify, django_capture_on_commit_callbacks
):
    follow_up = _discharged(cast, django_capture_on_commit_callbacks).follow_ups.get(point=6)
    assert tasks.remind_follow_up.call(follow_up.pk) == "sent"
    assert tasks.remind_follow_up.call(follow_up.pk) == "already_reminded"
    assert len(notify.notifications) == 1
    sent = next(iter(notify.notifications.values()))
    assert sent["email_address"] == cast.clinician.email
    assert sent["reference"] == f"follow-up-{follow_up.pk}"
    case = follow_up.enrolment.case
    assert sent["personalisation"] == {"reference": case.reference, "point": "6-month"}
    follow_up.refresh_from_db()
    assert follow_up.reminded_at is not None


def test_a_retry_after_a_lost_answer_adopts_the_email_instead_of_sending_again(
    cast, notify, settings, django_capture_on_commit_callbacks
):
    follow_up = _discharged(cast, django_capture_on_commit_callbacks).follow_ups.get(point=12)
    settings.NOTIFY_TIMEOUT = 1
    notify.answer_delay = 2  # Notify keeps the email, but its answer comes after the client gave up
    with pytest.raises(Exception):  # noqa: B017 (the client's error for a timeout)
        tasks.remind_follow_up.call(follow_up.pk)
    follow_up.refresh_from_db()
    assert follow_up.reminded_at is None and len(notify.notifications) == 1
    notify.answer_delay = 0
    assert tasks.remind_follow_up.call(follow_up.pk) == "sent"
    assert len(notify.notifications) == 1


def test_a_follow_up_already_recorded_gets_no_reminder(cast, notify, django_capture_on_commit_callbacks):
    follow_up = _discharged(cast, django_capture_on_commit_callbacks).follow_ups.get(point=6)
    enrolment_services.follow_up_record(
        follow_up=follow_up,
        re_referred=False,
        further_stalking=False,
        reconvicted=False,
        done_on=timezone.localdate(),
        by=cast.clinician,
    )
    assert tasks.remind_follow_up.call(follow_up.pk) == "recorded"
    assert not notify.notifications
    follow_up.refresh_from_db()
    assert follow_up.reminded_at is None


# --- Appointments ---------------------------------------------------------------------------------------


def _phone(person, number=MOBILE, **fields):
    return PersonPhone.objects.create(person=person, number=number, **fields)


def test_booking_schedules_the_clients_reminder_24_hours_before(diary, db_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appointment = diary.book(starts_at=diary.at(days=3, hour=14))
    (row,) = _rows(APPOINTMENT_TASK)
    assert row.run_after == appointment.starts_at - dt.timedelta(hours=24)
    assert _args(row) == [appointment.pk, appointment.starts_at.isoformat()]


def test_an_appointment_less_than_24_hours_away_gets_no_reminder(diary, db_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        diary.book(starts_at=timezone.now().replace(microsecond=0) + dt.timedelta(hours=20))
    assert not _rows(APPOINTMENT_TASK)


def test_the_client_is_texted_once_with_the_date_time_and_kind_of_place_only(diary, notify):
    _phone(diary.case.subject, LANDLINE, kind="home")  # a text cannot reach a landline
    _phone(diary.case.subject, "+447700900999", safe_to_contact=False)
    _phone(diary.case.subject)
    appointment = diary.book(starts_at=diary.at(days=2, hour=9, minute=30), room=None, place_kind="video")
    iso = appointment.starts_at.isoformat()
    assert tasks.remind_appointment.call(appointment.pk, iso) == "sent"
    assert tasks.remind_appointment.call(appointment.pk, iso) == "already_reminded"
    assert len(notify.notifications) == 1
    sent = next(iter(notify.notifications.values()))
    assert sent["type"] == "sms" and sent["phone_number"] == MOBILE
    day = diary.at(days=2)
    assert sent["personalisation"] == {
        "date": f"{day:%A} {day.day} {day:%B %Y}",
        "time": "09:30",
        "place": "by video",
    }
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is not None
    # The case's trail says how the reminder went, never to what number.
    trail = json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))
    assert "sent to the client by text message" in trail
    assert MOBILE not in trail and "7700900123" not in trail


def test_without_a_mobile_number_the_client_is_emailed_and_not_told_the_room(diary, notify):
    PersonEmail.objects.create(person=diary.case.subject, address="client@example.org")
    appointment = diary.book(starts_at=diary.at(days=2, hour=11))
    assert tasks.remind_appointment.call(appointment.pk, appointment.starts_at.isoformat()) == "sent"
    (sent,) = notify.notifications.values()
    assert sent["type"] == "email" and sent["email_address"] == "client@example.org"
    assert sent["personalisation"]["place"] == "at the clinic"
    assert diary.room.name not in json.dumps(sent["personalisation"])


def test_a_moved_appointment_is_reminded_of_its_new_time_only(
    diary, notify, db_tasks, django_capture_on_commit_callbacks
):
    _phone(diary.case.subject)
    with django_capture_on_commit_callbacks(execute=True):
        appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    old = appointment.starts_at.isoformat()
    with django_capture_on_commit_callbacks(execute=True):
        diary_services.appointment_move(
            appointment=appointment, starts_at=diary.at(days=4, hour=15), minutes=60, by=diary.cast.coordinator
        )
    rows = _rows(APPOINTMENT_TASK)
    assert [_args(row) for row in rows] == [[appointment.pk, old], [appointment.pk, appointment.starts_at.isoformat()]]
    assert rows[1].run_after == diary.at(days=3, hour=15)
    assert tasks.remind_appointment.call(*_args(rows[0])) == "moved"
    assert not notify.notifications
    assert tasks.remind_appointment.call(*_args(rows[1])) == "sent"
    (sent,) = notify.notifications.values()
    assert sent["personalisation"]["time"] == "15:00"


def test_a_cancelled_appointment_gets_no_reminder(diary, notify):
    _phone(diary.case.subject)
    appointment = diary.book(starts_at=diary.at(days=2))
    diary_services.appointment_cancel(
        appointment=appointment, by_client=False, reason="Clinician unwell", by=diary.cast.clinician
    )
    assert tasks.remind_appointment.call(appointment.pk, appointment.starts_at.isoformat()) == "not_booked"
    assert not notify.notifications
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None


def test_a_client_with_no_number_or_address_gets_nothing_and_the_task_says_so(diary, notify):
    _phone(diary.case.subject, LANDLINE, kind="home")
    appointment = diary.book(starts_at=diary.at(days=2))
    assert tasks.remind_appointment.call(appointment.pk, appointment.starts_at.isoformat()) == "no_contact"
    assert not notify.notifications
    appointment.refresh_from_db()
    assert appointment.reminder_sent_at is None


def test_nobody_on_a_victim_case_is_ever_reminded(cast, notify, db_tasks):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind=CaseKind.VICTIM)
    _phone(case.subject)
    PersonEmail.objects.create(person=case.subject, address="victim@example.org")
    appointment = Appointment.objects.create(
        case=case,
        kind="assessment",
        clinician=cast.clinician,
        place_kind="video",
        starts_at=timezone.now() + dt.timedelta(days=3),
        attendance=Attendance.BOOKED,
        created_by=cast.clinician,
    )
    reminders.schedule_appointment(appointment.pk)
    assert not _rows(APPOINTMENT_TASK)
    assert tasks.remind_appointment.call(appointment.pk, appointment.starts_at.isoformat()) == "not_perpetrator_case"
    assert not notify.notifications
