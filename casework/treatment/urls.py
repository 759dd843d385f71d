"""Treatment pages under a case, at /cases/<reference>/treatment/. Each part of the app keeps its
views in its own module (enrolments, appointments, compliance); this list joins them."""

from django.urls import path  # noqa: F401  (the parts' patterns are added below)

app_name = "treatment"

urlpatterns: list = []
