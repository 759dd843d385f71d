"""The diary's services: clashes refused with what they clash with (never whose), the lock that
makes two bookings queue, places, attendance rules, session notes as case notes, rooms."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import AuditEvent
from casework.cases.models import CaseNote
from casework.cases.tests.factories import make_case
from casework.core.roles import Role
from casework.treatment.services import diary as services
from casework.treatment.services.diary import Clash, DiaryRefused
from casework.treatment.tests.diary_fixtures import Diary, make_diary

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(cast) -> Diary:
    return make_diary(cast)


# --- Clashes ---------------------------------------------------------------------------------------------


def test_a_booking_overlapping_the_clinicians_appointment_is_refused_with_her_time(diary):
    diary.book(starts_at=diary.at(hour=10), minutes=60)
    with pytest.raises(Clash) as refused:
        diary.book(starts_at=diary.at(hour=10, minute=30), room=diary.room2)
    day = diary.at(hour=10)
    assert refused.value.message == (
        f"Clare Clinician already has an appointment from 10:00 to 11:00 on {day.day} {day:%B %Y}"
    )
    assert refused.value.field == "starts_at"


def test_a_room_clash_names_the_room_and_its_time_never_the_other_case_or_client(diary):
    other_case = make_case(lead=diary.cast.other_clinician, by=diary.cast.clinical_lead)
    diary.book(case=other_case, clinician=diary.cast.other_clinician, starts_at=diary.at(hour=14), minutes=90)
    with pytest.raises(Clash) as refused:
        diary.book(starts_at=diary.at(hour=15))
    day = diary.at()
    assert refused.value.message == f"Room 1 is booked from 14:00 to 15:30 on {day.day} {day:%B %Y}"
    assert refused.value.field == "room"
    assert other_case.reference not in refused.value.message
    assert other_case.subject.family_name not in refused.value.message
    assert "Oscar" not in refused.value.message


def test_back_to_back_appointments_do_not_clash(diary):
    diary.book(starts_at=diary.at(hour=10), minutes=60)
    follow_on = diary.book(starts_at=diary.at(hour=11), minutes=60)
    assert follow_on.ends_at == diary.at(hour=12)


def test_a_cancelled_appointment_frees_the_clinician_and_the_room(diary):
    first = diary.book(starts_at=diary.at(hour=10))
    services.appointment_cancel(
        appointment=first, by_client=False, reason="Clinician unwell", by=diary.cast.coordinator
    )
    again = diary.book(starts_at=diary.at(hour=10))
    assert again.pk != first.pk


def test_moving_an_appointment_checks_clashes_but_not_with_itself(diary):
    first = diary.book(starts_at=diary.at(hour=10))
    diary.book(starts_at=diary.at(hour=13), room=diary.room2)
    moved = services.appointment_move(
        appointment=first, starts_at=diary.at(hour=10, minute=30), minutes=60, by=diary.cast.coordinator
    )
    assert moved.ends_at == diary.at(hour=11, minute=30)
    with pytest.raises(Clash):
        services.appointment_move(
            appointment=first, starts_at=diary.at(hour=12, minute=30), minutes=60, by=diary.cast.coordinator
        )


def test_the_clinicians_row_is_locked_before_the_clash_is_looked_for(diary):
    """Two bookings for the same clinician queue on her row (PostgreSQL: FOR UPDATE; SQLite: the
    IMMEDIATE transaction), so the second sees the first's appointment when it checks."""
    with CaptureQueriesContext(connection) as queries:
        diary.book(starts_at=diary.at(hour=9))
    sql = [q["sql"] for q in queries.captured_queries]
    lock = next(i for i, s in enumerate(sql) if 'FROM "accounts_user"' in s and "LIMIT 1" in s)
    clash = next(i for i, s in enumerate(sql) if 'FROM "treatment_appointment"' in s)
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "treatment_appointment"'))
    assert lock < clash < insert
    if connection.vendor == "postgresql":
        assert "FOR UPDATE" in sql[lock]


# --- What a booking needs ----------------------------------------------------------------------------------


