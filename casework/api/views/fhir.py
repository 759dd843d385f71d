"""FHIR R4 reads of the organisation's own records (``casework.api.fhir``): JSON as
``application/fhir+json``. Scoped and audited as the referral status read is: a read by id is a
page view of the record, a search one list event; anything the organisation may not read is 404.

What an organisation may read (docs/adr/0023-agency-api.md, "What is released to an agency") is
decided by the scoped queries: ``portal.queries`` (its referrals), ``reports.register_queries``
(the assessments released with the reports issued to it) and ``treatment.diary_queries`` (the
appointments released to it)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.views import APIView

from casework.access import policy
from casework.api import fhir
from casework.api.models import Scope
from casework.api.views.api import COMMON_ERRORS, _http, _referral
from casework.assessments import fhir as assessment_fhir
from casework.assessments.models import Assessment, ManagementPlan
from casework.assessments.services import definition_of
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.portal import queries as portal_queries
from casework.referrals.models import Referral
from casework.reports import register_queries
from casework.treatment import diary_queries
from casework.treatment.models import Appointment

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


# --- Released with an issued report, and the diary: RiskAssessment, CarePlan, Appointment -----------

RESOURCE_ID = OpenApiParameter("id", OpenApiTypes.STR, OpenApiParameter.PATH, description="The resource's id")
PATIENT = OpenApiParameter(
    "patient",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="A Patient id as the Patient endpoint names it (REF-2026-00042-subject), or Patient/<id>",
)
BASED_ON = OpenApiParameter(
    "based-on",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    description="The referral: ServiceRequest/<reference> (or the bare reference)",
)
PAGE = OpenApiParameter(
    "page", OpenApiTypes.INT, OpenApiParameter.QUERY, description="Which page of the matches (from 1)"
)
COUNT = OpenApiParameter(
    "_count",
    OpenApiTypes.INT,
    OpenApiParameter.QUERY,
    description="Matches a page (default 50, at most 100)",
)
SEARCH_PARAMETERS = [PATIENT, BASED_ON, COUNT, PAGE]
SEARCHSET = {(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS}


class SearchPages(PageNumberPagination):
    """A FHIR search answers a page at a time (``_count`` matches, FHIR's own parameter; ``page``
    as the API's lists), its Bundle's ``total`` every match and its links the pages either side."""

    page_size = 50
    page_size_query_param = "_count"
    max_page_size = 100


def _paged(request: Request, view: APIView, rows: QuerySet) -> tuple[list, int, dict[str, str | None]]:
    """One page of ``rows`` (ordered), every match's count, and the Bundle's links. A page past
    the last is 404, as the API's lists answer."""
    pages = SearchPages()
    found = list(pages.paginate_queryset(rows, request, view=view) or [])
    links = {"self": request.build_absolute_uri(), "next": pages.get_next_link(), "previous": pages.get_previous_link()}
    return found, pages.page.paginator.count, links


def _search(request: Request, view: APIView, rows: QuerySet) -> tuple[list, int, dict, dict[int, str]]:
    """The search's page of ``rows`` (records of a case): limited to the referral the search names,
    if any, and to the cases that hold one of the organisation's referrals (which names the
    Patient), with each case's referral (``_anchors``)."""
    named, searched = _searched_referral(request)
    if named and searched is None:
        rows = rows.none()
    elif searched is not None:
        rows = rows.filter(case__case_referrals__referral=searched)
    rows = rows.filter(case__in=_organisation_referrals(request).values("case_link__case_id"))
    found, total, links = _paged(request, view, rows)
    anchors = _anchors(request, {item.case_id for item in found}, searched)
    return [item for item in found if item.case_id in anchors], total, links, anchors


def _numbered(value: str, prefix: str) -> int | None:
    digits = value.removeprefix(prefix) if value.startswith(prefix) else ""
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) < 10 else None


def _not_found(request: Request, model, pk: int | None, what: str) -> exceptions.NotFound:
    if pk is not None:
        policy.note_refusal(_http(request), model, pk=pk)
    return exceptions.NotFound(f"No such {what}, or not one released to your organisation")


