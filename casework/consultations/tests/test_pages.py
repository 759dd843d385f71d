"""The consultation's pages: the team records the agency's request, the meetings and the advice
(a form the rules refuse says why by its field and keeps what was typed), links to writing the
advice letter as a report and lists the letters issued; a case of another kind has no such pages;
other roles are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.cases.tests.factories import make_case
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.consultations.tests.helpers import MINUTES, consultation_case, consultation_request, meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    return consultation_case(cast)


def _date(prefix: str, day) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _request_post(cast, **overrides):
    data = {
        "agency": str(cast.organisation.pk),
        "officer_name": "DS Jo Pike",
        "officer_email": "jo.pike@example.police.uk",
        "question": "Should we warn him off or arrest now?",
        "material": "Crime report CR/1234",
        **_date("received_on", timezone.localdate()),
    }
    data.update(overrides)
    return data


def test_the_team_records_the_request_and_corrects_it(cast, client_for, case):
    client = client_for(cast.clinician)
    ref = case.reference
    assert "has not been recorded" in client.get(reverse("consultations:overview", args=[ref])).content.decode()
    response = client.post(reverse("consultations:request_edit", args=[ref]), _request_post(cast))
    assert response.status_code == 302
    found = ConsultationRequest.objects.get(case=case)
    assert found.agency == cast.organisation and found.officer_name == "DS Jo Pike" and found.status == "open"
    form = client.get(reverse("consultations:request_edit", args=[ref])).content.decode()
    assert "Should we warn him off" in form and "Crime report CR/1234" in form
    client.post(reverse("consultations:request_edit", args=[ref]), _request_post(cast, officer_name="DI Lee"))
    assert ConsultationRequest.objects.get(case=case).officer_name == "DI Lee"
    assert ConsultationRequest.objects.count() == 1
    page = client.get(reverse("consultations:overview", args=[ref])).content.decode()
    assert "Northshire Police" in page and "DI Lee" in page
    events = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
    assert events.filter(action="create").exists() and events.filter(action="update").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("agency", "", "Select the agency asking"),
        ("officer_name", "", "Enter the name of the officer asking"),
        ("officer_email", "not-an-email", "Enter an email address in the correct format"),
        ("question", "", "Enter the question asked"),
        ("question", "x" * 3001, "3,000"),
        ("received_on_year", str(timezone.localdate().year + 1), "Date received"),
    ],
)
def test_a_request_the_form_refuses_says_why_and_keeps_what_was_typed(cast, client_for, case, field, value, message):
    response = client_for(cast.clinician).post(
        reverse("consultations:request_edit", args=[case.reference]), _request_post(cast, **{field: value})
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert message.replace("'", "&#x27;") in page or message in page
    if field != "officer_name":
        assert "DS Jo Pike" in page
    assert not ConsultationRequest.objects.exists()


def test_a_meeting_is_recorded_and_shown_with_its_minutes(cast, client_for, case):
    client = client_for(cast.clinician)
    url = reverse("consultations:meeting_add", args=[case.reference])
    held = timezone.localdate()
    response = client.post(url, {**_date("held_on", held), "attendees": "DS Jo Pike\nDr Who", "minutes": MINUTES})
    assert response.status_code == 302
    found = ConsultationMeeting.objects.get(case=case)
    page = client.get(response["Location"]).content.decode()
    assert "DS Jo Pike" in page and "Minutes canary" in page
    overview = client.get(reverse("consultations:overview", args=[case.reference])).content.decode()
    assert reverse("consultations:meeting", args=[case.reference, found.pk]) in overview


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("attendees", "", "Enter who attended"),
        ("minutes", "", "Enter the minutes of the meeting"),
        ("held_on_day", "", "Date held"),
    ],
)
def test_a_meeting_the_form_refuses_says_why_and_keeps_what_was_typed(cast, client_for, case, field, value, message):
    data = {**_date("held_on", timezone.localdate()), "attendees": "DS Jo Pike", "minutes": "Kept minutes"}
    data[field] = value
    response = client_for(cast.clinician).post(reverse("consultations:meeting_add", args=[case.reference]), data)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert ("Kept minutes" in page) == (field != "minutes")
    assert not ConsultationMeeting.objects.exists()


def test_the_meetings_list_is_paginated(cast, client_for, case):
    for days in range(30):
        meeting(case, cast.clinician, days_ago=days + 1)
    client = client_for(cast.clinician)
    first = client.get(reverse("consultations:overview", args=[case.reference])).content.decode()
    second = client.get(reverse("consultations:overview", args=[case.reference]) + "?page=2").content.decode()
    assert first.count("/meetings/") < 30 and "page=2" in first
    assert "/meetings/" in second


def test_the_advice_is_recorded_and_the_letter_is_written_as_a_report(cast, client_for, case):
    consultation_request(case, cast.clinician, agency=cast.organisation)
    client = client_for(cast.clinician)
    url = reverse("consultations:advice", args=[case.reference])
    response = client.post(url, {"summary": "", **_date("given_on", timezone.localdate())})
    assert response.status_code == 400 and "Enter a summary of the advice given" in response.content.decode()
    response = client.post(url, {"summary": "Warn him off in writing", **_date("given_on", timezone.localdate())})
    assert response.status_code == 302
    found = ConsultationRequest.objects.get(case=case)
    assert found.advice_summary == "Warn him off in writing" and found.status == "advice_given"
    page = client.get(reverse("consultations:overview", args=[case.reference])).content.decode()
    assert "Warn him off in writing" in page and "No advice letter has been issued" in page
    letter_url = reverse("reports:add", args=[case.reference]) + "?report_type=consultation"
    assert letter_url in page
    form = client.get(letter_url).content.decode()
    assert 'value="consultation" checked' in form or 'value="consultation" selected' in form


def test_advice_before_the_request_is_sent_to_record_the_request(cast, client_for, case):
    response = client_for(cast.clinician).get(reverse("consultations:advice", args=[case.reference]))
    assert response.status_code == 302
    assert response["Location"] == reverse("consultations:request_edit", args=[case.reference])


def test_a_perpetrator_case_has_no_consultation_pages(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    assert client_for(cast.clinician).get(reverse("consultations:overview", args=[case.reference])).status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [("other_clinician", 404), ("coordinator", 403), ("finance", 404), ("researcher", 404), ("agency", 404)],
)
def test_others_are_refused(cast, client_for, case, role, status):
    consultation_request(case, cast.clinician, agency=cast.organisation)
    held = meeting(case, cast.clinician)
    client = client_for(cast.by_name(role))
    for name in ("overview", "request_edit", "meeting_add", "advice", "convert"):
        assert client.get(reverse(f"consultations:{name}", args=[case.reference])).status_code == status, name
    assert client.get(reverse("consultations:meeting", args=[case.reference, held.pk])).status_code == status
    response = client.post(
        reverse("consultations:meeting_add", args=[case.reference]),
        {**_date("held_on", timezone.localdate()), "attendees": "x", "minutes": "x"},
    )
    assert response.status_code == status
    assert client.post(reverse("consultations:convert", args=[case.reference])).status_code == status
    assert ConsultationMeeting.objects.count() == 1
    assert ConsultationRequest.objects.get().became_referral is None


def test_the_case_page_links_to_the_consultation(cast, client_for, case):
    page = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert reverse("consultations:overview", args=[case.reference]) in page
