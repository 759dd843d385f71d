"""The disclosure register, at /reports/register/ (``casework/urls.py`` mounts it under "reports/")."""

from django.urls import path

from casework.reports import register_views

app_name = "disclosures"

urlpatterns = [
    path("register/", register_views.register, name="register"),
    path("register/export.csv", register_views.register_export, name="export"),
]
