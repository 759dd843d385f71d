"""The organisation's own records as FHIR R4 resources (``fhir.resources``' R4B models, which for
these resources have R4's elements, as ``casework.assessments.fhir`` explains), validated as built.

- ``ServiceRequest``: a referral — what was asked for, its status, when it was sent and by whom.
- ``Patient``: minimal — an id and the referral's identifier only. No name, date of birth or
  address: the agency holds what it sent, and the clinic's later corrections are not the agency's
  to read (the portal shows the referral as sent for the same reason).

- ``RiskAssessment`` and ``CarePlan``: built by ``casework.assessments.fhir`` (never twice), for an
  assessment released with a report issued to the organisation; the subject is the API's Patient
  of the organisation's referral, the assessor's name is left out.
- ``Appointment``: a released assessment appointment or treatment session — its kind, status and
  times, the Patient and the referral it serves; no place, room, clinician or note.
- ``searchset`` Bundles of any of them.

What is released, and why: docs/adr/0023-agency-api.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from fhir.resources.R4B.appointment import Appointment
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.servicerequest import ServiceRequest

from casework.referrals.choices import Service, Status
from casework.treatment.choices import AppointmentKind, Attendance

REFERRAL_SYSTEM = "https://nsc-casework.nhs.example/Id/referral"
SERVICE_SYSTEM = "https://nsc-casework.nhs.example/CodeSystem/clinic-service"
APPOINTMENT_KIND_SYSTEM = "https://nsc-casework.nhs.example/CodeSystem/appointment-kind"
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


# Appointment.status (appointmentstatus) from the diary's attendance.
APPOINTMENT_STATUS = {
    Attendance.BOOKED: "booked",
    Attendance.ATTENDED: "fulfilled",
    Attendance.LATE: "fulfilled",
    Attendance.DID_NOT_ATTEND: "noshow",
    Attendance.CANCELLED_BY_CLINIC: "cancelled",
    Attendance.CANCELLED_BY_CLIENT: "cancelled",
}


def appointment_id(appointment) -> str:
    return f"appointment-{appointment.pk}"


def appointment(appointment, referral_reference: str) -> Appointment:
    """A diary appointment as the agency may read it (``referral_reference``: the organisation's
    referral the case holds, which names the Patient). Only kind, status and times: no place,
    room, clinician, reason or note."""
    labels = dict(AppointmentKind.choices)
    return Appointment.model_validate(
        {
            "id": appointment_id(appointment),
            "status": APPOINTMENT_STATUS.get(Attendance(appointment.attendance), "booked"),
            "appointmentType": {
                "coding": [
                    {
                        "system": APPOINTMENT_KIND_SYSTEM,
                        "code": appointment.kind,
                        "display": labels.get(appointment.kind, appointment.kind),
                    }
                ],
                "text": labels.get(appointment.kind, appointment.kind),
            },
            "start": appointment.starts_at.isoformat(),
            "end": appointment.ends_at.isoformat(),
            "minutesDuration": appointment.minutes,
            "basedOn": [{"reference": f"ServiceRequest/{referral_reference}"}],
            "participant": [
                {"actor": {"reference": f"Patient/{referral_reference}-subject"}, "status": "accepted"},
            ],
        }
    )


def searchset(resources: Iterable, base_url: str, total: int | None = None, links: dict | None = None) -> Bundle:
    """A search's answer (``base_url``: the FHIR base, e.g. https://…/api/v1/fhir): one page of it
    when ``total`` (every match) and ``links`` (``self``, ``next``, ``previous``) are given."""
    entries = [
        {
            "fullUrl": f"{base_url}/{resource.get_resource_type()}/{resource.id}",
            "resource": resource,
            "search": {"mode": "match"},
        }
        for resource in resources
    ]
    link = [{"relation": relation, "url": url} for relation, url in (links or {}).items() if url]
    return Bundle.model_validate(
        {
            "type": "searchset",
            "total": len(entries) if total is None else total,
            "link": link or None,
            "entry": entries or None,
        }
    )
