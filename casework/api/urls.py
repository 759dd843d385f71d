"""The agency API under /api/v1/ (token authentication: no session, no CSRF, no sign-in redirect).
The schema and its docs page are public; everything else needs a token with the right scope."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from casework.api.views import api, docs, fhir


def _view(cls, **kwargs):
    return login_not_required(cls.as_view(**kwargs))


app_name = "api"

urlpatterns = [
    path("schema/", _view(SpectacularAPIView), name="schema"),
    path("docs/", docs.api_docs, name="docs"),
    path("referrals/", _view(api.ReferralListView), name="referrals"),
    path("referrals/<str:reference>/", _view(api.ReferralDetailView), name="referral"),
    path("referrals/<str:reference>/documents/", _view(api.DocumentUploadView), name="referral_documents"),
    path("referrals/<str:reference>/answer/", _view(api.AnswerView), name="referral_answer"),
    path("information-requests/", _view(api.InformationRequestListView), name="information_requests"),
    path("reports/", _view(api.ReportListView), name="reports"),
    path("reports/<id:pk>/pdf/", _view(api.ReportPdfView), name="report_pdf"),
    path("reports/<id:pk>/docx/", _view(api.ReportDocxView), name="report_docx"),
    path("invoices/", _view(api.InvoiceListView), name="invoices"),
    path("invoices/<id:pk>/", _view(api.InvoiceDetailView), name="invoice"),
    path("invoices/<id:pk>/pdf/", _view(api.InvoicePdfView), name="invoice_pdf"),
    path("fhir/ServiceRequest/<str:reference>", _view(fhir.ServiceRequestView), name="fhir_service_request"),
    path("fhir/Patient/<str:reference>", _view(fhir.PatientView), name="fhir_patient"),
    path("fhir/RiskAssessment", _view(fhir.RiskAssessmentSearchView), name="fhir_risk_assessments"),
    path("fhir/RiskAssessment/<str:id>", _view(fhir.RiskAssessmentView), name="fhir_risk_assessment"),
    path("fhir/CarePlan", _view(fhir.CarePlanSearchView), name="fhir_care_plans"),
    path("fhir/CarePlan/<str:id>", _view(fhir.CarePlanView), name="fhir_care_plan"),
    path("fhir/Appointment", _view(fhir.AppointmentSearchView), name="fhir_appointments"),
    path("fhir/Appointment/<str:id>", _view(fhir.AppointmentView), name="fhir_appointment"),
    # Anything else under /api/v1/ is a problem-details 404, not the site's HTML page (unnamed: no page).
    re_path(r"^.*$", docs.not_found),
]
