"""Access review for clinical leads: who looked at a record (and who tried and was refused), what a
user looked at, break-glass use and its alerts. Reading any of these pages is itself audited, and
every page leaves out what the access rules hide from the reviewer (``queries``, ``scope``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from casework.access import review as queries
from casework.access.links import record_log_url, user_log_url
from casework.access.review_forms import AccessSearchForm
from casework.audit.models import Action
from casework.audit.services import alert_acknowledge, record_audit_log_view, record_refusal
from casework.core import formatting
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.roles import Role

ACTION_LABELS = dict(Action.choices)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# --- Shaping events for the page (no queries in templates) -------------------------------------


def role_label(value: str) -> str:
    try:
        return Role(value).label
    except ValueError:
        return value or ""


def show_value(value: Any) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):
        try:
            if _ISO_DATETIME.match(value):
                return formatting.datetime_gb(dt.datetime.fromisoformat(value))
            if _ISO_DATE.match(value):
                return formatting.date_gb(dt.date.fromisoformat(value))
        except ValueError:
            pass
        return value
    if isinstance(value, list):
        return ", ".join(show_value(v) for v in value) or "(none)"
    if isinstance(value, dict):
        return "; ".join(f"{_field_name(k)}: {show_value(v)}" for k, v in value.items())
    return str(value)


def _field_name(name: str) -> str:
    name = str(name)
    if name.endswith("_id"):
        name = name[:-3]
    return name.replace("_", " ").capitalize()


def _model_of(object_type: str | None) -> type[Model] | None:
    try:
        return apps.get_model(object_type) if object_type else None
    except (LookupError, ValueError):
        return None


def _labelled(model: type[Model] | None, name: str, value: Any) -> Any:
    """A choice's stored value shown as its label ("awaiting_information" is "Awaiting information"),
    for a field of ``model`` that has choices; a list of choices label by label."""
    try:
        field = model._meta.get_field(name) if model is not None else None
    except FieldDoesNotExist:
        field = None
    # (A reverse relation, such as a case's "team", has no choices of its own.)
    labels = {str(k): str(v) for k, v in field.flatchoices} if isinstance(field, Field) and field.choices else {}
    if not labels and model is not None:
        labels = {str(k): str(v) for k, v in dict(getattr(model, "AUDIT_VALUE_LABELS", {}).get(name, ())).items()}
    if not labels:
        return value
    if isinstance(value, list):
        return [labels.get(str(v), v) for v in value]
    return labels.get(str(value), value) if isinstance(value, str | int) else value


def change_rows(changes: Any, object_type: str | None = None) -> list[dict[str, str | None]]:
    if not isinstance(changes, dict):
        return []
    model = _model_of(object_type)
    rows = []
    for name, value in changes.items():
        if isinstance(value, dict) and set(value) == {"old", "new"}:
            old = None if value["old"] is None else show_value(_labelled(model, name, value["old"]))
            rows.append(
                {"field": _field_name(name), "old": old, "new": show_value(_labelled(model, name, value["new"]))}
            )
        else:
            rows.append({"field": _field_name(name), "old": None, "new": show_value(_labelled(model, name, value))})
    return rows


def _links_to_record(object_type: str, object_id: str) -> bool:
    return bool(
        queries.OBJECT_TYPE_PATTERN.match(object_type or "") and queries.OBJECT_ID_PATTERN.match(object_id or "")
    )


def event_rows(events) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        actor = event.actor
        rows.append(
            {
                "sequence": event.sequence,
                "when": event.occurred_at,
                "who": actor.full_name if actor is not None else "No account",
                "who_url": user_log_url(actor) if actor is not None else None,
                "role": role_label(event.actor_role),
                "action": ACTION_LABELS.get(event.action, event.action),
                "refused": event.action == Action.REFUSED,
                "record": event.object_label or " ".join(filter(None, [event.object_type, event.object_id])),
                "record_url": record_log_url(object_type=event.object_type, object_id=event.object_id)
                if _links_to_record(event.object_type, event.object_id)
                else None,
                "reason": event.reason,
                "ip_address": event.ip_address or "",
                "request_id": event.request_id,
                "changes": change_rows(event.changes, event.object_type),
            }
        )
    return rows


def grant_rows(grants, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = now or timezone.now()
    return [
        {
            "who": grant.user.full_name,
            "who_url": user_log_url(grant.user),
            "record": grant.object_label,
            "record_url": record_log_url(object_type=grant.object_type, object_id=grant.object_id)
            if _links_to_record(grant.object_type, grant.object_id)
            else None,
            "reason": grant.reason,
            "granted_at": grant.granted_at,
            "expires_at": grant.expires_at,
            "active": grant.is_active(now),
            "crosses_barrier": grant.crosses_barrier,
        }
        for grant in grants
    ]


# --- Pages -------------------------------------------------------------------------------------


@require_GET
def review(request: HttpRequest) -> HttpResponse:
    """Access review home: recent break-glass use, and a search of the audit trail."""
    require(request.user, "audit.review_access")
    page = paginate(request, queries.break_glass_grants_visible_to(request.user))
    record_audit_log_view(request, log="review", label=f"Access review, break-glass grants page {page.number}")
    return render(
        request,
        "audit/review.jinja",
        {
            "form": AccessSearchForm(),
            "grants": grant_rows(page.object_list),
            "page": page,
            "links": page_links(request, page),
            "alert_count": queries.unacknowledged_alerts_for(request.user).count(),
        },
    )


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    require(request.user, "audit.review_access")
    if not AccessSearchForm.submitted(request.GET):
        return render(request, "audit/search.jinja", {"form": AccessSearchForm(), "page": None})
    form = AccessSearchForm(request.GET)
    if not form.is_valid():
        return render(request, "audit/search.jinja", {"form": form, "page": None}, status=400)
    data = form.cleaned_data
    page = paginate(
        request,
        queries.events_matching(
            request.user,
            actor=form.actor,
            reference=data["reference"],
            date_from=data["date_from"],
            date_to=data["date_to"],
        ),
    )
    record_audit_log_view(request, log="search", label="Audit search", criteria=form.criteria())
    return render(
        request,
        "audit/search.jinja",
        {
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "events": event_rows(page.object_list),
        },
    )


@require_GET
def record_log(request: HttpRequest, object_type: str, object_id: str) -> HttpResponse:
    """Who looked at (or changed) one record, newest first."""
    require(request.user, "audit.review_access")
    if not (queries.OBJECT_TYPE_PATTERN.match(object_type) and queries.OBJECT_ID_PATTERN.match(object_id)):
        raise Http404
    if queries.record_is_hidden(request.user, object_type, object_id):
        record_refusal(request, object_type=object_type, object_id=object_id)
        raise Http404
    page = paginate(request, queries.events_for_record(request.user, object_type, object_id))
    label = queries.latest_label(request.user, object_type, object_id) or f"{object_type} {object_id}"
    record_audit_log_view(request, log="record", label=f"Access log of {object_type} {object_id}"[:200])
    return render(
        request,
        "audit/record_log.jinja",
        {
            "label": label,
            "object_type": object_type,
            "object_id": object_id,
            "page": page,
            "links": page_links(request, page),
            "events": event_rows(page.object_list),
        },
    )


@require_GET
def user_log(request: HttpRequest, user_id: int) -> HttpResponse:
    """Everything one user did, newest first."""
    require(request.user, "audit.review_access")
    subject = queries.auditable_user(request.user, user_id)
    if subject is None:
        raise Http404
    page = paginate(request, queries.events_by_user(request.user, subject))
    record_audit_log_view(request, log="user", label=f"Activity of user {subject.pk}")
    return render(
        request,
        "audit/user_log.jinja",
        {
            "subject": subject,
            "subject_role": subject.role_label,
            "about_url": record_log_url(subject),
            "page": page,
            "links": page_links(request, page),
            "events": event_rows(page.object_list),
        },
    )


@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """The alerts raised to this user (clinical leads, a Caldicott guardian, the lead clinician of
    a victim's case), unacknowledged first."""
    require(request.user, "audit.view_alerts")
    page = paginate(request, queries.alerts_for(request.user))
    record_audit_log_view(request, log="alerts", label=f"Break-glass alerts page {page.number}")
    now = timezone.now()
    may_review = request.user.has_perm("audit.review_access")
    rows = [
        {
            "id": alert.pk,
            "message": alert.message,
            "raised_at": alert.raised_at,
            "acknowledged_at": alert.acknowledged_at,
            "grant": grant_rows([alert.grant], now)[0] if alert.grant is not None else None,
            "record_url": record_log_url(object_type=alert.object_type, object_id=alert.object_id)
            if may_review and _links_to_record(alert.object_type, alert.object_id)
            else None,
        }
        for alert in page.object_list
    ]
    return render(
        request,
        "audit/alerts.jinja",
        {
            "alerts": rows,
            "page": page,
            "links": page_links(request, page),
            "next": request.get_full_path(),
        },
    )


@require_POST
def alert_acknowledge_view(request: HttpRequest, alert_id: int) -> HttpResponse:
    alert = get_object_or_404(queries.alerts_for(request.user), pk=alert_id)
    require(request.user, "audit.acknowledge_alert", alert)
    if alert_acknowledge(alert=alert, by=request.user, request=request):
        messages.success(request, "Alert acknowledged")
    return redirect(_safe_next(request) or "audit:alerts")


def _safe_next(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or ""
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, {request.get_host()}, request.is_secure()
    ):
        return candidate
    return ""
