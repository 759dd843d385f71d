from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.core.health import run_checks
from casework.core.work import role_summary, sections_for


@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    assert request.user.is_authenticated  # LoginRequiredMiddleware turned anyone signed out away
    return render(
        request,
        "core/my_work.jinja",
        {"sections": sections_for(request), "role_summary": role_summary(request.user.role)},
    )


@login_not_required
@require_GET
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when every check in ``casework.core.health.CHECKS`` passes; 503 naming the checks that
    failed otherwise. Says nothing else."""
    results = run_checks()
    failed = {name: result for name, result in results.items() if result != "ok"}
    if failed:
        return JsonResponse({"status": "unavailable", "failed": failed}, status=503)
    return JsonResponse({"status": "ok", "checks": results})


@login_not_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "core/privacy.jinja")
