from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from casework.core.errors import error_page

_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id, kept on audit events and returned as X-Request-ID."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # An attribute of our own on the request (read by audit and logging), which HttpRequest's type cannot declare.
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        response.setdefault("Cache-Control", "no-store")
        return response


# C0 controls (but tab, line feed and carriage return), DEL and the C1 controls.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In the address and the query string not even tab and new lines belong.
CONTROL_CHARACTERS_IN_ADDRESS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character_in(request: HttpRequest) -> str | None:
    """Where the request carries a control character: "address", "form" or "cookie", or None."""
    if CONTROL_CHARACTERS_IN_ADDRESS.search(request.path):
        return "address"
    for _, value in request.GET.lists():
        if any(CONTROL_CHARACTERS_IN_ADDRESS.search(item) for item in value):
            return "address"
    if any(
        CONTROL_CHARACTERS.search(key) or CONTROL_CHARACTERS.search(value) for key, value in request.COOKIES.items()
    ):
        return "cookie"
    if request.method == "POST":
        for key, values in request.POST.lists():
            if CONTROL_CHARACTERS.search(key) or any(CONTROL_CHARACTERS.search(item) for item in values):
                return "form"
    return None


class RefuseControlCharactersMiddleware:
    """Refuse, at the edge, a request with a NUL or another control character in its address, its
    query string, a form field or a cookie: 400 with a page that says why, before anything reads
    the database (PostgreSQL refuses NUL in text; SQLite would store it). Tab, line feed and
    carriage return are allowed in form fields (multi-line text). Uploaded files are checked by
    whatever reads them (``casework/cases/incident_table.py``)."""

    WHERE = {
        "address": "the web address",
        "form": "what was typed into the form",
        "cookie": "a cookie your browser sent",
    }

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = control_character_in(request)
        if where is None:
            return self.get_response(request)
        if where == "cookie":
            request.COOKIES = {}
        message = (
            f"{self.WHERE[where][:1].upper()}{self.WHERE[where][1:]} contains a control character "
            "(such as a NUL byte) that the service cannot accept."
        )
        if request.path.startswith("/api/"):
            # The agency API answers problem details (RFC 9457), as its own errors are (ADR 0023).
            problem = {
                "type": "https://casework.invalid/api/problems/invalid-request",
                "title": "Your request is not valid",
                "status": 400,
                "detail": message,
            }
            return JsonResponse(problem, status=400, content_type="application/problem+json")
        return error_page(
            request,
            400,
            "Sorry, there is a problem with this request",
            f"{self.WHERE[where][:1].upper()}{self.WHERE[where][1:]} contains a control character "
            "(such as a NUL byte) that the service cannot accept. Remove it and try again: "
            "if you pasted text, paste it as plain text.",
        )
