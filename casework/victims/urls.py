from django.urls import path

from casework.victims import views

app_name = "victims"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("safety-plan/", views.plan_agree, name="plan_agree"),
    path("safety-plan/versions/<id:number>/", views.plan_version, name="plan_version"),
    path("messages/new/", views.message_new, name="message_new"),
    path("messages/<id:pk>/", views.message_detail, name="message"),
    path("subject-access/", views.subject_access, name="subject_access"),
]
