"""Therapy for the person who is stalked, through the treatment pages: started by consent on the
case's therapy page (no order, no officer), sessions on the diary with attendance and a note of the
areas of need addressed (not a stalker's risk factors), outcome measures at the start and the end,
and absences that never raise a compliance notice to anyone."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.cases.models import CaseNote
from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.treatment.models import ComplianceNotice, Enrolment, OutcomeMeasure
from casework.treatment.services import diary as diary_services
from casework.treatment.services import enrolment as services
from casework.victims.tests.helpers import victim_case


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def _therapy(cast, case):
    return services.enrol(
        case=case,
        programme_code="victim-recovery",
        legal_basis="voluntary",
        starts_on=timezone.localdate() - dt.timedelta(days=30),
        by=cast.clinician,
    )


def _session(cast, case, *, days: int, hour: int = 10):
    day = timezone.localdate() + dt.timedelta(days=days)
    return diary_services.appointment_book(
        case=case,
        kind="treatment",
        clinician=cast.clinician,
        place_kind="video",
        starts_at=dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone()),
        minutes=60,
        by=cast.coordinator,
    )


def test_the_victim_case_page_links_to_therapy(cast, client_for):
    case = victim_case(cast)
    page = client_for(cast.clinician).get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'data-testid="treatment-link"' in page and "Therapy sessions" in page


def test_therapy_is_started_by_consent_with_no_order_or_officer_on_the_form(cast, client_for):
    case = victim_case(cast)
    client = client_for(cast.clinician)
    overview = client.get(reverse("treatment:overview", args=[case.reference])).content.decode()
    assert "Start therapy" in overview and "Compliance notices" not in overview
    url = reverse("treatment:enrol", args=[case.reference])
    form = client.get(url).content.decode()
    assert "Recovery after stalking" in form
    assert "Stalking treatment programme" not in form and "Supervising officer" not in form
    refused = client.post(url, {"programme": "victim-recovery"})
    assert refused.status_code == 400 and "Enter start date" in refused.content.decode()
    assert 'value="victim-recovery" checked' in refused.content.decode()
    response = client.post(url, {"programme": "victim-recovery", **_date("starts_on", timezone.localdate())})
    enrolment = Enrolment.objects.get(case=case)
    assert response.status_code == 302 and enrolment.legal_basis == "voluntary" and enrolment.order is None
    detail = client.get(response["Location"]).content.decode()
    assert "By consent: no order, no supervising officer" in detail
    assert "Managing fear, hypervigilance and sleep" in detail and "Fear for their safety" in detail
    assert "Compliance notices" not in detail and "Supervising agency" not in detail


def test_a_perpetrator_programme_cannot_be_chosen_for_a_victim(cast, client_for):
    case = victim_case(cast)
    response = client_for(cast.clinician).post(
        reverse("treatment:enrol", args=[case.reference]),
        {"programme": "stalking-community", **_date("starts_on", timezone.localdate())},
    )
    assert response.status_code == 400 and "Select an answer from the list" in response.content.decode()
    assert not Enrolment.objects.filter(case=case).exists()


def test_a_session_note_records_the_areas_of_need_addressed(cast, client_for):
    case = victim_case(cast)
    _therapy(cast, case)
    appointment = _session(cast, case, days=-1)
    client = client_for(cast.clinician)
    url = reverse("treatment:attendance", args=[case.reference, appointment.pk])
    assert client.post(url, {"attendance": "attended"}).status_code == 302
    detail_url = reverse("treatment:appointment_detail", args=[case.reference, appointment.pk])
    page = client.get(detail_url).content.decode()
    assert "Areas of need addressed" in page and "Fear and hypervigilance" in page
    assert "Entitlement and grievance thinking" not in page
    note_url = reverse("treatment:session_note_add", args=[case.reference, appointment.pk])
    refused = client.post(note_url, {"risk_factors": ["entitlement"], "text": "Went over the plan."})
    assert refused.status_code == 400 and "Select areas of need from the list" in refused.content.decode()
    response = client.post(
        note_url,
        {"modules": ["fear-sleep"], "risk_factors": ["fear", "sleep_health"], "text": "Worked on a wind-down routine."},
    )
    assert response.status_code == 302
    note = CaseNote.objects.get(case=case)
    assert "Areas of need addressed: Fear and hypervigilance; Sleep and physical health." in note.text
    assert "Managing fear, hypervigilance and sleep" in note.text


def test_outcome_measures_are_taken_at_the_start_and_the_end(cast):
    case = victim_case(cast)
    enrolment = _therapy(cast, case)
    for stage, score in (("start", 8), ("end", 3)):
        services.outcome_record(
            enrolment=enrolment,
            measure="fear",
            stage=stage,
            score=score,
            taken_on=timezone.localdate(),
            by=cast.clinician,
        )
    assert list(OutcomeMeasure.objects.filter(enrolment=enrolment).values_list("stage", "score")) == [
        ("start", 8),
        ("end", 3),
    ]


def test_the_follow_up_after_therapy_asks_about_them_and_the_person_who_stalked_them(cast, client_for):
    case = victim_case(cast)
    enrolment = _therapy(cast, case)
    services.discharge(
        enrolment=enrolment,
        status="completed",
        reason="All sessions",
        discharged_on=timezone.localdate(),
        by=cast.clinician,
    )
    follow_up = enrolment.follow_ups.get(point=6)
    url = reverse("treatment:follow_up", args=[case.reference, enrolment.pk, follow_up.pk])
    client = client_for(cast.clinician)
    page = client.get(url).content.decode()
    assert "Stalked again since therapy ended" in page and "The person who stalked them convicted again" in page
    assert ">Reconvicted<" not in page
    refused = client.post(url, {**_date("done_on", timezone.localdate()), "re_referred": "no"})
    assert refused.status_code == 400
    assert "Select whether the person who stalked them was convicted again" in refused.content.decode()


def test_missed_therapy_sessions_never_raise_a_compliance_notice(cast, settings):
    settings.TREATMENT_COMPLIANCE_ABSENCES = 1
    case = victim_case(cast)
    _therapy(cast, case)
    for days in (-3, -2):
        appointment = _session(cast, case, days=days)
        diary_services.attendance_record(
            appointment=appointment, attendance="dna", reason="Did not come", by=cast.coordinator
        )
    assert not ComplianceNotice.objects.exists()
