from django.urls import path

from casework.access.views import review as views

# The review of the audit trail, at /audit/: its URLs keep the audit app's name.
app_name = "audit"

urlpatterns = [
    path("", views.review, name="review"),
    path("search/", views.search, name="search"),
    path("records/<str:object_type>/<str:object_id>/", views.record_log, name="record_log"),
    path("users/<id:user_id>/", views.user_log, name="user_log"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<id:alert_id>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
]
