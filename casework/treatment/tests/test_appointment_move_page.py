"""Moving a booked appointment from its page: the form filled in with where and when it is now, a
clash refused by the field it concerns with what was typed kept, only a booked appointment moved,
only by those who may book, and a moved appointment's invitation shown as not yet sent."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.treatment.models import Appointment
from casework.treatment.services import diary as services
from casework.treatment.tests.diary_fixtures import Diary, make_diary

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(cast) -> Diary:
    return make_diary(cast)


def _url(name: str, appointment) -> str:
    return reverse(f"treatment:{name}", args=[appointment.case.reference, appointment.pk])


def _move_post(diary, *, days: int = 5, time: str = "14:00", **more) -> dict:
    day = diary.at(days=days)
    data = {
        "clinician": str(diary.cast.clinician.pk),
        "day_day": str(day.day),
        "day_month": str(day.month),
        "day_year": str(day.year),
        "time": time,
        "minutes": "50",
        "place_kind": "clinic_room",
        "room": str(diary.room.pk),
        "place_detail": "",
    }
    data.update(more)
    return data


def test_the_move_form_is_filled_in_with_the_appointments_time_clinician_and_place(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=9, minute=15), minutes=45, room=diary.room2)
    page = client_for(diary.cast.coordinator).get(_url("appointment_move", appointment))
    assert page.status_code == 200
    html = page.content.decode()
    day = diary.at(days=3)
    assert f'name="day_day" type="text" value="{day.day}"' in html
    assert f'name="day_year" type="text" value="{day.year}"' in html
    assert 'value="09:15"' in html and 'value="45"' in html
    assert f'<option value="{diary.cast.clinician.pk}" selected' in html
    assert f'<option value="{diary.room2.pk}" selected' in html
    assert 'value="clinic_room" checked' in html
    assert 'name="kind"' not in html  # a move keeps the kind


def test_a_booked_appointment_is_moved_and_the_banner_says_to_when(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    client = client_for(diary.cast.coordinator)
    response = client.post(_url("appointment_move", appointment), _move_post(diary, room=str(diary.room2.pk)))
    assert response.status_code == 302 and response["Location"] == _url("appointment_detail", appointment)
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=5, hour=14)
    assert appointment.minutes == 50 and appointment.room == diary.room2
    day = diary.at(days=5)
    page = client.get(response["Location"]).content.decode()
    assert f"Appointment moved to {day.day} {day:%B %Y} at 2:00pm, Room 2, The clinic" in page


def test_a_move_to_a_video_call_leaves_the_room_free(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    response = client_for(diary.cast.clinician).post(
        _url("appointment_move", appointment), _move_post(diary, days=3, time="10:00", place_kind="video")
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.place_kind == "video" and appointment.room is None
    diary.book(starts_at=diary.at(days=3, hour=10), clinician=diary.cast.clinical_lead)  # Room 1 is free


def test_a_clash_names_the_clinicians_other_time_and_keeps_what_was_typed(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    diary.book(starts_at=diary.at(days=5, hour=13, minute=30), room=diary.room2)
    response = client_for(diary.cast.coordinator).post(
        _url("appointment_move", appointment), _move_post(diary, time="14:00", minutes="45")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Clare Clinician already has an appointment from 13:30 to 14:30" in html
    assert 'href="#id_time"' in html  # by the start time, in the error summary
    assert 'value="14:00"' in html and 'value="45"' in html
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=3, hour=10)


def test_a_room_taken_at_the_new_time_is_refused_by_the_room(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    diary.book(starts_at=diary.at(days=5, hour=14), clinician=diary.cast.clinical_lead, room=diary.room2)
    response = client_for(diary.cast.coordinator).post(
        _url("appointment_move", appointment), _move_post(diary, room=str(diary.room2.pk))
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Room 2 is booked from 14:00 to 15:00" in html and 'href="#id_room"' in html


def test_moving_over_its_own_time_is_no_clash(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    response = client_for(diary.cast.coordinator).post(
        _url("appointment_move", appointment), _move_post(diary, days=3, time="10:30")
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=3, hour=10, minute=30)


def test_bad_input_is_refused_by_its_field_and_nothing_moves(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    response = client_for(diary.cast.coordinator).post(
        _url("appointment_move", appointment), _move_post(diary, time="25:00", minutes="2")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Start time must be a real time, like 14:30" in html and "The length must be at least 5 minutes" in html
    assert 'value="25:00"' in html
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=3, hour=10) and appointment.minutes == 60


def test_an_attended_or_cancelled_appointment_cannot_be_moved_and_the_page_says_why(diary, client_for):
    attended = diary.book(starts_at=diary.at(days=-1, hour=10))
    services.attendance_record(appointment=attended, attendance="attended", by=diary.cast.clinician)
    cancelled = diary.book(starts_at=diary.at(days=2, hour=10))
    services.appointment_cancel(
        appointment=cancelled, by_client=False, reason="Clinician ill", by=diary.cast.coordinator
    )
    client = client_for(diary.cast.coordinator)
    for appointment, state in ((attended, "attended"), (cancelled, "cancelled by the clinic")):
        page = client.get(_url("appointment_move", appointment))
        assert page.status_code == 200
        html = page.content.decode()
        assert "This appointment cannot be moved" in html and f"({state})" in html
        assert "Move the appointment</button>" not in html and 'name="time"' not in html
        detail = client.get(_url("appointment_detail", appointment)).content.decode()
        assert "Move this appointment" not in detail
        before = appointment.starts_at
        refused = client.post(_url("appointment_move", appointment), _move_post(diary))
        assert refused.status_code == 400
        appointment.refresh_from_db()
        assert appointment.starts_at == before


def test_the_appointment_page_links_to_the_move_for_whoever_may_book(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    for user in (diary.cast.coordinator, diary.cast.clinician, diary.cast.clinical_lead):
        html = client_for(user).get(_url("appointment_detail", appointment)).content.decode()
        assert f'href="{_url("appointment_move", appointment)}"' in html and "Move this appointment" in html


@pytest.mark.parametrize("role", ["other_clinician", "finance", "researcher", "sysadmin", "agency"])
def test_nobody_else_may_open_or_post_the_move(diary, client_for, role):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    client = client_for(diary.cast.by_name(role))
    assert client.get(_url("appointment_move", appointment)).status_code in (403, 404)
    assert client.post(_url("appointment_move", appointment), _move_post(diary)).status_code in (403, 404)
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=3, hour=10)


def test_signed_out_the_move_asks_to_sign_in(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    response = client_for(None).post(_url("appointment_move", appointment), _move_post(diary))
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == diary.at(days=3, hour=10)


def test_a_moved_appointments_invitation_shows_as_not_yet_sent(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=3, hour=10))
    services.invitation_send(appointment=appointment, by=diary.cast.coordinator)
    client = client_for(diary.cast.coordinator)
    assert "Send the invitation again" in client.get(_url("appointment_detail", appointment)).content.decode()
    assert "send the invitation again" in client.get(_url("appointment_move", appointment)).content.decode()
    response = client.post(_url("appointment_move", appointment), _move_post(diary), follow=True)
    html = response.content.decode()
    assert "The invitation sent before has the old time: send it again" in html
    assert "Not yet sent" in html and "Send the invitation to Clare Clinician" in html
    assert Appointment.objects.get(pk=appointment.pk).invitation_sent_at is None