def test_a_clinic_room_appointment_needs_a_room_and_a_visit_needs_the_place(diary):
    with pytest.raises(DiaryRefused) as no_room:
        diary.book(starts_at=diary.at(), room=None, place_kind="clinic_room")
    assert (no_room.value.field, no_room.value.message) == ("room", "Select the room")
    with pytest.raises(DiaryRefused) as no_prison:
        diary.book(starts_at=diary.at(), room=None, place_kind="prison")
    assert (no_prison.value.field, no_prison.value.message) == ("place_detail", "Enter the name of the prison")
    visit = diary.book(starts_at=diary.at(), room=diary.room, place_kind="prison", place_detail="HMP Northshire")
    assert visit.room is None and visit.place_detail == "HMP Northshire"
    video = diary.book(starts_at=diary.at(hour=14), room=None, place_kind="video", place_detail="ignored")
    assert video.room is None and video.place_detail == ""


def test_the_clinician_must_be_on_the_case_team_or_a_clinical_lead(diary):
    with pytest.raises(DiaryRefused) as refused:
        diary.book(starts_at=diary.at(), clinician=diary.cast.other_clinician)
    assert refused.value.field == "clinician"
    assert "not on this case's team" in refused.value.message
    with pytest.raises(DiaryRefused):
        diary.book(starts_at=diary.at(), clinician=diary.cast.coordinator)
    assert diary.book(starts_at=diary.at(), clinician=diary.cast.clinical_lead).clinician == diary.cast.clinical_lead


def test_booking_needs_the_diary_permission_on_the_case(diary):
    with pytest.raises(PermissionDenied):
        diary.book(starts_at=diary.at(), by=diary.cast.finance)
    with pytest.raises(PermissionDenied):
        diary.book(starts_at=diary.at(), by=diary.cast.other_clinician)


def test_a_treatment_session_joins_the_active_enrolment_and_the_booking_is_audited(diary):
    appointment = diary.book(starts_at=diary.at())
    assert appointment.enrolment == diary.enrolment
    event = AuditEvent.objects.filter(object_id=str(diary.case.pk)).latest("sequence")
    assert f"appointment {appointment.pk}" in event.changes


# --- Attendance --------------------------------------------------------------------------------------------


def test_attendance_of_a_future_appointment_is_refused_but_it_can_be_cancelled(diary):
    appointment = diary.book(starts_at=diary.at(days=2))
    with pytest.raises(DiaryRefused) as refused:
        services.attendance_record(appointment=appointment, attendance="attended", by=diary.cast.coordinator)
    assert refused.value.field == "attendance"
    services.attendance_record(
        appointment=appointment,
        attendance="cancelled_client",
        reason="Court hearing that day",
        reason_acceptable=True,
        by=diary.cast.coordinator,
    )
    appointment.refresh_from_db()
    assert (appointment.attendance, appointment.reason_acceptable) == ("cancelled_client", True)


def test_a_missed_or_cancelled_appointment_needs_a_reason_and_a_client_cancellation_a_judgement(diary):
    past = diary.book(starts_at=diary.at(days=-1))
    with pytest.raises(DiaryRefused) as no_reason:
        services.attendance_record(appointment=past, attendance="dna", by=diary.cast.coordinator)
    assert no_reason.value.field == "reason"
    with pytest.raises(DiaryRefused) as no_judgement:
        services.attendance_record(
            appointment=past, attendance="cancelled_client", reason="Overslept", by=diary.cast.coordinator
        )
    assert no_judgement.value.field == "reason_acceptable"
    services.attendance_record(
        appointment=past, attendance="dna", reason="No contact", reason_acceptable=False, by=diary.cast.coordinator
    )
    past.refresh_from_db()
    assert (past.attendance, past.cancellation_reason, past.reason_acceptable) == ("dna", "No contact", False)
    assert past.attendance_recorded_by == diary.cast.coordinator


def test_attended_clears_any_reason_and_booked_is_not_an_outcome(diary):
    past = diary.book(starts_at=diary.at(days=-1))
    services.attendance_record(
        appointment=past, attendance="late", reason="Bus", reason_acceptable=True, by=diary.cast.clinician
    )
    past.refresh_from_db()
    assert (past.attendance, past.cancellation_reason, past.reason_acceptable) == ("late", "", None)
    with pytest.raises(DiaryRefused):
        services.attendance_record(appointment=past, attendance="booked", by=diary.cast.clinician)


def test_only_diary_staff_with_the_case_record_attendance(diary):
    past = diary.book(starts_at=diary.at(days=-1))
    for outsider in (diary.cast.other_clinician, diary.cast.researcher):
        with pytest.raises(PermissionDenied):
            services.attendance_record(appointment=past, attendance="attended", by=outsider)


# --- Session notes -----------------------------------------------------------------------------------------


