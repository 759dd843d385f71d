"""The incident timeline: the full list, the CSV export, adding and correcting an incident, and
adding many from a table (paste or upload, preview, confirm: all or nothing)."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.cases import incident_table, queries
from casework.cases.choices import SEVERITY_LABELS, SEVERITY_LEVELS, Behaviour, CaseKind, Channel, Source
from casework.cases.forms import IncidentForm, IncidentImportForm
from casework.cases.services import records
from casework.cases.views.common import case_or_404, case_url, form_page
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.refusals import Refused, show_refusal

TIMELINE_PER_PAGE = 50


def incident_row(incident) -> dict:
    return {
        "pk": incident.pk,
        "occurred_on": incident.occurred_on,
        "occurred_time": incident.occurred_time,
        "precision": incident.precision,
        "behaviour": Behaviour(incident.behaviour).label,
        "channel": Channel(incident.channel).label,
        "victim": incident.victim.name_as_given if incident.victim else "Not recorded",
        "source": Source(incident.source).label,
        "severity": incident.severity,
        "severity_label": SEVERITY_LABELS[incident.severity],
        "description": incident.description,
        "documents": list(incident.documents.all()),
    }


@require_GET
def timeline(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.view_clinical")
    page = paginate(request, queries.incidents_of(case), per_page=TIMELINE_PER_PAGE)
    record_view(request, case)
    return render(
        request,
        "cases/timeline.jinja",
        {
            "case": case,
            "page": page,
            "links": page_links(request, page),
            "rows": [incident_row(i) for i in page.object_list],
            "can_edit": request.user.has_perm("cases.edit_clinical", case),
            "can_export": request.user.has_perm("cases.export", case),
        },
    )


@require_GET
def timeline_export(request: HttpRequest, reference: str) -> HttpResponse:
    """The whole timeline as CSV, in the columns the table import reads. Audited as an export."""
    case = case_or_404(request, reference, "cases.export")
    out = io.StringIO()
    incident_table.write(queries.incidents_for_export(case), out)
    record(action=Action.EXPORT, request=request, obj=case, reason="Incident timeline exported as CSV")
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.reference}-incidents.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _incident_form(request, case, incident=None) -> IncidentForm:
    parties = queries.parties_of(case)
    victims = queries.victim_choices_of(case, parties)
    initial: dict[str, Any] = {"precision": "day", "source": "victim"}
    if case.kind == CaseKind.VICTIM and victims:
        initial["victim"] = str(victims[0].pk)
    if incident is not None:
        initial = {
            "occurred_on": incident.occurred_on,
            "precision": incident.precision,
            "occurred_time": incident.occurred_time.strftime("%H:%M") if incident.occurred_time else "",
            "behaviour": incident.behaviour,
            "channel": incident.channel,
            "victim": str(incident.victim_id or ""),
            "source": incident.source,
            "severity": str(incident.severity),
            "description": incident.description,
            "documents": [str(d.pk) for d in incident.documents.all()],
            "place": incident.place,
        }
    form = IncidentForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        victims=victims,
        documents=queries.documents_of(case),
        victim_case=case.kind == CaseKind.VICTIM,
    )
    form.victims_by_pk = {str(p.pk): p for p in victims}
    return form


def _fields(form, data) -> dict:
    return {
        "occurred_on": data["occurred_on"],
        "occurred_time": data.get("occurred_time"),
        "precision": data["precision"],
        "behaviour": data["behaviour"],
        "channel": data["channel"],
        "victim": form.victims_by_pk.get(data.get("victim") or ""),
        "source": data["source"],
        "severity": int(data["severity"]),
        "description": data["description"],
        "place": data.get("place") or "",
        "documents": [int(pk) for pk in data.get("documents") or []],
    }


@require_http_methods(["GET", "POST"])
@creates_record
def incident_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    form = _incident_form(request, case)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add an incident",
        template="cases/incident_form.jinja",
        save=lambda data: records.incident_add(case=case, by=request.user, request=request, **_fields(form, data)),
        success_message="Incident added",
        success_url=case_url(case, "timeline"),
        extra={"severity_levels": SEVERITY_LEVELS},
    )


@require_http_methods(["GET", "POST"])
def incident_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.edit_clinical")
    incident = queries.incident_of(case, pk)
    if incident is None:
        raise Http404("No such incident")
    form = _incident_form(request, case, incident)
    return form_page(
        request,
        case=case,
        form=form,
        title="Correct an incident",
        template="cases/incident_form.jinja",
        save=lambda data: records.incident_update(
            incident=incident, by=request.user, request=request, **_fields(form, data)
        ),
        success_message="Incident corrected",
        success_url=reverse("cases:timeline", args=[case.reference]),
        extra={"severity_levels": SEVERITY_LEVELS},
    )


def _read_table(case, text: str) -> incident_table.ParsedTable:
    parties = queries.parties_of(case)
    victims = queries.victim_choices_of(case, parties)
    by_name = {" ".join(p.name_as_given.lower().split()): p for p in victims}
    default = victims[0] if case.kind == CaseKind.VICTIM and victims else None
    return incident_table.read(text, victims=by_name, default_victim=default, today=timezone.localdate())


@require_http_methods(["GET", "POST"])
@creates_record
def incident_import(request: HttpRequest, reference: str) -> HttpResponse:
    """Step 1: paste or upload. Step 2 (a POST without ``confirm``): the preview, every row checked,
    bad rows shown with their reasons. Step 3 (``confirm``): all the rows, in one transaction."""
    case = case_or_404(request, reference, "cases.edit_clinical")
    posted = request.method == "POST"
    form = IncidentImportForm(request.POST if posted else None, request.FILES if posted else None)
    table = None
    if posted and form.is_valid():
        table = _read_form_table(case, form)
        if table is not None and table.valid and request.POST.get("confirm") == "yes":
            created = _import_rows(request, case, form, table)
            if created is not None:
                messages.success(request, f"{len(created)} incident{'s' if len(created) != 1 else ''} added")
                return redirect("cases:timeline", reference=case.reference)
    if not posted:
        record_view(request, case)
    return _import_page(request, case, form, table)


def _read_form_table(case, form: IncidentImportForm) -> incident_table.ParsedTable | None:
    """The pasted or uploaded table, every row checked; None (the reason on the form) when it
    cannot be read at all."""
    try:
        return _read_table(case, form.cleaned_data["table"])
    except incident_table.TableRefused as refused:
        form.add_error("file" if form.cleaned_data.get("file") else "table", str(refused))
        return None


def _import_rows(request: HttpRequest, case, form: IncidentImportForm, table: incident_table.ParsedTable):
    """Every row of a valid table, all or nothing; None (the refusal on the form) when refused."""
    try:
        return records.incidents_import(case=case, rows=table.incident_fields(), by=request.user, request=request)
    except Refused as refused:
        show_refusal(form, refused)
        return None


def _import_page(
    request: HttpRequest, case, form: IncidentImportForm, table: incident_table.ParsedTable | None
) -> HttpResponse:
    """The paste-or-upload page, with the preview when there is a table; 400 when anything is wrong."""
    posted = request.method == "POST"
    errors = form.error_summary() if form.is_bound else []
    if table is not None:
        errors += [{"text": f"Row {row.number}: {row.errors[0]}", "href": f"#row-{row.number}"} for row in table.errors]
    status = 200 if not posted or (table is not None and table.valid and not form.errors) else 400
    return render(
        request,
        "cases/incident_import.jinja",
        {
            "case": case,
            "form": form,
            "table": table,
            "errors": errors,
            "columns": incident_table.COLUMNS,
            "text": form.cleaned_data.get("table", "") if form.is_bound and hasattr(form, "cleaned_data") else "",
            "behaviours": [b.label for b in Behaviour],
            "channels": [c.label for c in Channel],
            "sources": [s.label for s in Source],
            "cancel_url": case_url(case),
        },
        status=status,
    )
