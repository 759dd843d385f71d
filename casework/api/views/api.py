"""The agency API's endpoints under /api/v1/ (docs/adr/0023-agency-api.md).

Thin views over the portal's queries and services, acting as the token's agency account: an
organisation sees only its own referrals, the reports issued to it and the invoices made available
to it (``casework.access`` decides, through ``casework.portal.queries``,
``casework.reports.register_queries`` and ``casework.billing.invoice_queries``); anything else is 404,
and a refused request for a record that exists is logged as the portal logs it. Every call is
audited as a portal page view is; every write by the service that makes it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
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
    InvoiceSerializer,
    InvoiceSummarySerializer,
    IssuedReportSerializer,
    ReferralStatusSerializer,
    ReferralSummarySerializer,
)
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.billing import invoice_queries
from casework.billing.invoice_views import pdf_response
from casework.billing.models import Invoice
from casework.core.refusals import Refused
from casework.portal import queries as portal_queries
from casework.portal import services as portal_services
from casework.portal.forms import AnswerRequestForm
from casework.portal.report_views import issued_row
from casework.referrals.forms import DocumentUploadForm
from casework.referrals.models import Referral
from casework.referrals.services.documents import agency_document_upload
from casework.reports import register_queries
from casework.reports.downloads import CONTENT_TYPES, agency_download
from casework.reports.models import IssuedReport
from casework.reports.services import issuing
from casework.reports.services.disclosures import DOCX, PDF

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


def _listed(view: generics.ListAPIView, object_type: str, label: str, row: Callable[[Any], dict]) -> Response:
    """One page of ``view``'s queryset, each record as ``row`` makes it, the read audited as a
    portal list page is (one event a page, naming what was listed)."""
    page = view.paginate_queryset(view.get_queryset())
    number = view.paginator.page.number if getattr(view.paginator, "page", None) is not None else 1
    record(
        action=Action.VIEW, request=_http(view.request), object_type=object_type, object_label=f"{label}, page {number}"
    )
    serializer = view.get_serializer_class()
    return view.get_paginated_response(serializer([row(item) for item in page or []], many=True).data)


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
        return _listed(self, "referrals.referral", "api referral list", referral_summary)

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


def information_request_row(referral: Referral) -> dict[str, Any]:
    return {
        "reference": referral.reference,
        "question": portal_queries.question(referral),
        "requested_at": referral.information_requested_at,
    }


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
        return _listed(self, "referrals.referral", "api requests for information", information_request_row)


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
    """What the portal lists of an issue, its download links the API's."""
    return {"id": issued.pk, **issued_row(user, issued, namespace="api")}


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
        return _listed(
            self, "reports.issuedreport", "api reports issued", lambda issued: issued_report_row(request.user, issued)
        )


class ReportDownloadView(APIView):
    required_scope = Scope.REPORTS_READ
    kind = PDF

    def get(self, request: Request, pk: int) -> HttpResponse | Response:
        try:
            return agency_download(_http(request), pk, self.kind)
        except issuing.FileAltered as altered:
            return problem(409, altered.message)


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


# --- Invoices addressed to the organisation ---------------------------------------------------


def _require_invoices(request: Request) -> None:
    """The portal's own permission for its invoice pages (the token's account is an agency referrer)."""
    if not request.user.has_perm("billing.portal_list_invoices"):
        raise exceptions.PermissionDenied("This token's account may not read invoices")


def _invoice(request: Request, pk: int) -> Invoice:
    """An issued invoice made available to the token's organisation, as the portal finds it
    (``invoice_queries.invoice_for_agency``: never a draft, another organisation's, or one with a
    line across an information barrier from the token's side), or 404."""
    _require_invoices(request)
    invoice = invoice_queries.invoice_for_agency(request.user, pk)
    if invoice is None:
        raise exceptions.NotFound("No such invoice, or not one addressed to your organisation")
    return invoice


def invoice_summary(invoice: Invoice, today) -> dict[str, Any]:
    state = invoice.payment_state(today)
    return {
        "id": invoice.pk,
        "number": invoice.number,
        "issued_on": invoice.issued_on,
        "due_on": invoice.due_on,
        "status": state,
        "status_label": invoice.payment_state_label(today),
        "purchase_order": invoice.purchase_order,
        "contract": invoice.contract.reference,
        "net_total": invoice.net_total,
        "vat_total": invoice.vat_total,
        "total": invoice.total,
        "amount_paid": invoice.amount_paid,
        "amount_credited": invoice.amount_credited,
        "balance": invoice.balance,
        "url": reverse("api:invoice", kwargs={"pk": invoice.pk}),
        "pdf_url": reverse("api:invoice_pdf", kwargs={"pk": invoice.pk}),
    }


def invoice_detail(invoice: Invoice, today) -> dict[str, Any]:
    """The invoice as its PDF shows it: per line the service, date, referral reference and amounts;
    nothing about the people in a case and nothing clinical. Credit notes by number and amount
    (their reasons are the clinic's own notes and are not released)."""
    return {
        **invoice_summary(invoice, today),
        "lines": [
            {
                "service": line.service,
                "description": line.get_service_display(),
                "occurred_on": line.occurred_on,
                "referral": line.reference,
                "unit_price": line.unit_price,
                "vat_rate": line.vat_rate,
                "net_amount": line.net_amount,
                "vat_amount": line.vat_amount,
                "amount": line.amount,
            }
            for line in invoice.lines.all()
        ],
        "credit_notes": [
            {
                "number": note.number,
                "issued_on": note.issued_on,
                "net_amount": note.net_amount,
                "vat_amount": note.vat_amount,
                "amount": note.amount,
            }
            for note in invoice.credit_notes.all()
        ],
    }


class InvoiceListView(generics.ListAPIView):
    """The issued invoices the clinic made available to the organisation, newest first."""

    required_scope = Scope.INVOICES_READ
    serializer_class = InvoiceSummarySerializer

    def get_queryset(self):
        return invoice_queries.invoices_for_list(self.request.user, today=timezone.localdate())

    @extend_schema(
        operation_id="invoices_list",
        summary="List the invoices addressed to your organisation",
        responses={200: InvoiceSummarySerializer(many=True), **COMMON_ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        _require_invoices(request)
        today = timezone.localdate()
        return _listed(self, "billing.invoice", "api invoices", lambda invoice: invoice_summary(invoice, today))


class InvoiceDetailView(APIView):
    required_scope = Scope.INVOICES_READ

    @extend_schema(
        operation_id="invoices_retrieve",
        summary="Read an invoice: its lines, payments so far and credit notes",
        responses={200: InvoiceSerializer, **COMMON_ERRORS},
    )
    def get(self, request: Request, pk: int) -> Response:
        invoice = _invoice(request, pk)
        record_view(_http(request), invoice)
        return Response(InvoiceSerializer(invoice_detail(invoice, timezone.localdate())).data)


class InvoicePdfView(APIView):
    required_scope = Scope.INVOICES_READ

    @extend_schema(
        operation_id="invoices_pdf_retrieve",
        summary="Download an invoice (PDF)",
        description="The PDF kept when the invoice was issued, as the portal serves it; audited as an export.",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **COMMON_ERRORS},
    )
    def get(self, request: Request, pk: int) -> HttpResponse:
        return pdf_response(_invoice(request, pk), _http(request))
