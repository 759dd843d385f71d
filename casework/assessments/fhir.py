"""A signed assessment as FHIR: a ``RiskAssessment`` (one ``prediction`` per outcome judged, with its
``qualitativeRisk`` and rationale), its plan as a ``CarePlan``, and a minimal ``Patient`` (the NHS
number where known, else the clinic's person reference; no name, address or date of birth: the
recipient has those, and what is not sent cannot leak), in a ``collection`` Bundle.

Built with ``fhir.resources``, so every resource is validated as it is made. Its ``R4B`` models are
used: for these three resources R4B (4.3) has the same elements as R4 (4.0.1), and the package's
default models are R5. Codes: the HL7 risk-probability code system for low / moderate / high; the
clinic's own code system for the outcomes (violence, persistence, recurrence, psychosocial damage),
which no published terminology names.
"""

from __future__ import annotations

import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.riskassessment import RiskAssessment

from casework.assessments.choices import ActionStatus, PlanArea
from casework.assessments.definitions import Definition

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
PERSON_SYSTEM = "https://nsc-casework.nhs.example/Id/person"
ASSESSMENT_SYSTEM = "https://nsc-casework.nhs.example/Id/assessment"
OUTCOME_SYSTEM = "https://nsc-casework.nhs.example/CodeSystem/stalking-risk-outcome"
PLAN_AREA_SYSTEM = "https://nsc-casework.nhs.example/CodeSystem/risk-management-heading"
RISK_PROBABILITY = "http://terminology.hl7.org/CodeSystem/risk-probability"
ACTIVITY_STATUS = {
    ActionStatus.PLANNED: "not-started",
    ActionStatus.IN_PROGRESS: "in-progress",
    ActionStatus.DONE: "completed",
    ActionStatus.NOT_DONE: "stopped",
}


def patient(person) -> Patient:
    if person.nhs_number:
        identifier = {"system": NHS_NUMBER_SYSTEM, "value": person.nhs_number.replace(" ", "")}
    else:
        identifier = {"system": PERSON_SYSTEM, "value": person.reference}
    return Patient.model_validate({"id": person.reference, "identifier": [identifier]})


def risk_assessment(
    assessment, definition: Definition, *, subject: str = "", based_on: str = "", performer: bool = True
) -> RiskAssessment:
    """``subject`` replaces the reference to the person's own Patient (an agency's API names the
    person by its referral's Patient); ``based_on`` names the request it answers; ``performer=False``
    leaves out the assessor's name."""
    labels = {j.outcome: j.label for j in definition.judgements}
    predictions: list[dict[str, Any]] = [
        {
            "outcome": {
                "coding": [{"system": OUTCOME_SYSTEM, "code": j.outcome, "display": labels.get(j.outcome, j.outcome)}],
                "text": labels.get(j.outcome, j.outcome),
            },
            "qualitativeRisk": {
                "coding": [{"system": RISK_PROBABILITY, "code": j.level, "display": j.level.capitalize()}],
                "text": j.level.capitalize(),
            },
            **({"rationale": j.rationale} if j.rationale else {}),
        }
        for j in assessment.judgements.all()
        if j.level
    ]
    return RiskAssessment.model_validate(
        {
            "id": f"assessment-{assessment.pk}",
            "identifier": [{"system": ASSESSMENT_SYSTEM, "value": str(assessment.pk)}],
            "status": "amended" if assessment.addenda.exists() else "final",
            "subject": {"reference": subject or f"Patient/{assessment.case.subject.reference}"},
            **({"basedOn": {"reference": based_on}} if based_on else {}),
            "occurrenceDateTime": assessment.signed_at,
            "method": {"text": f"{definition.title}, version {definition.version} (structured professional judgement)"},
            "code": {"text": "Stalking risk assessment"},
            **({"performer": {"display": assessment.assessor.full_name}} if performer else {}),
            "prediction": predictions or None,
        }
    )


def care_plan(plan, assessment, *, subject: str = "") -> CarePlan:
    areas = dict(PlanArea.choices)
    return CarePlan.model_validate(
        {
            "id": f"plan-{plan.pk}",
            "status": "active",
            "intent": "plan",
            "title": "Risk management plan",
            "subject": {"reference": subject or f"Patient/{assessment.case.subject.reference}"},
            "period": {"end": plan.review_on.isoformat()},
            "created": plan.created_at,
            "supportingInfo": [{"reference": f"RiskAssessment/assessment-{assessment.pk}"}],
            "activity": [
                {
                    "detail": {
                        "code": {
                            "coding": [{"system": PLAN_AREA_SYSTEM, "code": a.area, "display": areas[a.area]}],
                            "text": areas[a.area],
                        },
                        "status": ACTIVITY_STATUS[a.status],
                        "description": a.description,
                        "scheduledPeriod": {"end": a.due_on.isoformat()},
                        "performer": [{"display": f"{a.person}, {a.agency}"}],
                    }
                }
                for a in plan.actions.all()
            ]
            or None,
        }
    )


def bundle(assessment, definition: Definition, plan=None) -> Bundle:
    resources = [patient(assessment.case.subject), risk_assessment(assessment, definition)]
    if plan is not None:
        resources.append(care_plan(plan, assessment))
    return Bundle.model_validate(
        {
            "type": "collection",
            "entry": [
                {
                    "fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{PERSON_SYSTEM}/{resource.id}')}",
                    "resource": resource,
                }
                for resource in resources
            ],
        }
    )
