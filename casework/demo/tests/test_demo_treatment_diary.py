"""The demo diary: four rooms, weekly sessions for clients in treatment (past ones with realistic
attendance and session notes, the coming weeks booked), assessments for the others, and no clinician
or room double-booked."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.accounts.models import User
from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case, CaseNote
from casework.core.roles import Role
from casework.core.testing import kept_for_the_module
from casework.demo import treatment_diary as demo
from casework.demo.context import DemoContext
from casework.treatment.choices import Attendance
from casework.treatment.models import Appointment, Enrolment, KeptProgramme, Room, SessionNote

PROGRAMME = {
    "code": "demo-test",
    "modules": [{"code": "engagement", "title": "Engagement"}, {"code": "rumination", "title": "Rumination"}],
}


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(14)
            context = DemoContext(faker=faker, rng=random.Random(14))
            for builder in (organisations, accounts, cases):
                builder.seed(context)
            # The enrolments another builder makes: two clients in treatment for ten weeks.
            programme = KeptProgramme.objects.create(
                code="demo-test", version="1", title="Demo test", content=PROGRAMME, content_hash="d" * 64
            )
            lead = User.objects.filter(role=Role.CLINICAL_LEAD).order_by("id").first()
            open_cases = Case.objects.filter(kind=CaseKind.PERPETRATOR, status=CaseStatus.OPEN).order_by("id")[:2]
            for case in open_cases:
                Enrolment.objects.create(
                    case=case,
                    programme=programme,
                    legal_basis="community_order",
                    starts_on=timezone.localdate() - dt.timedelta(weeks=10),
                    created_by=lead,
                    updated_by=lead,
                )
            demo.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_clinic_has_four_rooms(seeded):
    assert list(Room.objects.values_list("name", flat=True)) == ["Room 1", "Room 2", "Room 3", "Room 4"]


def test_clients_in_treatment_have_past_sessions_and_the_coming_weeks_booked(seeded):
    now = timezone.now()
    for enrolment in Enrolment.objects.all():
        sessions = Appointment.objects.filter(enrolment=enrolment, kind="treatment")
        assert sessions.filter(starts_at__lt=now).count() >= 6
        assert sessions.filter(starts_at__gt=now, attendance=Attendance.BOOKED).count() >= 3
    assert Appointment.objects.filter(enrolment=None, kind="assessment").exists()


def test_past_attendance_is_mostly_attended_with_reasons_where_they_are_needed(seeded):
    past = Appointment.objects.filter(starts_at__lt=timezone.now())
    assert past.filter(attendance=Attendance.BOOKED, ends_at__lt=timezone.now()).count() == 0
    attended = past.filter(attendance__in=[Attendance.ATTENDED, Attendance.LATE]).count()
    assert attended >= 0.6 * past.count()
    assert not past.filter(
        attendance__in=["dna", "cancelled_client", "cancelled_clinic"], cancellation_reason=""
    ).exists()
    assert not past.filter(attendance="cancelled_client", reason_acceptable=None).exists()


def test_attended_sessions_have_notes_in_the_case_notes(seeded):
    notes = SessionNote.objects.select_related("appointment")
    assert notes.exists()
    for note in notes:
        assert note.appointment.attendance in (Attendance.ATTENDED, Attendance.LATE)
        assert CaseNote.objects.filter(pk=note.case_note_id, case=note.appointment.case).exists()


def test_nobody_and_no_room_is_double_booked(seeded):
    held = list(Appointment.objects.exclude(attendance__startswith="cancelled").order_by("starts_at"))
    for first in held:
        for second in held:
            if first.pk < second.pk and first.starts_at < second.ends_at and second.starts_at < first.ends_at:
                assert first.clinician_id != second.clinician_id
                assert first.room_id is None or first.room_id != second.room_id


def test_seeding_again_adds_nothing(seeded):
    before = Appointment.objects.count()
    demo.seed(seeded)
    assert Appointment.objects.count() == before
