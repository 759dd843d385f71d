"""A subject access request export: the person's own record (their sealed contact details, their
safety plan, the messages sent to them) for their case's team to check and send; what names or
describes someone else (incidents, notes, parties, …) is held back and only counted; the export is
audited; a lead from outside the team, and everyone else, is refused."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import IncidentFactory
from casework.treatment.models import Appointment
from casework.treatment.services import diary as diary_services
from casework.treatment.services import enrolment as enrolment_services
from casework.victims.models import VictimMessage
from casework.victims.tests.helpers import plan, victim_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    case = victim_case(cast)
    version = plan(case, cast.clinician, notes="Go-bag at <b>her</b> sister's")
    VictimMessage.objects.create(
        case=case, channel="sms", text="See you Tuesday", plan=version, reference="sar-1", created_by=cast.clinician
    )
    IncidentFactory(case=case, description="Canaryincident he waited by the school gates")
    return case


def _export(client, case) -> dict[str, str]:
    response = client.post(reverse("victims:subject_access", args=[case.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_team_exports_the_persons_own_record_and_holds_back_what_is_someone_elses(cast, client_for, case):
    client = client_for(cast.clinician)
    page = client.get(reverse("victims:subject_access", args=[case.reference])).content.decode()
    assert "Incidents" in page and "They describe the conduct" in page
    files = _export(client, case)
    assert set(files) == {"your-record.html", "your-record.json", "held-back-for-review.txt"}
    record = json.loads(files["your-record.json"])
    assert [a["Address"] for a in record["Addresses"]] == ["1 Quiet Road\nTesttown"]
    assert {e["Address"] for e in record["Email addresses"]} == {"unsafe@example.org", "safe@example.org"}
    assert record["Safety plan"][0]["Other parts of the plan"] == "Go-bag at <b>her</b> sister's"
    assert record["Messages we sent you"][0]["Message"] == "See you Tuesday"
    assert record["Safety plan"][0]["When"] == (
        "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, 00:00 to 23:59"
    )
    assert "Canaryincident" not in "".join(files.values())
    assert "- Incidents: 1." in files["held-back-for-review.txt"]
    # The readable copy escapes what it shows.
    assert "Go-bag at &lt;b&gt;her&lt;/b&gt; sister" in files["your-record.html"]
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="cases.case", object_id=str(case.pk))
    assert event.actor == cast.clinician and "Subject access request" in event.reason


def test_the_export_holds_their_therapy_and_holds_back_the_session_notes(cast, client_for, case):
    enrolment = enrolment_services.enrol(
        case=case,
        programme_code="victim-recovery",
        legal_basis="voluntary",
        starts_on=timezone.localdate() - dt.timedelta(days=14),
        by=cast.clinician,
    )
    enrolment_services.outcome_record(
        enrolment=enrolment, measure="fear", stage="start", score=8, taken_on=enrolment.starts_on, by=cast.clinician
    )
    session = Appointment.objects.create(
        case=case,
        enrolment=enrolment,
        kind="treatment",
        clinician=cast.clinician,
        place_kind="video",
        starts_at=timezone.now() - dt.timedelta(days=7),
        attendance="attended",
        created_by=cast.clinician,
    )
    diary_services.session_note_add(
        appointment=session, risk_factors=["fear"], text="Canarysession she talked about him", by=cast.clinician
    )
    files = _export(client_for(cast.clinician), case)
    record = json.loads(files["your-record.json"])
    assert record["Your therapy"] == [
        {
            "Programme": "Recovery after stalking (therapy for the person stalked)",
            "Started": enrolment.starts_on.strftime("%d/%m/%Y"),
            "Planned to end": None,
            "Status": "In treatment",
            "Ended": None,
        }
    ]
    (appointment,) = record["Your appointments"]
    assert appointment["How"] == "Video call" and appointment["What happened"] == "Attended"
    assert record["Your scores"] == [
        {"Measure": "Fear for their safety", "Stage": "Start", "Score": "8", "Taken": appointment_day(enrolment)}
    ]
    assert "Canarysession" not in "".join(files.values())
    assert "- Case notes: 1." in files["held-back-for-review.txt"]


def appointment_day(enrolment) -> str:
    return enrolment.starts_on.strftime("%d/%m/%Y")


@pytest.mark.parametrize(
    ("role", "status"),
    [("clinical_lead", 403), ("other_clinician", 404), ("coordinator", 403), ("finance", 404), ("agency", 404)],
)
def test_others_may_not_export(cast, client_for, case, role, status):
    client = client_for(cast.by_name(role))
    url = reverse("victims:subject_access", args=[case.reference])
    assert client.get(url).status_code == status
    assert client.post(url).status_code == status
    assert not AuditEvent.objects.filter(action=Action.EXPORT).exists()
