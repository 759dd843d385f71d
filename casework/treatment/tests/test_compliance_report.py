"""The treatment compliance report, on demand for the court, the Parole Board or probation: a report
request of its own type, laid out and drawn from the treatment record (sessions offered, attended
and missed with the reasons, the modules covered, the notices), written, signed and issued through
the reports engine like any other report."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from casework.reports import services as report_services
from casework.reports.models import ReportSection
from casework.reports.services import drafting
from casework.treatment.services import diary as services
from casework.treatment.tests.diary_fixtures import Diary, make_diary


@pytest.fixture
def diary(cast) -> Diary:
    return make_diary(cast)


def _held(diary: Diary, days: int, attendance: str, **more):
    appointment = diary.book(starts_at=diary.at(days=days, hour=11), enrolment=diary.enrolment)
    services.attendance_record(appointment=appointment, attendance=attendance, by=diary.cast.clinician, **more)
    return appointment


def test_a_compliance_report_is_drawn_from_the_treatment_record_with_links(diary, client_for):
    attended = _held(diary, -21, "attended")
    services.session_note_add(
        appointment=attended,
        modules=["rumination"],
        risk_factors=["rumination"],
        text="Worked on rumination.",
        by=diary.cast.clinician,
    )
    _held(diary, -14, "late")
    _held(diary, -7, "dna", reason="Said he overslept")
    request_ = report_services.request_add(
        case=diary.case,
        report_type="compliance",
        due_on=timezone.localdate() + dt.timedelta(days=7),
        by=diary.cast.clinician,
    )
    report = drafting.report_start(request_=request_, by=diary.cast.clinician)
    sections = {s.key: s for s in ReportSection.objects.filter(report=report)}
    assert list(sections) == ["instructions", "attendance", "absences", "engagement", "summary"]
    counts = " ".join(s["text"] for s in sections["attendance"].statements)
    assert "Sessions offered up to" in counts and "Attended: 2 (of which late: 1)" in counts
    assert "Did not attend: 1" in counts
    absences = sections["absences"].statements
    assert len(absences) == 1 and "overslept" in absences[0]["text"] and "not accepted" in absences[0]["text"]
    engagement = " ".join(s["text"] for s in sections["engagement"].statements)
    assert "Managing rumination (1 session)" in engagement
    client: Client = client_for(diary.cast.clinician)
    for statement in (*sections["attendance"].statements, *absences):
        assert client.get(statement["source"]["path"]).status_code == 200
    assert "Worked on rumination" not in str([s.statements for s in sections.values()])  # no clinical note


def test_a_case_without_treatment_gets_an_empty_layout_not_an_error(cast):
    from casework.cases.tests.factories import make_case

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    request_ = report_services.request_add(case=case, report_type="compliance", by=cast.clinician)
    report = drafting.report_start(request_=request_, by=cast.clinician)
    assert not ReportSection.objects.get(report=report, key="attendance").statements


def test_the_enrolment_page_asks_for_a_compliance_report_with_the_type_chosen(diary, client_for):
    from django.urls import reverse

    client = client_for(diary.cast.clinician)
    page = client.get(reverse("treatment:enrolment", args=[diary.case.reference, diary.enrolment.pk])).content.decode()
    link = reverse("reports:add", args=[diary.case.reference]) + "?report_type=compliance"
    assert link in page
    form = client.get(link).content.decode()
    assert 'value="compliance" checked' in form
