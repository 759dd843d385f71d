"""Readers for the audit trail, break-glass grants and alerts. Default deny: a user without
``audit.review_access`` gets nothing back from the access-review readers, and every reader leaves
out events, grants and alerts about records the access rules hide from the reviewer (across an
information barrier from their own cases: ``casework.audit.scope``)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from casework.accounts.models import User
from casework.audit import scope
from casework.audit.models import Alert, AuditEvent, BreakGlassGrant
from casework.audit.services import object_type_of

OBJECT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}\.[a-z][a-z0-9_]{0,49}$")
OBJECT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def may_review(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("audit.review_access"))


def _events(user: Any) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-sequence")
    hidden = scope.hidden_records(user)
    return events.exclude(scope.hidden_condition(hidden)) if hidden else events


def record_is_hidden(user: Any, object_type: str, object_id: str) -> bool:
    """The access rules hide this record (and everything about it) from ``user``."""
    return scope.is_hidden(scope.hidden_records(user), object_type, str(object_id))


def events_for_record(user: Any, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first: who looked at it, changed it, broke glass, or
    tried and was refused."""
    if not may_review(user) or record_is_hidden(user, object_type, object_id):
        return AuditEvent.objects.none()
    return AuditEvent.objects.select_related("actor").order_by("-sequence").filter(
        object_type=object_type, object_id=str(object_id)
    )


def events_by_user(user: Any, subject: User) -> QuerySet[AuditEvent]:
    """Everything ``subject`` did, newest first (less what the reviewer may not see)."""
    if not may_review(user):
        return AuditEvent.objects.none()
    return _events(user).filter(actor=subject)


def events_matching(
    user: Any, *, actor: User | None = None, reference: str = "",
    date_from: dt.date | None = None, date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events by ``actor``, about the record with ``reference``, between two dates (inclusive,
    Europe/London days), newest first."""
    if not may_review(user):
        return AuditEvent.objects.none()
    events = _events(user)
    if actor is not None:
        events = events.filter(actor=actor)
    reference = (reference or "").strip()
    if reference:
        events = events.filter(object_label__in={reference, reference.upper()})
    if date_from is not None:
        events = events.filter(occurred_at__gte=start_of_day(date_from))
    if date_to is not None:
        events = events.filter(occurred_at__lt=start_of_day(date_to + dt.timedelta(days=1)))
    return events


def start_of_day(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day`` in Europe/London, as an aware datetime."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def recent_access(obj: models.Model, limit: int = 10, *, viewer: Any = None) -> list[AuditEvent]:
    """The latest ``limit`` events on ``obj``, newest first, for the "Who looked at this record"
    panel. Pass ``viewer`` to get an empty list when they may not review access."""
    if viewer is not None and not may_review(viewer):
        return []
    if obj is None or obj.pk is None:
        return []
    events = events_for_record(viewer, object_type_of(obj), str(obj.pk)) if viewer is not None else (
        AuditEvent.objects.select_related("actor").order_by("-sequence")
        .filter(object_type=object_type_of(obj), object_id=str(obj.pk))
    )
    return list(events[: max(0, int(limit))])


def auditable_user(user: Any, user_id: int) -> User | None:
    """The account whose activity a clinical lead wants to see (any account, agency referrers
    included); None if there is no such account or the viewer may not review access."""
    if not may_review(user):
        return None
    return User.objects.filter(pk=user_id).first()


def break_glass_grants_visible_to(user: Any) -> QuerySet[BreakGlassGrant]:
    """Every break-glass grant, newest first, for clinical leads; nothing for anyone else."""
    if not may_review(user):
        return BreakGlassGrant.objects.none()
    grants = BreakGlassGrant.objects.select_related("user").order_by("-granted_at", "-id")
    hidden = scope.hidden_records(user)
    return grants.exclude(scope.hidden_condition(hidden)) if hidden else grants


def _alerts(user: Any) -> QuerySet[Alert]:
    if not getattr(user, "is_authenticated", False):
        return Alert.objects.none()
    alerts = Alert.objects.filter(recipient=user).select_related("grant", "grant__user")
    hidden = scope.hidden_records(user)
    return alerts.exclude(scope.hidden_condition(hidden)) if hidden else alerts


def alerts_for(user: Any) -> QuerySet[Alert]:
    """The alerts raised to ``user``, unacknowledged first, then newest first."""
    return _alerts(user).order_by(models.F("acknowledged_at").desc(nulls_first=True), "-raised_at", "-id")


def unacknowledged_alerts_for(user: Any) -> QuerySet[Alert]:
    return _alerts(user).filter(acknowledged_at__isnull=True).order_by("-raised_at", "-id")


def latest_label(user: Any, object_type: str, object_id: str) -> str:
    """The reference the newest event on a record carries (never a name), for page headings."""
    if not may_review(user) or record_is_hidden(user, object_type, object_id):
        return ""
    label = (
        AuditEvent.objects.filter(object_type=object_type, object_id=str(object_id))
        .order_by("-sequence").values_list("object_label", flat=True).first()
    )
    return label or ""
