"""Errors as RFC 9457 problem details (``application/problem+json``).

Every error the API answers carries ``type``, ``title``, ``status`` and ``detail``; a refused
input also carries ``errors``: one entry per problem, naming the field (``pointer``, a JSON
pointer into the request body, and ``field``, the dotted name) and saying what is wrong.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://casework.invalid/api/problems/"

TITLES = {
    400: ("invalid-request", "Your request is not valid"),
    401: ("unauthorised", "Authentication needed"),
    403: ("forbidden", "Not allowed"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("too-large", "Request too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    429: ("too-many-requests", "Too many requests"),
}


class ProblemSerializer(serializers.Serializer):
    """The shape of every error (for the OpenAPI document)."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(required=False)


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField()
    pointer = serializers.CharField()
    detail = serializers.CharField()


class ValidationProblemSerializer(ProblemSerializer):
    errors = FieldErrorSerializer(
        many=True,
        required=False,
        help_text="One entry per field refused (absent when the body could not be read at all)",
    )


class InvalidInput(exceptions.APIException):
    """Input a service or form refused, field by field (``{"field": ["message", …]}``)."""

    status_code = 400
    default_detail = "Your request is not valid"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__()
        self.errors = errors


def _flatten(detail: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], str]]:
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            out.extend(_flatten(value, (*path, str(key))))
        return out
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [(path, str(item)) for item in detail]
        out = []
        for index, item in enumerate(detail):
            out.extend(_flatten(item, (*path, str(index))))
        return out
    return [(path, str(detail))]


def field_errors(detail: Any) -> list[dict[str, str]]:
    rows = []
    for path, message in _flatten(detail):
        field = ".".join(p for p in path if p not in {"non_field_errors", "__all__"})
        rows.append({"field": field, "pointer": "#/" + field.replace(".", "/") if field else "#", "detail": message})
    return rows


def problem(status: int, detail: str, *, errors: list[dict[str, str]] | None = None, headers=None) -> Response:
    slug, title = TITLES.get(status, ("error", "Error"))
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status, headers=headers, content_type=PROBLEM_CONTENT_TYPE)
    return response


def problem_handler(exc, context) -> Response | None:
    if isinstance(exc, Http404):
        exc = exceptions.NotFound("No such record, or not one your organisation may see")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None:
        return None  # a server error: Django's 500 handling (logged, no personal data)
    status = response.status_code
    headers = {k: v for k, v in response.items() if k in {"WWW-Authenticate", "Retry-After", "Allow"}}
    if isinstance(exc, InvalidInput):
        errors = field_errors(exc.errors)
        return problem(status, _summary(errors), errors=errors, headers=headers)
    if isinstance(exc, exceptions.ValidationError):
        errors = field_errors(exc.detail)
        return problem(status, _summary(errors), errors=errors, headers=headers)
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    if isinstance(detail, (list, dict)):
        detail = "; ".join(message for _, message in _flatten(detail))
    return problem(status, str(detail), headers=headers)


def _summary(errors: list[dict[str, str]]) -> str:
    if len(errors) == 1:
        error = errors[0]
        return f"{error['field']}: {error['detail']}" if error["field"] else error["detail"]
    return f"{len(errors)} problems with your request: see errors"
