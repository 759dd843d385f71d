"""The access review: what the audit trail may show a reviewer, and the readers its pages use
(who looked at a record, what a user did, the audit search, break-glass grants and alerts).

Default deny: a user without ``audit.review_access`` gets nothing back from the review readers.
Every reader leaves out events, grants and alerts about a record across an information barrier
from the reviewer's own cases — unless the reviewer holds an active break-glass grant on that
record, which they opened knowingly across the barrier. Events about records of every registered
type are covered: an incident's events follow its case, a document's its referral (``registry``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import models
from django.db.models import Q, QuerySet
from django.utils import timezone

from casework.access import barrier, grants, registry
from casework.access.scopes import is_active_user
from casework.accounts.models import User
from casework.audit.models import Alert, AuditEvent, BreakGlassGrant
from casework.audit.services import object_type_of


def hidden_records(user) -> dict[str, set[str]]:
    """{audit object type: {object ids}} of the records whose events ``user`` may not review.
    Usually empty, in one query; a few more when the user's cases stand beside a barrier."""
    if not is_active_user(user):
        return {}
    across_cases = barrier.across_ids(user)
    if not across_cases:
        return {}
    anchors = {
        registry.CASE: set(across_cases),
        registry.PERSON: set(barrier.persons_behind_barrier_for(user)),
        registry.REFERRAL: set(barrier.referrals_behind_barrier_for(user)),
    }
    for anchor, ids in anchors.items():
        if ids:
            ids -= grants.granted_ids(user, grants.label_of(registry.anchor_model(anchor)), ids)
    hidden: dict[str, set[str]] = {}
    for kind in registry.all_kinds():
        ids = anchors[kind.within]
        if not ids:
            continue
        if kind.is_anchor:
            hidden[kind.label] = {str(pk) for pk in ids}
        else:
            rows = kind.model._default_manager.filter(**{f"{kind.path}__in": sorted(ids)}).values_list("pk", flat=True)
            found = {str(pk) for pk in rows}
            if found:
                hidden[kind.label] = found
    return hidden


def hidden_condition(hidden: dict[str, set[str]], *, type_field: str = "object_type", id_field: str = "object_id") -> Q:
    """A filter matching rows about any of ``hidden``'s records (to ``exclude``)."""
    condition = Q(pk__in=[])
    for object_type, ids in hidden.items():
        condition |= Q(**{type_field: object_type, f"{id_field}__in": sorted(ids)})
    return condition


OBJECT_TYPE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}\.[a-z][a-z0-9_]{0,49}$")
OBJECT_ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def may_review(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("audit.review_access"))


def _events(user: Any) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor").order_by("-id")
    hidden = hidden_records(user)
    return events.exclude(hidden_condition(hidden)) if hidden else events


def record_is_hidden(user: Any, object_type: str, object_id: str) -> bool:
    """The access rules hide this record (and everything about it) from ``user``."""
    return str(object_id) in hidden_records(user).get(object_type, set())


def events_for_record(user: Any, object_type: str, object_id: str) -> QuerySet[AuditEvent]:
    """Every event about one record, newest first: who looked at it, changed it, broke glass, or
    tried and was refused."""
    if not may_review(user) or record_is_hidden(user, object_type, object_id):
        return AuditEvent.objects.none()
    return (
        AuditEvent.objects.select_related("actor")
        .order_by("-id")
        .filter(object_type=object_type, object_id=str(object_id))
    )


def events_by_user(user: Any, subject: User) -> QuerySet[AuditEvent]:
    """Everything ``subject`` did, newest first (less what the reviewer may not see)."""
    if not may_review(user):
        return AuditEvent.objects.none()
    return _events(user).filter(actor=subject)


def events_matching(
    user: Any,
    *,
    actor: User | None = None,
    reference: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
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
    events = (
        events_for_record(viewer, object_type_of(obj), str(obj.pk))
        if viewer is not None
        else (
            AuditEvent.objects.select_related("actor")
            .order_by("-id")
            .filter(object_type=object_type_of(obj), object_id=str(obj.pk))
        )
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
    hidden = hidden_records(user)
    return grants.exclude(hidden_condition(hidden)) if hidden else grants


def _alerts(user: Any) -> QuerySet[Alert]:
    if not getattr(user, "is_authenticated", False):
        return Alert.objects.none()
    alerts = Alert.objects.filter(recipient=user).select_related("grant", "grant__user")
    hidden = hidden_records(user)
    return alerts.exclude(hidden_condition(hidden)) if hidden else alerts


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
        .order_by("-id")
        .values_list("object_label", flat=True)
        .first()
    )
    return label or ""
