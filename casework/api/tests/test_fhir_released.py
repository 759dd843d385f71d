"""FHIR RiskAssessment and CarePlan over the API: only the assessment released with a report issued
to the organisation (docs/adr/0023-agency-api.md), each resource validated with fhir.resources;
never a draft, an assessment no report was issued from, another organisation's, or one across an
information barrier (404, as problem details)."""

from __future__ import annotations

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.riskassessment import RiskAssessment

from casework.api.tests.conftest import api_client, make_token
from casework.api.tests.fhir_world import across_the_barrier, release
from casework.assessments.tests import factories as assessment_factories
from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat

FHIR = "/api/v1/fhir"


def _bundle(response) -> Bundle:
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "searchset" and bundle.total == len(bundle.entry or [])
    return bundle


def test_the_assessment_released_with_an_issued_report_is_read_as_risk_assessment_and_care_plan(cast, api):
    released = release(cast)
    reference = released.referral.reference
    response = api.get(f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    resource = RiskAssessment.model_validate_json(response.content)
    assert resource.status == "final" and resource.prediction
    assert resource.subject.reference == f"Patient/{reference}-subject"
    assert resource.basedOn.reference == f"ServiceRequest/{reference}"
    assert resource.performer is None and cast.clinician.full_name not in response.content.decode()
    assert released.case.subject.reference not in response.content.decode()
    plan = api.get(f"{FHIR}/CarePlan/plan-{released.plan.pk}")
    assert plan.status_code == 200
    care_plan = CarePlan.model_validate_json(plan.content)
    assert care_plan.subject.reference == f"Patient/{reference}-subject"
    assert care_plan.supportingInfo[0].reference == f"RiskAssessment/assessment-{released.assessment.pk}"
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(released.assessment.pk)).exists()
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(released.plan.pk)).exists()


def test_risk_assessments_and_care_plans_are_searched_by_patient_and_by_referral(cast, api):
    released = release(cast)
    reference = released.referral.reference
    for query in (
        {"patient": f"{reference}-subject"},
        {"patient": f"Patient/{reference}-subject"},
        {"based-on": f"ServiceRequest/{reference}"},
        {},
    ):
        bundle = _bundle(api.get(f"{FHIR}/RiskAssessment", query))
        assert [e.resource.id for e in bundle.entry] == [f"assessment-{released.assessment.pk}"], query
        assert bundle.entry[0].fullUrl.endswith(f"/api/v1/fhir/RiskAssessment/assessment-{released.assessment.pk}")
        plans = _bundle(api.get(f"{FHIR}/CarePlan", query))
        assert [e.resource.id for e in plans.entry] == [f"plan-{released.plan.pk}"], query
    for query in ({"patient": "REF-0000-00000-subject"}, {"patient": reference}, {"based-on": "ServiceRequest/x"}):
        assert _bundle(api.get(f"{FHIR}/RiskAssessment", query)).entry is None
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="assessments.assessment").exists()


def test_a_draft_or_an_assessment_no_report_was_issued_from_is_not_found(cast, api):
    released = release(cast)
    draft = assessment_factories.draft(released.case, cast.clinician)
    later = assessment_factories.signed(released.case, cast.clinician, cast.clinical_lead)  # after the issue
    unissued_case = make_case(lead=cast.clinician, by=cast.clinical_lead, referring_organisation=cast.organisation)
    unissued = assessment_factories.signed(unissued_case, cast.clinician, cast.clinical_lead)
    for assessment in (draft, later, unissued):
        response = api.get(f"{FHIR}/RiskAssessment/assessment-{assessment.pk}")
        assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert api.get(f"{FHIR}/RiskAssessment/{released.assessment.pk}").status_code == 404
    assert api.get(f"{FHIR}/CarePlan/assessment-{released.assessment.pk}").status_code == 404
    assert [e.resource.id for e in _bundle(api.get(f"{FHIR}/RiskAssessment")).entry] == [
        f"assessment-{released.assessment.pk}"
    ]
    assert AuditEvent.objects.filter(action=Action.REFUSED, object_type="assessments.assessment").exists()


def test_another_organisation_gets_404_and_an_empty_search(cast, other_api):
    released = release(cast)
    assert other_api.get(f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}").status_code == 404
    assert other_api.get(f"{FHIR}/CarePlan/plan-{released.plan.pk}").status_code == 404
    query = {"patient": f"{released.referral.reference}-subject"}
    assert _bundle(other_api.get(f"{FHIR}/RiskAssessment", query)).entry is None
    assert _bundle(other_api.get(f"{FHIR}/CarePlan")).entry is None


def test_a_report_issued_to_another_organisation_releases_nothing_to_this_one(cast, api):
    released = release(cast)
    released.issued.recipient = cast.other_organisation
    released.issued.save()
    assert api.get(f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}").status_code == 404


def test_the_reports_scope_is_needed(cast):
    released = release(cast)
    referrals_only = api_client(make_token(cast, scopes=["referrals:read"], name="Referrals only").secret)
    for url in (
        f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}",
        f"{FHIR}/CarePlan",
        f"{FHIR}/RiskAssessment",
    ):
        response = referrals_only.get(url)
        assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"


def test_an_assessment_across_an_information_barrier_is_hidden(cast, token, api):
    """The token's account sent Vera's referral (her victim case); Stan's case, referred by the same
    organisation and with a report issued to it, is across the barrier from that account: 404 and
    absent from searches. A token that sent nothing about Vera reads it."""
    stan = across_the_barrier(cast, token)
    released = release(cast, stan)
    assert api.get(f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}").status_code == 404
    assert api.get(f"{FHIR}/CarePlan/plan-{released.plan.pk}").status_code == 404
    assert _bundle(api.get(f"{FHIR}/RiskAssessment")).entry is None
    colleague = api_client(make_token(cast, name="Colleague system").secret)
    assert colleague.get(f"{FHIR}/RiskAssessment/assessment-{released.assessment.pk}").status_code == 200


def test_searches_take_as_many_queries_however_many_are_released(cast, api):
    release(cast)

    def grow():
        for _ in range(3):
            release(cast)

    assert_page_queries_flat(api, f"{FHIR}/RiskAssessment", grow=grow)
    assert_page_queries_flat(api, f"{FHIR}/CarePlan", grow=grow)
