from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from casework.core.permissions import require
from casework.worker.queries import failed_task_for, failed_task_rows, retrying_task_rows
from casework.worker.services import task_retry


@require_GET
def failed_tasks(request: HttpRequest) -> HttpResponse:
    require(request.user, "worker.view_failed_tasks")
    return render(
        request,
        "worker/failed_tasks.jinja",
        {
            "failed": failed_task_rows(request.user, limit=200),
            "retrying": retrying_task_rows(request.user, limit=200),
            "can_retry": request.user.has_perm("worker.retry_task"),
        },
    )


@require_POST
def task_retry_view(request: HttpRequest, task_id) -> HttpResponse:
    require(request.user, "worker.retry_task")
    task = failed_task_for(request.user, task_id)
    if task is None:
        raise Http404
    if task_retry(task=task, by=request.user, request=request):
        messages.success(request, "The task is queued again. It runs within a minute if the worker is running.")
    return redirect("worker:failed_tasks")
