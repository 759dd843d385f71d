"""Treatment in a real browser, as the case's clinician: enrolled in a programme, an appointment
booked through the form, the week pages, attendance recorded and the session's note written, and a
second appointment moved (a clash refused first); every treatment page passes axe (no serious or
critical finding, nothing outside the landmarks)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from casework.accounts.tests.factories import TrainingRecordFactory, UserFactory
from casework.cases.tests.factories import make_case
from casework.core.roles import Role
from casework.treatment.models import Appointment, Enrolment, SessionNote
from casework.treatment.services import diary as diary_services
from casework.treatment.tests.enrolment_helpers import order_on, probation
from conftest import signed_in_client
from tests.system.axe import axe_problems

pytestmark = pytest.mark.system


@pytest.fixture
def open_as(chromium, live_server, audit_log_flushable):
    contexts = []

    def open_page(user) -> Page:
        session = signed_in_client(user).cookies[settings.SESSION_COOKIE_NAME].value
        context = chromium.new_context(
            base_url=live_server.url,
            viewport={"width": 1280, "height": 900},
            locale="en-GB",
            timezone_id="Europe/London",
        )
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(20_000)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _fill_date(page: Page, prefix: str, day: dt.date) -> None:
    page.locator(f"#id_{prefix}_day").fill(str(day.day))
    page.locator(f"#id_{prefix}_month").fill(str(day.month))
    page.locator(f"#id_{prefix}_year").fill(str(day.year))


def _book(page: Page, reference: str, day: dt.date, time: str, problems: list[str] | None = None) -> None:
    page.goto(reverse("treatment:appointment_add", args=[reference]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Book an appointment")
    if problems is not None:
        problems += axe_problems(page)
    page.get_by_label("Treatment session").check()
    _fill_date(page, "day", day)
    page.locator("#id_time").fill(time)
    page.locator("#id_minutes").fill("60")
    page.get_by_label("Clinic room").check()
    page.locator("#id_room").select_option(label="Room 1 (The clinic)")
    page.get_by_role("button", name="Book the appointment").click()
    expect(page.get_by_test_id("appointment")).to_be_visible()


def test_a_clinician_enrols_books_records_a_session_and_moves_an_appointment(open_as):
    lead = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician", email="clare@nsc.example.nhs.uk")
    TrainingRecordFactory(user=clinician)
    case = make_case(lead=clinician, by=lead)
    ref = case.reference
    order_on(case, clinician)
    agency = probation()
    room = diary_services.room_add(name="Room 1", site="The clinic", by=lead)
    today = timezone.localdate()
    yesterday, later = today - dt.timedelta(days=1), today + dt.timedelta(days=7)
    page = open_as(clinician)
    problems: list[str] = []

    # Enrolled from the treatment overview.
    page.goto(reverse("treatment:overview", args=[ref]))
    expect(page.get_by_test_id("empty")).to_be_visible()
    problems += axe_problems(page)
    page.get_by_role("button", name="Enrol in treatment").click()
    problems += axe_problems(page)
    page.get_by_label("Stalking treatment programme (community)").check()
    page.get_by_label("Community order with a mental health treatment requirement").check()
    page.locator("#id_order").select_option(index=1)
    page.locator("#id_supervising_agency").select_option(label=agency.name)
    page.locator("#id_supervising_officer_name").fill("Pat Probation")
    page.locator("#id_supervising_officer_email").fill("pat.probation@example.org")
    _fill_date(page, "starts_on", today - dt.timedelta(days=14))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Stalking treatment programme (community)")
    assert Enrolment.objects.filter(case=case, status="active").count() == 1
    problems += axe_problems(page)

    # An appointment yesterday, booked through the form; then attendance and the session note.
    _book(page, ref, yesterday, "10:00", problems)
    past = Appointment.objects.get(case=case)
    problems += axe_problems(page)
    page.get_by_label("Attended", exact=True).check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_test_id("appointment")).to_contain_text("Attended")
    page.get_by_label("Engagement and formulation").check()
    page.get_by_label("Rumination and preoccupation with the victim").check()
    page.locator("#id_text").fill("Agreed the goals of the programme.")
    page.get_by_role("button", name="Save the session note").click()
    expect(page.get_by_test_id("session-note")).to_contain_text("Engagement and formulation")
    assert SessionNote.objects.filter(appointment=past).exists()
    problems += axe_problems(page)

    # The weeks: the clinician's and the room's.
    monday = (yesterday - dt.timedelta(days=yesterday.weekday())).isoformat()
    page.goto(reverse("diary:clinician", args=[clinician.pk]) + f"?week={monday}")
    expect(page.get_by_role("main")).to_contain_text(ref)
    problems += axe_problems(page)
    page.goto(reverse("diary:room", args=[room.pk]) + f"?week={monday}")
    expect(page.get_by_role("main")).to_contain_text(ref)
    problems += axe_problems(page)
    page.goto(reverse("treatment:notices", args=[ref]))
    problems += axe_problems(page)

    # A second appointment next week, moved: first onto yesterday's (refused, what was typed kept).
    _book(page, ref, later, "11:00")
    upcoming = Appointment.objects.get(case=case, starts_at__date__gt=today)
    page.get_by_role("link", name="Move this appointment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move the appointment")
    expect(page.locator("#id_time")).to_have_value("11:00")
    problems += axe_problems(page)
    _fill_date(page, "day", yesterday)
    page.locator("#id_time").fill("10:30")
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Clare Clinician already has an appointment from 10:00 to 11:00"
    )
    expect(page.locator("#id_time")).to_have_value("10:30")
    problems += axe_problems(page)
    _fill_date(page, "day", later)
    page.locator("#id_time").fill("15:30")
    page.get_by_role("button", name="Move the appointment").click()
    expect(page.get_by_text("Appointment moved to")).to_be_visible()
    expect(page.get_by_test_id("appointment")).to_contain_text("Not yet sent")
    upcoming.refresh_from_db()
    assert timezone.localtime(upcoming.starts_at).time() == dt.time(15, 30)
    problems += axe_problems(page)

    # The attended one cannot be moved: its page says why.
    page.goto(reverse("treatment:appointment_move", args=[ref, past.pk]))
    expect(page.get_by_test_id("not-movable")).to_be_visible()
    problems += axe_problems(page)
    assert not problems, "\n".join(problems)
