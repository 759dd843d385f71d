"""Treatment pages under a case, at /cases/<reference>/treatment/. Each part of the app keeps its
views in its own module (enrolments, appointments, compliance); this list joins them."""

from django.urls import path

from casework.treatment import diary_views

app_name = "treatment"

urlpatterns: list = [
    # The diary: the case's appointments (diary_views).
    path("appointments/", diary_views.appointment_list, name="appointments"),
    path("appointments/new/", diary_views.appointment_add, name="appointment_add"),
    path("appointments/<id:pk>/", diary_views.appointment_detail, name="appointment_detail"),
    path("appointments/<id:pk>/attendance/", diary_views.attendance, name="attendance"),
    path("appointments/<id:pk>/note/", diary_views.session_note_add, name="session_note_add"),
    path("appointments/<id:pk>/calendar.ics", diary_views.calendar_file, name="appointment_ics"),
    path("appointments/<id:pk>/invite/", diary_views.invite, name="invite"),
]
