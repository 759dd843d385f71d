"""The organisation's own records as FHIR R4 resources (``fhir.resources``' R4B models, which for
these resources have R4's elements, as ``casework.assessments.fhir`` explains), validated as built.

- ``ServiceRequest``: a referral — what was asked for, its status, when it was sent and by whom.
- ``Patient``: minimal — an id and the referral's identifier only. No name, date of birth or
  address: the agency holds what it sent, and the clinic's later corrections are not the agency's
  to read (the portal shows the referral as sent for the same reason).

RiskAssessment and CarePlan (``casework.assessments.fhir``) are not served: nothing in the access
home releases an assessment to an agency; what reaches an agency is the issued report.
"""

from __future__ import annotations

from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest

from casework.referrals.choices import Service, Status

REFERRAL_SYSTEM = "https://nsc-casework.nhs.example/Id/referral"
SERVICE_SYSTEM = "https://nsc-casework.nhs.example/CodeSystem/clinic-service"
ORGANISATION_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"

# ServiceRequest.status (request-status): draft | active | on-hold | revoked | completed | …
REQUEST_STATUS = {
    Status.DRAFT: "draft",
    Status.RECEIVED: "active",
    Status.SCREENING: "active",
    Status.AWAITING_INFORMATION: "on-hold",
    Status.ACCEPTED: "active",
    Status.ALLOCATED: "active",
    Status.DECLINED: "revoked",
    Status.WITHDRAWN: "revoked",
    Status.CLOSED: "completed",
}


def patient_id(referral) -> str:
    return f"{referral.reference}-subject"


def patient(referral) -> Patient:
    return Patient.model_validate(
        {
            "id": patient_id(referral),
            "identifier": [{"system": REFERRAL_SYSTEM, "value": f"{referral.reference}/subject"}],
        }
    )


def service_request(referral) -> ServiceRequest:
    labels = dict(Service.choices)
    organisation = referral.referring_organisation
    requester: dict = {"display": organisation.name if organisation else referral.referrer_name}
    if organisation is not None and organisation.ods_code:
        requester["identifier"] = {"system": ORGANISATION_SYSTEM, "value": organisation.ods_code}
    data: dict = {
        "id": referral.reference,
        "identifier": [{"system": REFERRAL_SYSTEM, "value": referral.reference}],
        "status": REQUEST_STATUS.get(Status(referral.status), "unknown"),
        "intent": "order",
        "subject": {"reference": f"Patient/{patient_id(referral)}"},
        "requester": requester,
        "orderDetail": [
            {"coding": [{"system": SERVICE_SYSTEM, "code": code, "display": labels.get(code, code)}]}
            for code in referral.services
        ],
    }
    if referral.received_at:
        data["authoredOn"] = referral.received_at.isoformat()
    return ServiceRequest.model_validate(data)
