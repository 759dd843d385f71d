from django.urls import path

from casework.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("new/", views.organisation_create, name="create"),
    path("<id:pk>/", views.organisation_detail, name="detail"),
    path("<id:pk>/edit/", views.organisation_edit, name="edit"),
    path("<id:pk>/deactivate/", views.organisation_deactivate, name="deactivate"),
    path("<id:pk>/reactivate/", views.organisation_reactivate, name="reactivate"),
]
