"""The OpenAPI document and a human-readable page of it. Both public: they describe the API and
hold no data. The page is rendered here from the schema (no third-party script: CSP)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from casework.api.problems import PROBLEM_CONTENT_TYPE, TYPE_BASE

METHODS = ("get", "post", "put", "patch", "delete")


@login_not_required
@csrf_exempt
def not_found(request: HttpRequest) -> HttpResponse:
    """A path under /api/v1/ that names no operation: 404 as problem details, whatever the method."""
    body = {
        "type": TYPE_BASE + "not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No such operation: see /api/v1/schema/",
    }
    return JsonResponse(body, status=404, content_type=PROBLEM_CONTENT_TYPE)


@login_not_required
@require_GET
def api_docs(request: HttpRequest) -> HttpResponse:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            operations.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return render(
        request,
        "api/docs.jinja",
        {
            "info": schema.get("info", {}),
            "operations": operations,
            "schema_url": reverse("api:schema"),
        },
    )
