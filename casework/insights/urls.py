"""The service dashboards, at /insights/ (``casework/urls.py``)."""

from django.urls import path

from casework.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:figure>.csv", views.export_csv, name="export_csv"),
    path("export/<slug:figure>.xlsx", views.export_xlsx, name="export_xlsx"),
]