def _attended(diary):
    past = diary.book(starts_at=diary.at(days=-1, hour=11))
    services.attendance_record(appointment=past, attendance="attended", by=diary.cast.clinician)
    return past


def test_a_session_note_becomes_a_case_note_with_its_modules_and_risk_factors(diary):
    appointment = _attended(diary)
    note = services.session_note_add(
        appointment=appointment,
        modules=["rumination"],
        risk_factors=["rumination", "loneliness"],
        text="Worked on a thought record about the victim's new partner.",
        by=diary.cast.clinician,
    )
    case_note = CaseNote.objects.get(pk=note.case_note_id)
    assert case_note.case == diary.case and case_note.kind == "client_contact"
    assert case_note.contact_on == diary.at(days=-1).date()
    assert case_note.contact_time == dt.time(11, 0)
    assert "Managing rumination" in case_note.text
    assert "Loneliness and social isolation" in case_note.text
    assert "thought record" in case_note.text
    assert (note.modules, note.risk_factors) == (["rumination"], ["rumination", "loneliness"])


def test_a_session_note_is_refused_before_attendance_with_unknown_codes_or_twice(diary):
    booked = diary.book(starts_at=diary.at(days=-2))
    with pytest.raises(DiaryRefused):
        services.session_note_add(appointment=booked, text="Too soon", by=diary.cast.clinician)
    appointment = _attended(diary)
    with pytest.raises(DiaryRefused) as bad_module:
        services.session_note_add(appointment=appointment, modules=["nope"], text="x", by=diary.cast.clinician)
    assert bad_module.value.field == "modules"
    with pytest.raises(DiaryRefused) as bad_factor:
        services.session_note_add(appointment=appointment, risk_factors=["nope"], text="x", by=diary.cast.clinician)
    assert bad_factor.value.field == "risk_factors"
    services.session_note_add(appointment=appointment, text="Session one", by=diary.cast.clinician)
    with pytest.raises(DiaryRefused):
        services.session_note_add(appointment=appointment, text="Again", by=diary.cast.clinician)
    assert CaseNote.objects.filter(case=diary.case).count() == 1


def test_the_coordinator_records_attendance_but_writes_no_session_note(diary):
    appointment = _attended(diary)
    with pytest.raises(PermissionDenied):
        services.session_note_add(appointment=appointment, text="Not hers", by=diary.cast.coordinator)


# --- Rooms and the compliance hook ---------------------------------------------------------------------------


def test_rooms_are_added_by_leads_and_the_coordinator_once_by_name(diary):
    with pytest.raises(DiaryRefused) as duplicate:
        services.room_add(name="room 1", by=diary.cast.coordinator)
    assert duplicate.value.field == "name"
    assert services.room_add(name="Room 3", site="Annex", by=diary.cast.coordinator).site == "Annex"
    with pytest.raises(PermissionDenied):
        services.room_add(name="Room 4", by=diary.cast.clinician)


def test_a_second_unacceptable_absence_recorded_in_the_diary_raises_a_compliance_notice(diary):
    from casework.treatment.models import ComplianceNotice

    first = diary.book(starts_at=diary.at(days=-8, hour=10))
    second = diary.book(starts_at=diary.at(days=-1, hour=14))
    assessment = diary.book(starts_at=diary.at(days=-2, hour=9), kind="assessment")
    assessment.enrolment = None
    for appointment in (first, second):
        assert appointment.enrolment_id is not None
    services.attendance_record(appointment=first, attendance="dna", reason="No reply", by=diary.cast.clinician)
    assert not ComplianceNotice.objects.exists()
    services.attendance_record(appointment=second, attendance="dna", reason="No reply", by=diary.cast.clinician)
    notice = ComplianceNotice.objects.get()
    assert notice.enrolment_id == first.enrolment_id and set(notice.absences.all()) == {first, second}


def test_a_disabled_clinician_cannot_be_booked(diary):
    gone = UserFactory(role=Role.CLINICAL_LEAD, is_active=False, full_name="Gone Lead")
    with pytest.raises(DiaryRefused):
        diary.book(starts_at=diary.at(), clinician=gone)


def test_the_lead_clinician_records_attendance_of_an_appointment_outside_any_enrolment(diary):
    assessment = diary.book(starts_at=diary.at(days=-1), kind="assessment")
    assessment.enrolment = None
    assessment.save()
    services.attendance_record(appointment=assessment, attendance="attended", by=diary.cast.clinician)
    assessment.refresh_from_db()
    assert assessment.attendance == "attended"
