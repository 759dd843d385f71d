from django.urls import path

from casework.core import views

app_name = "core"

urlpatterns = [
    path("", views.my_work, name="my_work"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
]
