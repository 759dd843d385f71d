"""The diary pages: booking, a case's appointments, attendance and session notes, the ICS file and
the invitation, the weeks (Busy across the barrier, a fixed number of queries) and the rooms."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from casework.cases.models import CaseNote
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat
from casework.treatment.models import Appointment, Room
from casework.treatment.tests.diary_fixtures import Diary, make_diary

pytestmark = pytest.mark.django_db


@pytest.fixture
def diary(cast) -> Diary:
    return make_diary(cast)


def _url(name, appointment, **more):
    return reverse(f"treatment:{name}", args=[appointment.case.reference, appointment.pk])


def _book_post(diary, **more):
    day = diary.at(days=3)
    data = {
        "kind": "treatment",
        "clinician": str(diary.cast.clinician.pk),
        "day_day": str(day.day),
        "day_month": str(day.month),
        "day_year": str(day.year),
        "time": "10:00",
        "minutes": "60",
        "place_kind": "clinic_room",
        "room": str(diary.room.pk),
        "place_detail": "",
    }
    data.update(more)
    return data


def test_the_coordinator_books_an_appointment_from_the_case(diary, client_for):
    client = client_for(diary.cast.coordinator)
    url = reverse("treatment:appointment_add", args=[diary.case.reference])
    assert client.get(url).status_code == 200
    response = client.post(url, _book_post(diary))
    appointment = Appointment.objects.get(case=diary.case)
    assert response.status_code == 302 and response["Location"] == _url("appointment_detail", appointment)
    assert appointment.starts_at == diary.at(days=3, hour=10) and appointment.room == diary.room
    listing = client.get(reverse("treatment:appointments", args=[diary.case.reference]))
    assert listing.status_code == 200 and "Room 1" in listing.content.decode()


def test_a_clash_is_shown_by_the_time_and_keeps_what_was_typed(diary, client_for):
    diary.book(starts_at=diary.at(days=3, hour=9, minute=30))
    client = client_for(diary.cast.coordinator)
    response = client.post(reverse("treatment:appointment_add", args=[diary.case.reference]), _book_post(diary))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Clare Clinician already has an appointment from 09:30 to 10:30" in page
    assert 'value="10:00"' in page


def test_a_clinic_room_booking_without_a_room_is_refused_by_the_room_field(diary, client_for):
    client = client_for(diary.cast.coordinator)
    response = client.post(
        reverse("treatment:appointment_add", args=[diary.case.reference]), _book_post(diary, room="")
    )
    assert response.status_code == 400
    assert "Select the room" in response.content.decode()


def test_attendance_and_the_session_note_through_the_appointment_page(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=-1, hour=11))
    clinician = client_for(diary.cast.clinician)
    refused = clinician.post(_url("attendance", appointment), {"attendance": "cancelled_client", "reason": "Ill"})
    assert refused.status_code == 400 and "Select whether the reason is acceptable" in refused.content.decode()
    assert clinician.post(_url("attendance", appointment), {"attendance": "attended"}).status_code == 302
    page = clinician.get(_url("appointment_detail", appointment)).content.decode()
    assert "Managing rumination" in page and "Save the session note" in page
    response = clinician.post(
        _url("session_note_add", appointment),
        {"modules": ["engagement"], "risk_factors": ["entitlement"], "text": "Set goals for the programme."},
    )
    assert response.status_code == 302
    note = CaseNote.objects.get(case=diary.case)
    assert "Set goals for the programme." in note.text and "Engagement and goals" in note.text
    page = clinician.get(_url("appointment_detail", appointment)).content.decode()
    assert "Entitlement and grievance thinking" in page


def test_the_coordinator_sees_no_session_note_and_no_note_form(diary, client_for):
    from casework.treatment.services import diary as services

    appointment = diary.book(starts_at=diary.at(days=-1, hour=11))
    services.attendance_record(appointment=appointment, attendance="attended", by=diary.cast.clinician)
    services.session_note_add(
        appointment=appointment, risk_factors=["loneliness"], text="Clinical words", by=diary.cast.clinician
    )
    page = client_for(diary.cast.coordinator).get(_url("appointment_detail", appointment)).content.decode()
    assert "Loneliness" not in page and "Save the session note" not in page
    assert "Save attendance" in page


def test_the_ics_file_has_the_appointments_times_and_no_client(diary, client_for):
    appointment = diary.book(starts_at=diary.at(days=4, hour=14, minute=15), minutes=50)
    response = client_for(diary.cast.clinician).get(_url("appointment_ics", appointment))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == appointment.starts_at
    assert event.decoded("dtend") == appointment.starts_at + (appointment.ends_at - appointment.starts_at)
    assert (event.decoded("dtend") - event.decoded("dtstart")).total_seconds() == 50 * 60
    assert diary.case.reference in str(event.get("summary"))
    assert str(event.get("location")) == "Room 1, The clinic"
    text = response.content.decode()
    assert diary.case.subject.given_name not in text and diary.case.subject.family_name not in text


def test_the_invitation_is_emailed_to_the_clinician_with_the_ics_attached(
    diary, client_for, django_capture_on_commit_callbacks
):
    appointment = diary.book(starts_at=diary.at(days=4, hour=9), place_kind="prison", room=None, place_detail="HMP Y")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(diary.cast.coordinator).post(_url("invite", appointment))
    assert response.status_code == 302
    [message] = mail.outbox
    assert message.to == ["clinician@nsc.example.nhs.uk"]
    assert diary.case.reference in message.subject
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    [event] = Calendar.from_ical(content).walk("VEVENT")
    assert event.decoded("dtstart") == appointment.starts_at
    everything = message.subject + message.body + (content.decode() if isinstance(content, bytes) else content)
    assert diary.case.subject.family_name not in everything
    assert "Prison visit: HMP Y" in message.body
    appointment.refresh_from_db()
    assert appointment.invitation_sent_at is not None


def _barrier_world(diary):
    """An appointment of Oscar Other on his own case, in Room 1: Clare may not read that case."""
    other_case = make_case(lead=diary.cast.other_clinician, by=diary.cast.clinical_lead)
    theirs = diary.book(
        case=other_case, clinician=diary.cast.other_clinician, starts_at=diary.at(days=1, hour=14), room=diary.room
    )
    mine = diary.book(starts_at=diary.at(days=1, hour=10))
    return other_case, theirs, mine


def test_a_rooms_week_shows_busy_without_the_case_the_viewer_may_not_read(diary, client_for):
    other_case, theirs, mine = _barrier_world(diary)
    response = client_for(diary.cast.clinician).get(
        reverse("diary:room", args=[diary.room.pk]), {"week": diary.at(days=1).date().isoformat()}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('data-testid="busy"') == 1
    assert diary.case.reference in page and _url("appointment_detail", mine) in page
    assert other_case.reference not in page and _url("appointment_detail", theirs) not in page
    assert "Oscar Other</td>" not in page
    assert "2:00pm to 3:00pm" in page


def test_a_clinicians_week_shows_her_appointments_on_unreadable_cases_as_busy(diary, client_for):
    other_case, theirs, _ = _barrier_world(diary)
    page = (
        client_for(diary.cast.clinician)
        .get(
            reverse("diary:clinician", args=[diary.cast.other_clinician.pk]),
            {"week": diary.at(days=1).date().isoformat()},
        )
        .content.decode()
    )
    assert 'data-testid="busy"' in page and other_case.reference not in page
    own = client_for(diary.cast.other_clinician).get(
        reverse("diary:week"), {"week": diary.at(days=1).date().isoformat()}
    )
    assert other_case.reference in own.content.decode()


def test_previous_and_next_week_links(diary, client_for):
    page = client_for(diary.cast.clinician).get(reverse("diary:week"), {"week": "2026-12-09"}).content.decode()
    assert "?week=2026-11-30" in page and "?week=2026-12-14" in page and "7 December 2026" in page


def test_week_pages_take_the_same_number_of_queries_however_full(diary, client_for):
    other_case = make_case(lead=diary.cast.other_clinician, by=diary.cast.clinical_lead)
    client = client_for(diary.cast.clinician)
    state = {"hour": 8}

    def grow():
        for _ in range(3):
            state["hour"] += 1
            diary.book(starts_at=diary.at(days=1, hour=state["hour"]))
            diary.book(
                case=other_case,
                clinician=diary.cast.other_clinician,
                starts_at=diary.at(days=2, hour=state["hour"]),
            )

    grow()
    week = {"week": diary.at(days=1).date().isoformat()}
    assert_page_queries_flat(client, reverse("diary:room", args=[diary.room.pk]), data=week, grow=grow)
    assert_page_queries_flat(client, reverse("diary:week"), data=week, grow=grow)
    assert_page_queries_flat(
        client, reverse("diary:clinician", args=[diary.cast.other_clinician.pk]), data=week, grow=grow
    )


def test_the_coordinators_diary_lists_clinicians_and_rooms(diary, client_for):
    page = client_for(diary.cast.coordinator).get(reverse("diary:week")).content.decode()
    assert "Clare Clinician" in page and "Room 2" in page


def test_rooms_are_added_on_the_rooms_page_by_whoever_manages_them(diary, client_for):
    lead = client_for(diary.cast.clinical_lead)
    response = lead.post(reverse("diary:rooms"), {"name": "Room 3", "site": "Annex"})
    assert response.status_code == 302 and Room.objects.filter(name="Room 3").exists()
    duplicate = lead.post(reverse("diary:rooms"), {"name": "Room 3"})
    assert duplicate.status_code == 400 and "There is already a room called Room 3" in duplicate.content.decode()
    clinician = client_for(diary.cast.clinician)
    assert "Add the room" not in clinician.get(reverse("diary:rooms")).content.decode()
    assert clinician.post(reverse("diary:rooms"), {"name": "Room 9"}).status_code == 403


def test_the_header_offers_the_diary_to_diary_staff_only(diary, client_for):
    assert 'href="/diary/"' in client_for(diary.cast.coordinator).get("/").content.decode()
    assert 'href="/diary/"' not in client_for(diary.cast.finance).get("/").content.decode()
