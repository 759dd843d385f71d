"""A subject access request export: the person's own record (their sealed contact details, their
safety plan, the messages sent to them) for their case's team to check and send; what names or
describes someone else (incidents, notes, parties, …) is held back and only counted; the export is
audited; a lead from outside the team, and everyone else, is refused."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import IncidentFactory
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
    assert "Canaryincident" not in "".join(files.values())
    assert "- Incidents: 1." in files["held-back-for-review.txt"]
    # The readable copy escapes what it shows.
    assert "Go-bag at &lt;b&gt;her&lt;/b&gt; sister" in files["your-record.html"]
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="cases.case", object_id=str(case.pk))
    assert event.actor == cast.clinician and "Subject access request" in event.reason


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
