"""The OpenAPI document and a human-readable page of it. Both public: they describe the API and
hold no data. The page is rendered here from the schema (no third-party script: CSP)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

METHODS = ("get", "post", "put", "patch", "delete")


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
