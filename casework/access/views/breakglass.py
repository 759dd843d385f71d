"""The break-glass page every record app routes to from its own URL (``/cases/<ref>/break-glass/``
and the like): the app finds the record with ``breakglass.target`` and passes it here."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casework.access.breakglass import BreakGlassRefused, Target, open_grant
from casework.access.forms import BreakGlassForm
from casework.core.permissions import require
from casework.core.refusals import show_refusal


@require_http_methods(["GET", "POST"])
def break_glass_page(
    request: HttpRequest,
    *,
    target: Target,
    record_label: str,
    record_noun: str,
    cancel_url: str,
    success_url: str,
) -> HttpResponse:
    """Ask for a written reason and, once given, open ``target`` for reading with a time-limited
    grant (``breakglass.open_grant``). ``record_label`` is its reference, never a name;
    ``record_noun`` says what it is ("case", "referral", "person's sealed details")."""
    require(request.user, "access.use_break_glass")
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            open_grant(user=request.user, obj=target.obj, reason=form.cleaned_data["reason"], request=request)
        except BreakGlassRefused as refused:
            show_refusal(form, refused)
        else:
            return redirect(success_url)
    return render(
        request,
        "access/break_glass.jinja",
        {
            "form": form,
            "record_label": record_label,
            "record_noun": record_noun,
            "cancel_url": cancel_url,
            "hours": settings.CASEWORK_BREAK_GLASS_HOURS,
            "crosses_barrier": target.crosses_barrier,
        },
        status=400 if form.is_bound else 200,
    )
