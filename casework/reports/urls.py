"""Report requests, at /cases/<reference>/reports/."""

from django.urls import path

from casework.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("from-referral/", views.from_referral, name="from_referral"),
    path("new/", views.request_add, name="add"),
    path("<id:pk>/", views.request_detail, name="detail"),
    path("<id:pk>/edit/", views.request_edit, name="edit"),
]
