"""Error pages in the NHS.UK style. They reveal nothing about what exists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _page(request: HttpRequest, status: int, title: str, body: str) -> HttpResponse:
    return render(request, "core/error.jinja", {"title": title, "body": body}, status=status)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 404, "Page not found",
                 "If you typed the web address, check it is correct. If you followed a link, the page may have moved, "
                 "or you may not have access to it.")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 403, "You do not have permission to do this",
                 "Your role does not allow this action. Ask a clinical lead or your system administrator if you think it should.")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400, "Sorry, there is a problem with this request", "Go back and try again.")


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(request, 500, "Sorry, there is a problem with the service",
                 "Try again later. The problem has been recorded.")
