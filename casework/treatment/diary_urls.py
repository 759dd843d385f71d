"""The clinic's diary, at /diary/: my week, a clinician's week, a room's week, the rooms."""

from django.urls import path

from casework.treatment import diary_views

app_name = "diary"

urlpatterns = [
    path("", diary_views.my_week, name="week"),
    path("clinicians/<id:pk>/", diary_views.clinician_week, name="clinician"),
    path("rooms/", diary_views.rooms, name="rooms"),
    path("rooms/<id:pk>/", diary_views.room_week, name="room"),
]
