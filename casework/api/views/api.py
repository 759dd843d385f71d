"""The agency API's endpoints under /api/v1/ (docs/adr/0023-agency-api.md).

Thin views over the portal's queries and services, acting as the token's agency account: an
organisation sees only its own referrals and the reports issued to it (``casework.access`` decides,
through ``casework.portal.queries`` and ``casework.reports.register_queries``); anything else is 404,
and a refused request for a record that exists is logged as the portal logs it. Every call is
audited as a portal page view is; every write by the service that makes it.
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casework.access import policy
from casework.api import submission
from casework.api.models import Scope
from casework.api.problems import (
    PROBLEM_CONTENT_TYPE,
    InvalidInput,
    ProblemSerializer,
    ValidationProblemSerializer,
    problem,
)
from casework.api.serializers import (
    AnswerSerializer,
    DocumentSerializer,
    DocumentUploadSerializer,
    InformationRequestSerializer,
    IssuedReportSerializer,
    ReferralStatusSerializer,
    ReferralSummarySerializer,
)
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.core.refusals import Refused
from casework.portal import queries as portal_queries
from casework.portal import services as portal_services
from casework.portal.forms import AnswerRequestForm
from casework.referrals.forms import DocumentUploadForm
from casework.referrals.models import Referral
from casework.referrals.services.documents import agency_document_upload
from casework.reports import register_queries
from casework.reports.models import IssuedReport
from casework.reports.services import issuing
from casework.reports.services.disclosures import DOCX, PDF, portal_download

PROBLEM = OpenApiResponse(ProblemSerializer, description="Problem details (RFC 9457)")
INVALID = OpenApiResponse(ValidationProblemSerializer, description="Problem details naming each field refused")
P = PROBLEM_CONTENT_TYPE
COMMON_ERRORS = {(401, P): PROBLEM, (403, P): PROBLEM, (404, P): PROBLEM, (429, P): PROBLEM}
REFERENCE = OpenApiParameter(
    "reference", OpenApiTypes.STR, OpenApiParameter.PATH, description="The referral's reference, e.g. REF-2026-00042"
)


def _http(request: Request):
    return request._request


def _referral(request: Request, reference: str) -> Referral:
    """A submitted referral of the token's organisation, or 404 (a refused attempt on one that
    exists is logged, as ``access.policy.get_or_404`` does)."""
    referral = portal_queries.referral_for(request.user, reference)
    if referral is None or not request.user.has_perm("referrals.portal_follow_referral", referral):
        policy.note_refusal(_http(request), Referral, reference=reference)
        raise exceptions.NotFound("No such referral, or not one your organisation may see")
    return referral


def referral_status(user, referral: Referral) -> dict[str, Any]:
    progress = portal_queries.progress(referral)
    return {
        **referral_summary(referral),
        "question": portal_queries.question(referral),
        "information_requested_at": referral.information_requested_at,
        "progress": {
            "lead_clinician": progress.clinician_name,
            "allocated_at": progress.allocated_at,
            "case_opened_at": progress.case_opened_at,
        },
        "history": [{"at": c.at, "status": c.to_status} for c in portal_queries.status_history(referral)],
        "answers_sent": [{"at": a.at, "by": a.by, "text": a.text} for a in portal_queries.answers_sent(user, referral)],
    }


def referral_summary(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "status": referral.status,
        "status_label": referral.get_status_display(),
        "received_via": referral.received_via,
        "received_at": referral.received_at,
        "services": list(referral.services),
    }


def _list_audit(request: Request, object_type: str, label: str, page) -> None:
    number = page.number if page is not None else 1
    record(action=Action.VIEW, request=_http(request), object_type=object_type, object_label=f"{label}, page {number}")


# --- Referrals ------------------------------------------------------------------------------


class ReferralListView(generics.ListAPIView):
    """The organisation's referrals, newest first; send a referral."""

    serializer_class = ReferralSummarySerializer
    parser_classes = [JSONParser]

    @property
    def required_scope(self) -> str:
        return Scope.REFERRALS_WRITE if self.request.method == "POST" else Scope.REFERRALS_READ

    def get_queryset(self):
        return portal_queries.organisation_referrals(self.request.user)

    @extend_schema(
        operation_id="referrals_list",
        summary="List your organisation's referrals",
        responses={200: ReferralSummarySerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        _list_audit(request, "referrals.referral", "api referral list", getattr(self.paginator, "page", None))
        rows = [referral_summary(r) for r in page or []]
        return self.get_paginated_response(ReferralSummarySerializer(rows, many=True).data)

    @extend_schema(
        operation_id="referrals_create",
        summary="Send a referral",
        description=submission.__doc__,
        request=submission.ReferralSubmissionSerializer,
        responses={201: ReferralStatusSerializer, (400, P): INVALID, **COMMON_ERRORS},
    )
    def post(self, request: Request, *args, **kwargs) -> Response:
        body = submission.ReferralSubmissionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sent = submission.submit(by=request.user, body=dict(body.validated_data), request=_http(request))
        referral = portal_queries.referral_for(request.user, sent.reference)
        assert referral is not None  # the token's own organisation's, just sent
        response = Response(referral_status(request.user, referral), status=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:referral", kwargs={"reference": referral.reference})
        return response


class ReferralDetailView(APIView):
    required_scope = Scope.REFERRALS_READ

    @extend_schema(
        operation_id="referrals_retrieve",
        summary="Read a referral's status",
        parameters=[REFERENCE],
        responses={200: ReferralStatusSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request, reference: str) -> Response:
        referral = _referral(request, reference)
        record_view(_http(request), referral)
        return Response(referral_status(request.user, referral))


class DocumentUploadView(APIView):
    required_scope = Scope.REFERRALS_WRITE
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="referrals_documents_create",
        summary="Send the clinic a document for a referral",
        description="Checked and scanned for malware as a portal upload is: PDF, DOCX or plain text.",
        parameters=[REFERENCE],
        request={"multipart/form-data": DocumentUploadSerializer},
        responses={201: DocumentSerializer, (400, P): INVALID, (409, P): PROBLEM, **COMMON_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        referral = _referral(request, reference)
        if not request.user.has_perm("referrals.portal_upload_document", referral):
            return problem(409, "This referral is closed: it takes no more documents")
        form = DocumentUploadForm(_form_data(request, ("kind",)), _form_files(request))
        if not form.is_valid():
            raise InvalidInput(_form_errors(form))
        try:
            document = agency_document_upload(
                referral=referral,
                kind=form.cleaned_data["kind"],
                uploaded=form.cleaned_data["file"],
                by=request.user,
                request=_http(request),
            )
        except Refused as refused:
            raise InvalidInput({_field(refused): [refused.message]}) from None
        return Response(
            {
                "id": document.pk,
                "kind": document.kind,
                "name": document.original_name,
                "size": document.size,
                "uploaded_at": document.uploaded_at,
                "scan_status": document.scan_status,
            },
            status=status.HTTP_201_CREATED,
        )


def _field(refused: Refused) -> str:
    return {"uploaded": "file"}.get(refused.field or "", refused.field or "non_field_errors")


def _form_data(request: Request, names: tuple[str, ...]) -> MultiValueDict:
    data: MultiValueDict[str, str] = MultiValueDict()
    for name in names:
        value = request.data.get(name)
        if value is not None and not isinstance(value, UploadedFile):
            data[name] = str(value)
    return data


def _form_files(request: Request) -> MultiValueDict:
    files: MultiValueDict[str, UploadedFile] = MultiValueDict()
    uploaded = request.FILES.get("file") if hasattr(request, "FILES") else None
    if uploaded is not None:
        files["file"] = uploaded
    return files


def _form_errors(form) -> dict[str, list[str]]:
    return {("non_field_errors" if k == "__all__" else k): [str(m) for m in v] for k, v in form.errors.items()}


# --- Requests for information ------------------------------------------------------------------


class InformationRequestListView(generics.ListAPIView):
    """The clinic's requests for information the organisation has not yet answered."""

    required_scope = Scope.REFERRALS_READ
    serializer_class = InformationRequestSerializer

    def get_queryset(self):
        return portal_queries.awaiting_information_from(self.request.user)

    @extend_schema(
        operation_id="information_requests_list",
        summary="List the clinic's open requests for information",
        responses={200: InformationRequestSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        _list_audit(
            request, "referrals.referral", "api requests for information", getattr(self.paginator, "page", None)
        )
        rows = [
            {
                "reference": r.reference,
                "question": portal_queries.question(r),
                "requested_at": r.information_requested_at,
            }
            for r in page or []
        ]
        return self.get_paginated_response(InformationRequestSerializer(rows, many=True).data)


class AnswerView(APIView):
    required_scope = Scope.REFERRALS_WRITE

    @extend_schema(
        operation_id="referrals_answer_create",
        summary="Answer the clinic's request for information",
        description="JSON, or multipart with a document (checked and scanned as any upload).",
        parameters=[REFERENCE],
        request={"application/json": AnswerSerializer, "multipart/form-data": AnswerSerializer},
        responses={200: ReferralStatusSerializer, (400, P): INVALID, (409, P): PROBLEM, **COMMON_ERRORS},
    )
    def post(self, request: Request, reference: str) -> Response:
        referral = _referral(request, reference)
        if not request.user.has_perm("referrals.portal_answer_request", referral):
            return problem(409, "The clinic is not waiting for information on this referral")
        form = AnswerRequestForm(_form_data(request, ("answer", "kind")), _form_files(request))
        if not form.is_valid():
            raise InvalidInput(_form_errors(form))
        try:
            portal_services.portal_answer_request(
                referral=referral,
                by=request.user,
                request=_http(request),
                answer=form.cleaned_data["answer"],
                uploaded=form.cleaned_data.get("file"),
                kind=form.cleaned_data.get("kind") or "",
            )
        except Refused as refused:
            raise InvalidInput({_field(refused): [refused.message]}) from None
        referral = _referral(request, reference)
        return Response(referral_status(request.user, referral))


# --- Reports issued to the organisation ------------------------------------------------------


def issued_report_row(user, issued: IssuedReport) -> dict[str, Any]:
    request_ = issued.report.request
    replacement = next(iter(issued.replaced_by.all()), None)
    referral = request_.source_referral
    followed = referral is not None and user.has_perm("referrals.portal_follow_referral", referral)
    return {
        "id": issued.pk,
        "title": request_.get_report_type_display(),
        "number": issued.number,
        "issued_at": issued.issued_at,
        "recipient_name": issued.recipient_name,
        "is_correction": issued.replaces_id is not None,
        "replaced_by": replacement.number if replacement is not None else None,
        "referral": referral.reference if followed and referral is not None else "",
        "pdf_url": reverse("api:report_pdf", kwargs={"pk": issued.pk}),
        "docx_url": reverse("api:report_docx", kwargs={"pk": issued.pk}),
    }


class ReportListView(generics.ListAPIView):
    required_scope = Scope.REPORTS_READ
    serializer_class = IssuedReportSerializer

    def get_queryset(self):
        return register_queries.issued_to_organisation(self.request.user)

    @extend_schema(
        operation_id="reports_list",
        summary="List the reports issued to your organisation",
        responses={200: IssuedReportSerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        _list_audit(request, "reports.issuedreport", "api reports issued", getattr(self.paginator, "page", None))
        rows = [issued_report_row(request.user, issued) for issued in page or []]
        return self.get_paginated_response(IssuedReportSerializer(rows, many=True).data)


CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


class ReportDownloadView(APIView):
    required_scope = Scope.REPORTS_READ
    kind = PDF

    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        issued = register_queries.issued_for_download(request.user, pk)
        if issued is None:
            policy.note_refusal(_http(request), IssuedReport, pk=pk)
            raise exceptions.NotFound("No such report, or not one issued to your organisation")
        try:
            content = issuing.frozen_bytes(issued, self.kind)
        except issuing.FileAltered as altered:
            return problem(409, altered.message)
        portal_download(issued=issued, kind=self.kind, by=request.user, request=_http(request))
        response = HttpResponse(content, content_type=CONTENT_TYPES[self.kind])
        response["Content-Disposition"] = f'attachment; filename="report-{issued.pk}-issue-{issued.number}.{self.kind}"'
        response["X-Content-Type-Options"] = "nosniff"
        return response


def _download_schema(kind: str):
    return extend_schema(
        operation_id=f"reports_{kind}_retrieve",
        summary=f"Download an issued report ({kind.upper()})",
        description="Every download is a release: recorded in the clinic's disclosure register.",
        responses={(200, CONTENT_TYPES[kind]): OpenApiTypes.BINARY, (409, P): PROBLEM, **COMMON_ERRORS},
    )


class ReportPdfView(ReportDownloadView):
    kind = PDF

    @_download_schema(PDF)
    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        return super().get(request, pk)


class ReportDocxView(ReportDownloadView):
    kind = DOCX

    @_download_schema(DOCX)
    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        return super().get(request, pk)
