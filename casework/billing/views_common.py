"""What the billing pages share (``views`` and ``invoice_views``): the one form page, and a button
that calls a service and comes back with what it said.

A form page shows its form on a GET; on a valid POST it calls a service, and when the service
succeeds says so and redirects; when the form or the service refuses, it answers 400 with the
reason by its field and what was typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casework.core.refusals import Refused, show_refusal

GET_POST = ["GET", "POST"]


def posted(request: HttpRequest):
    """The submitted data on a POST (even an empty one, so it is validated), None on a GET."""
    return request.POST if request.method == "POST" else None


def form_page(
    request: HttpRequest,
    form,
    *,
    save: Callable[[dict[str, Any]], Any],
    success: Callable[[Any], tuple[str, str]],
    title: str,
    back: str,
    submit_text: str,
    caption: str = "",
    intro: str = "",
) -> HttpResponse:
    """Show ``form`` on billing's form page. On a valid POST call ``save(cleaned_data)`` (a service);
    when it succeeds, ``success(what save returned)`` gives the message to show and the address to
    go to. A refusal is shown by its field, and the page answers 400 keeping what was typed."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(form.cleaned_data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            message, url = success(saved)
            messages.success(request, message)
            return redirect(url)
    return render(
        request,
        "billing/form.jinja",
        {"form": form, "title": title, "back": back, "submit_text": submit_text, "caption": caption, "intro": intro},
        status=400 if form.is_bound and form.errors else 200,
    )


def act(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call ``action`` (a service, for a button with no form) and show ``success``, or the reason it
    was refused, as a message. True when it succeeded."""
    try:
        action()
    except Refused as refused:
        messages.error(request, refused.message)
        return False
    messages.success(request, success)
    return True
