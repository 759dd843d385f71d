"""Audit test data. Events are only ever written through the service, as in production."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.audit.models import Action, Alert, AuditEvent, BreakGlassGrant
from casework.audit.services import label_of, object_type_of, record


def write_events(count: int, *, actor=None, obj=None, action=Action.VIEW, **fields) -> list[AuditEvent]:
    return [record(action=action, actor=actor, obj=obj, **fields) for _ in range(count)]


def break_glass_grant(*, user, obj, reason: str, recipients=(), hours: int = 8):
    """A break-glass grant on ``obj`` with its event and alerts, written directly: the access rules
    (``casework.access.breakglass``, tested in tests/access/) decide who may open one and who is told;
    these tests are about how the audit pages show grants and alerts."""
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        user=user,
        object_type=object_type_of(obj),
        object_id=str(obj.pk),
        object_label=label_of(obj),
        reason=reason,
        granted_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    record(action=Action.BREAK_GLASS, actor=user, obj=obj, reason=reason)
    for recipient in recipients:
        Alert.objects.create(
            raised_at=now,
            recipient=recipient,
            kind="break_glass",
            message=f"{user.full_name} used break-glass access to {grant.object_label}",
            object_type=grant.object_type,
            object_id=grant.object_id,
            grant=grant,
        )
    return grant
