"""Research extracts, at /research/ (``casework/urls.py``)."""

from django.urls import path

from casework.research import views

app_name = "research"

urlpatterns = [
    path("", views.extract_list, name="extracts"),
    path("new/", views.extract_new, name="extract_new"),
    path("<id:pk>/", views.extract_detail, name="extract_detail"),
    path("<id:pk>/decide/", views.extract_decide, name="extract_decide"),
    path("<id:pk>/extract.csv", views.download_csv, name="download_csv"),
    path("<id:pk>/extract.xlsx", views.download_xlsx, name="download_xlsx"),
]
