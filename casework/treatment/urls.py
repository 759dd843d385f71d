"""Treatment pages under a case, at /cases/<reference>/treatment/. Each part of the app keeps its
views in its own module (enrolments, appointments, compliance); this list joins them."""

from django.urls import path

from casework.treatment import compliance_views, diary_views, enrolment_views

app_name = "treatment"

urlpatterns: list = [
    path("", enrolment_views.overview, name="overview"),
    path("enrol/", enrolment_views.enrol, name="enrol"),
    path("enrolments/<id:pk>/", enrolment_views.enrolment_detail, name="enrolment"),
    path("enrolments/<id:pk>/discharge/", enrolment_views.discharge, name="discharge"),
    path("enrolments/<id:pk>/outcomes/new/", enrolment_views.outcome_add, name="outcome_add"),
    path("enrolments/<id:pk>/follow-ups/<id:follow_up_pk>/", enrolment_views.follow_up, name="follow_up"),
    # Compliance notices to the supervising officer.
    path("notices/", compliance_views.notice_list, name="notices"),
    path("notices/check/<id:enrolment_id>/", compliance_views.notice_check, name="notice_check"),
    path("notices/<id:pk>/", compliance_views.notice_detail, name="notice"),
    path("notices/<id:pk>/acknowledge/", compliance_views.notice_acknowledge, name="notice_acknowledge"),
    path("notices/<id:pk>/send-again/", compliance_views.notice_resend, name="notice_resend"),
    # The diary: the case's appointments (diary_views).
    path("appointments/", diary_views.appointment_list, name="appointments"),
    path("appointments/new/", diary_views.appointment_add, name="appointment_add"),
    path("appointments/<id:pk>/", diary_views.appointment_detail, name="appointment_detail"),
    path("appointments/<id:pk>/move/", diary_views.appointment_move, name="appointment_move"),
    path("appointments/<id:pk>/attendance/", diary_views.attendance, name="attendance"),
    path("appointments/<id:pk>/note/", diary_views.session_note_add, name="session_note_add"),
    path("appointments/<id:pk>/calendar.ics", diary_views.calendar_file, name="appointment_ics"),
    path("appointments/<id:pk>/invite/", diary_views.invite, name="invite"),
]
