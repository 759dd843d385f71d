"""Report requests and their reports, at /cases/<reference>/reports/."""

from django.urls import path

from casework.reports import report_views, views

app_name = "reports"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("from-referral/", views.from_referral, name="from_referral"),
    path("new/", views.request_add, name="add"),
    path("<id:pk>/", views.request_detail, name="detail"),
    path("<id:pk>/edit/", views.request_edit, name="edit"),
    # The report written for the request.
    path("<id:pk>/report/start/", report_views.report_start, name="start"),
    path("<id:pk>/report/", report_views.report_write, name="write"),
    path("<id:pk>/report/autosave/", report_views.report_autosave, name="autosave"),
    path("<id:pk>/report/sections/<slug:key>/refresh/", report_views.section_refresh, name="refresh"),
    path("<id:pk>/report/versions/", report_views.report_versions, name="versions"),
    path("<id:pk>/report/comments/", report_views.comment_add, name="comment_add"),
    path("<id:pk>/report/comments/<id:comment_pk>/resolve/", report_views.comment_resolve, name="comment_resolve"),
    path("<id:pk>/report/sign/", report_views.report_sign, name="sign"),
    path("<id:pk>/report/approve/", report_views.report_approve, name="approve"),
    path("<id:pk>/report/return/", report_views.report_return, name="return"),
    path("<id:pk>/report/draft.pdf", report_views.draft_pdf, name="draft_pdf"),
    path("<id:pk>/report/issue/", report_views.report_issue, name="issue"),
    path("<id:pk>/report/correct/", report_views.report_correct, name="correct"),
    path("<id:pk>/report/issues/<id:issue_pk>/pdf/", report_views.issued_file, {"kind": "pdf"}, name="issued_pdf"),
    path("<id:pk>/report/issues/<id:issue_pk>/docx/", report_views.issued_file, {"kind": "docx"}, name="issued_docx"),
    path("<id:pk>/report/issues/<id:issue_pk>/release/", report_views.disclosure_add, name="release"),
]