def _organisation_referrals(request: Request) -> QuerySet[Referral]:
    return portal_queries.organisation_referrals(request.user).prefetch_related(None)


def _searched_referral(request: Request) -> tuple[bool, Referral | None]:
    """(whether the search names a referral, the organisation's referral it names or None): the
    ``patient`` and ``based-on`` parameters both name a referral; given both, they must agree."""
    references = set()
    patient = request.query_params.get("patient")
    if patient is not None:
        references.add(
            patient.removeprefix("Patient/").removesuffix("-subject") if patient.endswith("-subject") else ""
        )
    based_on = request.query_params.get("based-on")
    if based_on is not None:
        references.add(based_on.removeprefix("ServiceRequest/"))
    if not references:
        return False, None
    if len(references) != 1 or "" in references:
        return True, None
    referral = _organisation_referrals(request).filter(reference=references.pop()).first()
    if referral is None or not request.user.has_perm("referrals.portal_follow_referral", referral):
        return True, None
    return True, referral


def _anchors(request: Request, case_ids, searched: Referral | None) -> dict[int, str]:
    """Each case's referral of the organisation that names its Patient: the one searched for,
    else the organisation's first on the case. One query."""
    anchors: dict[int, str] = {}
    rows = (
        _organisation_referrals(request)
        .filter(case_link__case_id__in=list(case_ids))
        .order_by("id")
        .values_list("case_link__case_id", "reference")
    )
    for case_id, reference in rows:
        anchors.setdefault(case_id, reference)
    if searched is not None:
        link = getattr(searched, "case_link", None)  # (absent until a case holds the referral)
        if link is not None:
            anchors[link.case_id] = searched.reference
    return anchors


def _search_audit(request: Request, object_type: str, resource: str, count: int) -> None:
    label = f"api FHIR {resource} search, {count} found"
    record(action=Action.VIEW, request=_http(request), object_type=object_type, object_label=label)


def _base_url(request: Request) -> str:
    return _http(request).build_absolute_uri("/api/v1/fhir")


def _released_assessments(request: Request) -> QuerySet[Assessment]:
    return (
        register_queries.assessments_released_to_organisation(request.user)
        .select_related("definition", "case", "assessor")
        .prefetch_related("judgements", "addenda")
    )


def _risk_assessment(assessment: Assessment, reference: str):
    return assessment_fhir.risk_assessment(
        assessment,
        definition_of(assessment),
        subject=f"Patient/{reference}-subject",
        based_on=f"ServiceRequest/{reference}",
        performer=False,
    )


