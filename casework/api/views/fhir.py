"""FHIR R4 reads of the organisation's own referrals (``casework.api.fhir``): JSON as
``application/fhir+json``. Scoped and audited as the referral status read is."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from casework.api import fhir
from casework.api.models import Scope
from casework.api.views.api import COMMON_ERRORS, _http, _referral
from casework.audit.services import record_view

FHIR_JSON = "application/fhir+json"
ID = OpenApiParameter("reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The referral's reference")


def _fhir(resource) -> HttpResponse:
    return HttpResponse(resource.model_dump_json(exclude_none=True), content_type=FHIR_JSON)


class ServiceRequestView(APIView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="fhir_servicerequest_read",
        summary="A referral as a FHIR R4 ServiceRequest",
        parameters=[ID],
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        referral = _referral(request, reference)
        record_view(_http(request), referral, object_label=f"{referral.reference} (FHIR ServiceRequest)")
        return _fhir(fhir.service_request(referral))


class PatientView(APIView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="fhir_patient_read",
        summary="The person a referral is about, as a minimal FHIR R4 Patient",
        description="The id is the referral's reference followed by -subject.",
        parameters=[ID],
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def get(self, request: Request, reference: str) -> HttpResponse:
        referral = _referral(request, reference.removesuffix("-subject"))
        record_view(_http(request), referral, object_label=f"{referral.reference} (FHIR Patient)")
        return _fhir(fhir.patient(referral))
