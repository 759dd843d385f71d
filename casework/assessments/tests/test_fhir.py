"""A signed assessment exports as a FHIR R4 RiskAssessment with a prediction per outcome, its plan
as a CarePlan, and a minimal Patient; every resource parses and validates with fhir.resources."""

from __future__ import annotations

import json

from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.riskassessment import RiskAssessment

from casework.assessments.fhir import NHS_NUMBER_SYSTEM, RISK_PROBABILITY
from casework.assessments.tests import factories
from casework.audit.models import AuditEvent


def _export(client, assessment):
    return client.get(reverse("assessments:fhir", args=[assessment.case.reference, assessment.pk]))


def test_a_signed_assessment_and_its_plan_export_as_valid_fhir(world, cast, client_for):
    world.subject.nhs_number = "943 476 5919"
    world.subject.save()
    assessment = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    factories.planned(assessment, cast.clinician, due_in=7)
    response = _export(client_for(cast.clinician), assessment)
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate(json.loads(response.content))
    resources = {entry.resource.__resource_type__: entry.resource for entry in bundle.entry}
    patient = Patient.model_validate(resources["Patient"].model_dump())
    assert patient.identifier[0].system == NHS_NUMBER_SYSTEM and patient.identifier[0].value == "9434765919"
    assert not patient.name and not patient.address and not patient.birthDate
    risk = RiskAssessment.model_validate(resources["RiskAssessment"].model_dump())
    outcomes = {p.outcome.coding[0].code: p.qualitativeRisk.coding[0] for p in risk.prediction}
    assert set(outcomes) == {"violence", "persistence", "recurrence", "psychosocial_damage"}
    assert outcomes["violence"].code == "moderate" and outcomes["violence"].system == RISK_PROBABILITY
    assert risk.status == "final" and risk.subject.reference == f"Patient/{world.subject.reference}"
    care = CarePlan.model_validate(resources["CarePlan"].model_dump())
    assert care.activity[0].detail.description == "Weekly probation appointments"
    assert care.activity[0].detail.status == "not-started"
    assert AuditEvent.objects.filter(action="export", object_id=str(world.case.pk)).exists()


def test_a_person_without_an_nhs_number_is_identified_by_the_clinic_reference(world, cast, client_for):
    assessment = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    bundle = Bundle.model_validate(json.loads(_export(client_for(cast.clinician), assessment).content))
    patient = next(e.resource for e in bundle.entry if e.resource.__resource_type__ == "Patient")
    assert patient.identifier[0].value == world.subject.reference
    assert len(bundle.entry) == 2  # no plan yet: no CarePlan


def test_a_draft_does_not_export(world, cast, client_for):
    draft = factories.draft(world.case, cast.clinician)
    assert _export(client_for(cast.clinician), draft).status_code == 403
