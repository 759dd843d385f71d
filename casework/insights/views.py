"""The service dashboards, at /insights/: figures for clinical leads over a period of whole months,
each drawn as an accessible SVG bar chart beside a table of its numbers, and each exported as CSV
or XLSX with the same period. Viewing is audited as a view, each export as an export (the caseload
figure names staff)."""

from __future__ import annotations

import csv
import io
import math

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from openpyxl import Workbook

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.incident_table import safe_cell
from casework.core.permissions import require
from casework.insights import figures
from casework.insights.forms import PeriodForm

OBJECT_TYPE = "insights.dashboard"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    require(request.user, "insights.view_dashboard")
    form = PeriodForm(request.GET or None)
    period = form.period()
    shown, as_of = figures.cached_figures(request.user, period)
    record(
        action=Action.VIEW,
        request=request,
        object_type=OBJECT_TYPE,
        object_label=f"service dashboards, {period.label}",
    )
    query = form.query()
    return render(
        request,
        "insights/dashboard.jinja",
        {
            "form": form,
            "period": period,
            "figures": shown,
            "as_of": timezone.localtime(as_of),
            "refresh_minutes": math.ceil(settings.CASEWORK_INSIGHTS_CACHE_SECONDS / 60),
            "may_export": request.user.has_perm("insights.export"),
            "export_urls": {
                f.slug: {
                    "csv": reverse("insights:export_csv", args=[f.slug]) + "?" + query,
                    "xlsx": reverse("insights:export_xlsx", args=[f.slug]) + "?" + query,
                }
                for f in shown
            },
        },
        status=400 if form.errors else 200,
    )


def _cell(value: figures.Cell) -> figures.Cell:
    """Numbers stay numbers; text is made safe from being run as a spreadsheet formula."""
    return value if isinstance(value, int | float) or value is None else safe_cell(value)


def _export(request: HttpRequest, slug: str, kind: str) -> tuple[figures.Figure, figures.Period] | HttpResponse:
    require(request.user, "insights.export")
    if slug not in figures.FIGURES:
        raise Http404
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return dashboard(request)
    period = form.period()
    figure = figures.figure(request.user, slug, period)
    record(
        action=Action.EXPORT,
        request=request,
        object_type=OBJECT_TYPE,
        object_label=f"{figure.title}, {period.label}",
        reason=f"Dashboard figure exported as {kind.upper()}",
        changes={"figure": slug, "from": period.first, "to": period.last, "rows": len(figure.rows)},
    )
    return figure, period


def _attachment(response: HttpResponse, slug: str, period: figures.Period, extension: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{slug}-{period.slug()}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_csv(request: HttpRequest, figure: str) -> HttpResponse:
    made = _export(request, figure, "csv")
    if isinstance(made, HttpResponse):
        return made
    found, period = made
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(found.columns)
    for row in found.rows:
        writer.writerow(["" if cell is None else _cell(cell) for cell in row])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    return _attachment(response, found.slug, period, "csv")


@require_GET
def export_xlsx(request: HttpRequest, figure: str) -> HttpResponse:
    made = _export(request, figure, "xlsx")
    if isinstance(made, HttpResponse):
        return made
    found, period = made
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Figure"
    sheet.append(found.columns)
    for row in found.rows:
        sheet.append([_cell(cell) for cell in row])
    about = book.create_sheet("About")
    for line in (
        ("Figure", found.title),
        ("Period", period.label),
        ("What it counts", found.about),
        ("Summary", found.headline),
        ("Note", found.note),
        ("Exported", timezone.localtime().strftime("%d %B %Y %H:%M")),
    ):
        about.append([safe_cell(part) for part in line])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    return _attachment(response, found.slug, period, "xlsx")
