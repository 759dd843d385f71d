"""Reports issued to the organisation (listed, downloaded as a release, never another's), and the
FHIR R4 reads, each validated with fhir.resources."""

from __future__ import annotations

import pytest
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Status
from casework.referrals.tests.factories import ReferralFactory
from casework.reports.models import DisclosureEntry
from casework.reports.tests.conftest import build
from casework.reports.tests.issued import PDF_BYTES, make_issued, report_on


@pytest.fixture
def issued_world(cast):
    rworld = build(cast)
    report = report_on(rworld.case, by=cast.clinician, source_referral=rworld.referral)
    ours = make_issued(report, recipient=cast.organisation, by=cast.clinician)
    theirs = make_issued(
        report_on(rworld.case, by=cast.clinician, report_type="mappa"),
        recipient=cast.other_organisation,
        by=cast.clinician,
        side="probation",
        recipient_name="Probation Officer Pat",
    )
    return rworld, ours, theirs


def test_the_organisation_lists_and_downloads_only_its_own_reports(cast, api, other_api, issued_world):
    rworld, ours, theirs = issued_world
    listed = api.get("/api/v1/reports/")
    assert listed.status_code == 200
    rows = listed.json()["results"]
    assert [r["id"] for r in rows] == [ours.pk]
    assert rows[0]["pdf_url"] == f"/api/v1/reports/{ours.pk}/pdf/"
    assert rworld.case.reference not in listed.content.decode()
    pdf = api.get(f"/api/v1/reports/{ours.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content == PDF_BYTES
    assert DisclosureEntry.objects.filter(issued_report=ours).exists()
    refused = api.get(f"/api/v1/reports/{theirs.pk}/pdf/")
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(action=Action.REFUSED, object_type="reports.issuedreport").exists()
    assert [r["id"] for r in other_api.get("/api/v1/reports/").json()["results"]] == [theirs.pk]


def test_a_referral_as_a_fhir_service_request(cast, api):
    referral = ReferralFactory(status=Status.AWAITING_INFORMATION, referring_organisation=cast.organisation)
    response = api.get(f"/api/v1/fhir/ServiceRequest/{referral.reference}")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    resource = ServiceRequest.model_validate_json(response.content)
    assert resource.id == referral.reference and resource.status == "on-hold" and resource.intent == "order"
    assert resource.subject.reference == f"Patient/{referral.reference}-subject"
    patient = api.get(f"/api/v1/fhir/Patient/{referral.reference}-subject")
    assert patient.status_code == 200
    minimal = Patient.model_validate_json(patient.content)
    assert minimal.id == f"{referral.reference}-subject"
    assert minimal.name is None and minimal.birthDate is None and minimal.address is None
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(referral.pk)).count() == 2


def test_fhir_resources_of_another_organisation_are_not_found(cast, api):
    theirs = ReferralFactory(referring_organisation=cast.other_organisation)
    assert api.get(f"/api/v1/fhir/ServiceRequest/{theirs.reference}").status_code == 404
    assert api.get(f"/api/v1/fhir/Patient/{theirs.reference}-subject").status_code == 404


def test_the_schema_and_its_page_are_served(db, client):
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/referrals/" in document["paths"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200 and "/api/v1/referrals/{reference}/answer/" in page.content.decode()
