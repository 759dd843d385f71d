"""The commissioner's view in the portal: "Your service" (casework.insights.commissioner). Viewing
is audited as a view of the dashboard for the user's organisation."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import require
from casework.insights import commissioner
from casework.insights.forms import PeriodForm

OBJECT_TYPE = "insights.your_service"


@never_cache
@require_GET
def your_service(request: HttpRequest) -> HttpResponse:
    require(request.user, "insights.view_your_service")
    form = PeriodForm(request.GET or None)
    period = form.period()
    shown = commissioner.commissioner_figures(request.user, period)
    record(
        action=Action.VIEW,
        request=request,
        object_type=OBJECT_TYPE,
        object_label=f"your service, {period.label}",
    )
    return render(
        request,
        "insights/your_service.jinja",
        {"form": form, "period": period, "figures": shown},
        status=400 if form.errors else 200,
    )
