"""Error pages in the NHS.UK style. They reveal nothing about what exists.

Each page is rendered with the service's layout when it can be, and otherwise with a minimal,
self-contained fallback (no ``static()``, no database, no template): an error page must not fail
for the same reason the request did (a database outage, a missing static manifest, a broken
template). A database that cannot be reached answers 503, "the service is unavailable", rather
than 500. Every page is the service's own: nobody sees the web server's bare error page.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape

logger = logging.getLogger(__name__)

NOT_FOUND = (
    "Page not found",
    "If you typed the web address, check it is correct. If you followed a link, the page may have moved, "
    "or you may not have access to it.",
)
FORBIDDEN = (
    "You do not have permission to do this",
    "Your role does not allow this action. Ask a clinical lead or your system administrator if you think it should.",
)
BAD_REQUEST = ("Sorry, there is a problem with this request", "Go back and try again.")
SERVER_ERROR = ("Sorry, there is a problem with the service", "Try again later. The problem has been recorded.")
UNAVAILABLE = (
    "Sorry, the service is unavailable",
    "The service cannot reach its records at the moment. Nothing you saved before this page was lost. "
    "Try again in a few minutes.",
)
CSRF_FAILED = (
    "Sorry, this form has expired",
    "For your security, forms expire if they are left open too long or were opened in another tab "
    "before you signed in again. Go back, reload the page and try again.",
)

FALLBACK = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – NSC Casework</title></head>
<body>
<header><p><strong>NSC Casework</strong> – National Stalking Clinic</p></header>
<main id="maincontent">
<h1>{title}</h1>
<p>{body}</p>
<p><a href="/">Go to My work</a></p>
</main>
</body>
</html>
"""


def fallback_page(status: int, title: str, body: str) -> HttpResponse:
    """The error page without the layout: plain HTML, nothing it needs can fail."""
    html = FALLBACK.format(title=escape(title), body=escape(body))
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def error_page(request: HttpRequest, status: int, title: str, body: str) -> HttpResponse:
    try:
        return render(request, "core/error.jinja", {"title": title, "body": body}, status=status)
    except Exception as failure:  # any failure of the layout falls back
        logger.error(
            "The %s page could not render with the layout (%s); sent the fallback page", status, type(failure).__name__
        )
        return fallback_page(status, title, body)


def database_unreachable(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 404, *NOT_FOUND)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 403, *FORBIDDEN)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return error_page(request, 400, *BAD_REQUEST)


def server_error(request: HttpRequest) -> HttpResponse:
    """500, or 503 when the database cannot be reached. Called while the exception is handled."""
    if database_unreachable(sys.exc_info()[1]):
        # The layout asks the database who is signed in: go straight to the fallback.
        return fallback_page(503, *UNAVAILABLE)
    return error_page(request, 500, *SERVER_ERROR)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: the service's own page, not Django's."""
    return error_page(request, 403, *CSRF_FAILED)
