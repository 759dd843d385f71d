from django.urls import path

from casework.consultations import views

app_name = "consultations"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("request/", views.request_edit, name="request_edit"),
    path("meetings/new/", views.meeting_add, name="meeting_add"),
    path("meetings/<id:pk>/", views.meeting_detail, name="meeting"),
    path("advice/", views.advice_record, name="advice"),
    path("convert/", views.convert, name="convert"),
]