class RiskAssessmentView(APIView):
    required_scope = Scope.REPORTS_READ

    @extend_schema(
        operation_id="fhir_riskassessment_read",
        summary="A risk assessment released with a report issued to you, as a FHIR R4 RiskAssessment",
        description="The id is assessment-<number>, as a search or a CarePlan's supportingInfo names it.",
        parameters=[RESOURCE_ID],
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def get(self, request: Request, id: str) -> HttpResponse:
        pk = _numbered(id, "assessment-")
        assessment = _released_assessments(request).filter(pk=pk).first() if pk is not None else None
        anchors = _anchors(request, [assessment.case_id], None) if assessment is not None else {}
        if assessment is None or assessment.case_id not in anchors:
            raise _not_found(request, Assessment, pk, "risk assessment")
        record_view(_http(request), assessment, object_label=f"{assessment.audit_label} (FHIR RiskAssessment)")
        return _fhir(_risk_assessment(assessment, anchors[assessment.case_id]))


class RiskAssessmentSearchView(APIView):
    required_scope = Scope.REPORTS_READ

    @extend_schema(
        operation_id="fhir_riskassessment_search",
        summary="Search the risk assessments released to you: a FHIR R4 searchset Bundle",
        parameters=SEARCH_PARAMETERS,
        responses=SEARCHSET,
    )
    def get(self, request: Request) -> HttpResponse:
        assessments, total, links, anchors = _search(request, self, _released_assessments(request).order_by("id"))
        _search_audit(request, "assessments.assessment", "RiskAssessment", total)
        resources = [_risk_assessment(a, anchors[a.case_id]) for a in assessments]
        return _fhir(fhir.searchset(resources, _base_url(request), total, links))


def _plans_of(assessments: list[Assessment]) -> dict[int, ManagementPlan]:
    """The plans of released assessments (each as the assessment page orders its actions)."""
    plans = register_queries.plans_of_assessments([a.pk for a in assessments])
    return {plan.assessment_id: plan for plan in plans}


class CarePlanView(APIView):
    required_scope = Scope.REPORTS_READ

    @extend_schema(
        operation_id="fhir_careplan_read",
        summary="The risk management plan of a released risk assessment, as a FHIR R4 CarePlan",
        description="The id is plan-<number>.",
        parameters=[RESOURCE_ID],
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def get(self, request: Request, id: str) -> HttpResponse:
        pk = _numbered(id, "plan-")
        assessment = _released_assessments(request).filter(plan__pk=pk).first() if pk is not None else None
        anchors = _anchors(request, [assessment.case_id], None) if assessment is not None else {}
        plan = _plans_of([assessment]).get(assessment.pk) if assessment is not None else None
        if assessment is None or plan is None or assessment.case_id not in anchors:
            raise _not_found(request, ManagementPlan, pk, "care plan")
        record_view(_http(request), plan, object_label=f"plan {plan.pk} (FHIR CarePlan)")
        reference = anchors[assessment.case_id]
        return _fhir(assessment_fhir.care_plan(plan, assessment, subject=f"Patient/{reference}-subject"))


class CarePlanSearchView(APIView):
    required_scope = Scope.REPORTS_READ

    @extend_schema(
        operation_id="fhir_careplan_search",
        summary="Search the care plans released to you: a FHIR R4 searchset Bundle",
        description="based-on names the referral (ServiceRequest) the plan's risk assessment answers.",
        parameters=SEARCH_PARAMETERS,
        responses=SEARCHSET,
    )
    def get(self, request: Request) -> HttpResponse:
        with_plans = _released_assessments(request).filter(plan__isnull=False).order_by("id")
        assessments, total, links, anchors = _search(request, self, with_plans)
        plans = _plans_of(assessments)
        resources = [
            assessment_fhir.care_plan(plans[a.pk], a, subject=f"Patient/{anchors[a.case_id]}-subject")
            for a in assessments
            if a.pk in plans
        ]
        _search_audit(request, "assessments.managementplan", "CarePlan", total)
        return _fhir(fhir.searchset(resources, _base_url(request), total, links))


def _released_appointments(request: Request) -> QuerySet[Appointment]:
    return diary_queries.appointments_released_to_organisation(request.user, _organisation_referrals(request))


class AppointmentView(APIView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="fhir_appointment_read",
        summary="An assessment appointment or treatment session, as a FHIR R4 Appointment",
        description="The id is appointment-<number>. Kind, status and times only: no place, clinician or note.",
        parameters=[RESOURCE_ID],
        responses={(200, FHIR_JSON): OpenApiTypes.OBJECT, **COMMON_ERRORS},
    )
    def get(self, request: Request, id: str) -> HttpResponse:
        pk = _numbered(id, "appointment-")
        appointment = _released_appointments(request).filter(pk=pk).first() if pk is not None else None
        anchors = _anchors(request, [appointment.case_id], None) if appointment is not None else {}
        if appointment is None or appointment.case_id not in anchors:
            raise _not_found(request, Appointment, pk, "appointment")
        record_view(_http(request), appointment, object_label=f"{appointment.audit_label} (FHIR Appointment)")
        return _fhir(fhir.appointment(appointment, anchors[appointment.case_id]))


class AppointmentSearchView(APIView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="fhir_appointment_search",
        summary="Search the appointments released to you: a FHIR R4 searchset Bundle",
        parameters=SEARCH_PARAMETERS,
        responses=SEARCHSET,
    )
    def get(self, request: Request) -> HttpResponse:
        rows = _released_appointments(request).order_by("starts_at", "id")
        appointments, total, links, anchors = _search(request, self, rows)
        _search_audit(request, "treatment.appointment", "Appointment", total)
        resources = [fhir.appointment(a, anchors[a.case_id]) for a in appointments]
        return _fhir(fhir.searchset(resources, _base_url(request), total, links))
