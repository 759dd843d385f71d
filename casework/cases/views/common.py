"""What the case views share: loading a case for this user (or 404), the permission checks, and
the one form page most case actions use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from casework.access import policy
from casework.audit.services import record_view
from casework.cases.models import Case
from casework.cases.queries import cases_visible_to
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal


def case_or_404(request: HttpRequest, reference: str, permission: str = "cases.view") -> Case:
    """The case, if this user may see it; otherwise 404, which says nothing about whether it exists
    (a refused request for a case that does exist is audited: ``access.policy.get_or_404``).
    Then ``permission`` on the case, or 403."""
    if not request.user.has_perm("cases.view_list"):
        raise Http404("No such case")
    case = policy.get_or_404(
        request,
        Case,
        queryset=cases_visible_to(request.user).select_related("subject", "opened_by"),
        reference=reference,
    )
    if not request.user.has_perm("cases.view", case):
        raise Http404("No such case")
    if permission != "cases.view":
        require(request.user, permission, case)
    return case


def case_url(case: Case, anchor: str = "") -> str:
    return reverse("cases:detail", args=[case.reference]) + (f"#{anchor}" if anchor else "")


def form_page(
    request: HttpRequest,
    *,
    case: Case,
    form,
    title: str,
    save: Callable[[dict[str, Any]], Any],
    success_message: str,
    success_url: str | None = None,
    cancel_url: str | None = None,
    template: str = "cases/form.jinja",
    submit_text: str = "Save",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """Show ``form``; on a valid POST call ``save(cleaned_data)`` (a service) and go back to the case.
    A refused form answers 400 with the NHS error summary and what the user typed."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, success_message)
            return redirect(success_url or case_url(case))
    if request.method == "GET":
        record_view(request, case)
    context = {
        "case": case,
        "form": form,
        "title": title,
        "submit_text": submit_text,
        "cancel_url": cancel_url or case_url(case),
        **(extra or {}),
    }
    return render(request, template, context, status=400 if form.is_bound else 200)
