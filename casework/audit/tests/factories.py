"""Audit test data. Events are only ever written through the service, as in production."""

from __future__ import annotations

from casework.audit.models import Action, AuditEvent
from casework.audit.services import record


def write_events(count: int, *, actor=None, obj=None, action=Action.VIEW, **fields) -> list[AuditEvent]:
    return [record(action=action, actor=actor, obj=obj, **fields) for _ in range(count)]
