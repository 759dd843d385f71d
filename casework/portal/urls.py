"""The agency portal, under /portal/. Question pages live under /portal/new/ (the "Refer a case"
navigation item); following referrals under /portal/referrals/ ("Your referrals")."""

from django.urls import path, register_converter

from casework.portal import invoice_views, quote_views, report_views, views


class ReferenceConverter:
    """A referral reference such as REF-2026-00042."""

    regex = r"REF-[0-9]{4}-[0-9]{5,}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "portal_reference")

app_name = "portal"

urlpatterns = [
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/drafts/", views.draft_list, name="drafts"),
    path("referrals/<portal_reference:reference>/", views.referral_detail, name="detail"),
    path("referrals/<portal_reference:reference>/sent/", views.confirmation, name="confirmation"),
    path("referrals/<portal_reference:reference>/letters/<id:letter_id>/", views.letter, name="letter"),
    path("referrals/<portal_reference:reference>/letters/<id:letter_id>/pdf/", views.letter_pdf, name="letter_pdf"),
    path("referrals/<portal_reference:reference>/documents/new/", views.document_upload, name="document_upload"),
    path("referrals/<portal_reference:reference>/answer/", views.answer, name="answer"),
    path("reports/", report_views.report_list, name="reports"),
    path("reports/<id:pk>/pdf/", report_views.report_pdf, name="report_pdf"),
    path("reports/<id:pk>/docx/", report_views.report_docx, name="report_docx"),
    path("quotes/", quote_views.quote_list, name="quotes"),
    path("quotes/<id:pk>/", quote_views.quote_detail, name="quote"),
    path("quotes/<id:pk>/accept/", quote_views.quote_accept, name="quote_accept"),
    path("quotes/<id:pk>/reject/", quote_views.quote_reject, name="quote_reject"),
    path("invoices/", invoice_views.invoice_list, name="invoices"),
    path("invoices/<id:pk>/pdf/", invoice_views.invoice_pdf, name="invoice_pdf"),
    path("statement/", invoice_views.statement, name="statement"),
    path("new/", views.start, name="start"),
    path("new/<id:draft_id>/people/", views.parties, name="parties"),
    path("new/<id:draft_id>/people/<id:index>/", views.party_change, name="party_change"),
    path("new/<id:draft_id>/people/<id:index>/remove/", views.party_remove, name="party_remove"),
    path("new/<id:draft_id>/check/", views.check, name="check"),
    path("new/<id:draft_id>/delete/", views.discard, name="discard"),
    path("new/<id:draft_id>/<slug:step>/", views.step, name="step"),
]
