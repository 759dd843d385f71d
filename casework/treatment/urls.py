"""Treatment pages under a case, at /cases/<reference>/treatment/. Each part of the app keeps its
views in its own module (enrolments, appointments, compliance); this list joins them."""

from django.urls import path  # noqa: F401  (the parts' patterns are added below)

from casework.treatment import compliance_views

app_name = "treatment"

urlpatterns: list = []

# Compliance notices to the supervising officer.
urlpatterns += [
    path("notices/", compliance_views.notice_list, name="notices"),
    path("notices/check/<int:enrolment_id>/", compliance_views.notice_check, name="notice_check"),
    path("notices/<int:pk>/", compliance_views.notice_detail, name="notice"),
    path("notices/<int:pk>/acknowledge/", compliance_views.notice_acknowledge, name="notice_acknowledge"),
    path("notices/<int:pk>/send-again/", compliance_views.notice_resend, name="notice_resend"),
]
