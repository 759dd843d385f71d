from django.urls import path

from casework.worker import views

app_name = "worker"

urlpatterns = [
    path("", views.failed_tasks, name="failed_tasks"),
    path("<slug:task_id>/retry/", views.task_retry_view, name="task_retry"),
]
