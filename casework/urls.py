from django.urls import include, path

urlpatterns = [
    path("", include("casework.core.urls")),
    path("", include("casework.accounts.urls")),
    path("", include("casework.accounts.admin_urls")),
    path("organisations/", include("casework.organisations.urls")),
    path("audit/", include("casework.access.urls")),
    path("referrals/", include("casework.referrals.urls")),
    # The commissioner's view has a portal address but is built by insights (above the portal).
    path("portal/your-service/", include("casework.insights.portal_urls")),
    path("portal/", include("casework.portal.urls")),
    path("people/", include("casework.people.urls")),
    path("cases/<str:reference>/assessments/", include("casework.assessments.urls")),
    path("cases/<str:reference>/reports/", include("casework.reports.urls")),
    path("reports/", include("casework.reports.register_urls")),
    path("cases/<str:reference>/treatment/", include("casework.treatment.urls")),
    path("cases/<str:reference>/victim/", include("casework.victims.urls")),
    path("cases/<str:reference>/consultation/", include("casework.consultations.urls")),
    path("treatment/notices/", include("casework.treatment.notice_urls")),
    path("diary/", include("casework.treatment.diary_urls")),
    path("cases/", include("casework.cases.urls")),
    path("search/", include("casework.search.urls")),
    path("insights/", include("casework.insights.urls")),
    path("research/", include("casework.research.urls")),
    path("billing/", include("casework.billing.urls")),
    path("background-tasks/", include("casework.worker.urls")),
    path("api/v1/", include("casework.api.urls")),
    path("api-tokens/", include("casework.api.staff_urls")),
]

handler404 = "casework.core.errors.not_found"
handler403 = "casework.core.errors.forbidden"
handler500 = "casework.core.errors.server_error"
handler400 = "casework.core.errors.bad_request"
