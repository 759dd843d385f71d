from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.core.work import role_summary, sections_for


@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/my_work.jinja",
        {"sections": sections_for(request), "role_summary": role_summary(request.user.role)},
    )


def keys_can_read_the_database() -> bool:
    """Health check: the field, blind-index and audit keys in force can read this database's data
    (casework.people.keycheck). Kept apart from the other checks so it can be listed beside them."""
    from casework.people.keycheck import key_problems

    return not key_problems()


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers and the keys can read it, 503 otherwise. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    if not keys_can_read_the_database():
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.jinja")
