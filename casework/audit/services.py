"""Writing audit events. Every service that touches personal data calls these.

An event is written inside the caller's transaction: if the change rolls back, so does its
event, and an event is never written for a change that did not happen.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit import chain
from casework.audit.models import Action, Alert, AuditEvent, ChainHead
from casework.core.client_address import client_ip as address_of
from casework.core.permissions import require

SECRET_FIELDS = frozenset({"password", "key", "secret", "token", "credential_id", "public_key"})
SECRET_SUFFIXES = ("_password", "_key", "_secret", "_token")


def is_secret(name: str) -> bool:
    """Fields never written to the trail: passwords, keys, tokens, second-factor secrets.
    (Whole names and suffixes, so that, say, ``key_worker`` is still audited.)"""
    name = str(name).lower()
    return name in SECRET_FIELDS or name.endswith(SECRET_SUFFIXES) or name.startswith("password")


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dt.date, dt.datetime, dt.time, decimal.Decimal, uuid.UUID)):
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The values of ``fields`` on ``instance``, secrets excluded, ready for JSON. These are for
    comparing before and after; what reaches the trail goes through ``diff`` or ``for_trail``."""
    return {name: _json_value(getattr(instance, name)) for name in fields if not is_secret(name)}


# --- What the trail keeps of a value ----------------------------------------------------------------

WITHHELD = "[not recorded]"
_STRUCTURED = (
    models.BooleanField,
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
    models.DateField,
    models.TimeField,
    models.DurationField,
    models.UUIDField,
)


def records_value(model: type[models.Model] | None, name: str) -> bool:
    """Whether the trail keeps the value of ``model``'s field ``name``, or only that it changed.

    Structured values are kept — choices, yes/no, numbers, dates and times, links to other records
    by id — because a reviewer needs them and they carry no story. Free text is not kept: it may
    hold a clinical narrative, a victim's new name or address, an officer's telephone number.
    A model lists exceptions in ``AUDIT_VALUES_WITHHELD`` (a date of birth) and
    ``AUDIT_VALUES_RECORDED`` (a list of choices kept in a JSON field). Unknown names are withheld."""
    if model is None or is_secret(name):
        return False
    if name in getattr(model, "AUDIT_VALUES_WITHHELD", ()):
        return False
    if name in getattr(model, "AUDIT_VALUES_RECORDED", ()):
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if field.is_relation or (isinstance(field, models.Field) and field.choices):
        return True
    return isinstance(field, _STRUCTURED)


def trail_value(model: type[models.Model] | None, name: str, value: Any) -> Any:
    """``value`` as the trail keeps it: itself, or ``WITHHELD`` when it is free text (and was set)."""
    if records_value(model, name) or value in (None, "", [], {}):
        return _json_value(value)
    return WITHHELD


def for_trail(model: type[models.Model] | None, values: dict[str, Any]) -> dict[str, Any]:
    """A snapshot as the trail keeps it."""
    return {name: trail_value(model, name, value) for name, value in values.items() if not is_secret(name)}


def diff(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    model: type[models.Model] | None,
    prefix: str = "",
) -> dict[str, dict[str, Any]]:
    """The one "what changed": fields whose value differs between two snapshots of ``model``, each
    with its old and new value as the trail keeps them (``trail_value``), keyed ``prefix + name``.
    ``model=None`` withholds every value that is not empty."""
    return {
        f"{prefix}{name}": {
            "old": trail_value(model, name, before.get(name)),
            "new": trail_value(model, name, after.get(name)),
        }
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name) and not is_secret(name)
    }


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address (through the trusted proxies: ``casework.core.client_address``) in the
    form the database stores it (so the hash verifies after a round trip), or None if there is
    none or it is not an IP address."""
    value = address_of(request)
    if value is None:
        return None
    return AuditEvent._meta.get_field("ip_address").get_prep_value(value)


def object_type_of(obj: models.Model | str | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, str):
        return obj
    return obj._meta.label_lower


def record(
    *,
    action: Action | str,
    actor: Any = None,
    request: HttpRequest | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_label: str = "",
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the current transaction (or a new one)."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    if obj is not None:
        object_type = object_type or object_type_of(obj)
        object_id = object_id or obj.pk
        object_label = object_label or label_of(obj)
    event = AuditEvent(
        actor=actor,
        actor_role=getattr(actor, "role", "") or "",
        action=str(action),
        object_type=object_type,
        object_id=str(object_id or ""),
        object_label=(object_label or "")[:200],
        reason=reason or "",
        changes=_json_value({k: v for k, v in (changes or {}).items() if not is_secret(k)}),
        ip_address=client_ip(request),
        request_id=getattr(request, "request_id", "") if request is not None else "",
    )
    with transaction.atomic():
        _append(event)
    return event


# --- Appending to a partition of the chain (ADR 0024) --------------------------------------------
#
# PostgreSQL: the writer takes the lowest-numbered partition head no other transaction holds
# (FOR UPDATE SKIP LOCKED), or the one its own transaction already holds (remembered in a
# transaction-local setting, which a rolled-back savepoint also undoes), and the event's id from
# the table's sequence while it holds it; only when every partition is held does it wait. One
# statement locks and advances the head, one writes the event and the head's hash and seal.
# SQLite: one writer at a time holds the database anyway; every event goes to partition 1.

_HEAD_COLUMNS = (
    "id, sequence, entry_hash, nextval(pg_get_serial_sequence('audit_auditevent', 'id')), "
    "set_config('casework.audit_partition', id::text, true)"
)
TAKE_FREE_HEAD = """
UPDATE audit_chainhead SET sequence = sequence + 1
 WHERE id = (SELECT id FROM audit_chainhead WHERE id <= %s
              ORDER BY id <> COALESCE(NULLIF(current_setting('casework.audit_partition', true), '')::int, 0), id
              LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id, sequence, entry_hash, nextval(pg_get_serial_sequence('audit_auditevent', 'id')),
          set_config('casework.audit_partition', id::text, true)
"""
WAIT_FOR_HEAD = "UPDATE audit_chainhead SET sequence = sequence + 1 WHERE id = %s RETURNING " + _HEAD_COLUMNS  # noqa: S608 - fixed fragments and placeholders, no input
WRITE_EVENT = """
WITH event AS (
    INSERT INTO audit_auditevent (id, partition, sequence, occurred_at, actor_id, actor_role, action,
                                  object_type, object_id, object_label, reason, changes, ip_address,
                                  request_id, previous_hash, entry_hash)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s::inet, %s, %s, %s)
    RETURNING partition
)
UPDATE audit_chainhead SET entry_hash = %s, seal = %s WHERE id = (SELECT partition FROM event)
"""


def _append(event: AuditEvent) -> None:
    if connection.vendor == "postgresql":
        _append_postgresql(event)
    else:
        _append_locked(event)


def _append_postgresql(event: AuditEvent) -> None:
    with connection.cursor() as cursor:
        cursor.execute(TAKE_FREE_HEAD, [chain.PARTITIONS])
        row = cursor.fetchone()
        if row is None:
            if not ChainHead.objects.exists():
                _create_heads()
            # Every partition is held by another transaction: wait for one (any: the others' holders
            # wait for nothing of ours, so this cannot deadlock on the chain).
            cursor.execute(WAIT_FOR_HEAD, [random.randint(1, chain.PARTITIONS)])  # noqa: S311 - spreading load
            row = cursor.fetchone()
        partition, sequence, previous_hash, event_id, _ = row
        event.id, event.partition, event.sequence, event.previous_hash = event_id, partition, sequence, previous_hash
        event.occurred_at = timezone.now().astimezone(dt.UTC)
        event.entry_hash = chain.compute_hash(event, previous_hash)
        cursor.execute(
            WRITE_EVENT,
            [
                event.id,
                partition,
                sequence,
                event.occurred_at,
                event.actor_id,
                event.actor_role,
                event.action,
                event.object_type,
                event.object_id,
                event.object_label,
                event.reason,
                json.dumps(event.changes),
                event.ip_address,
                event.request_id,
                previous_hash,
                event.entry_hash,
                event.entry_hash,
                chain.head_seal(sequence, event.entry_hash, partition=partition),
            ],
        )
    event._state.adding = False
    event._state.db = connection.alias


def _append_locked(event: AuditEvent) -> None:
    """SQLite (and any database without SKIP LOCKED): one partition, its head locked."""
    head = _locked_head()
    event.partition = head.pk
    event.sequence = head.sequence + 1
    event.previous_hash = head.entry_hash
    event.id = _next_id()
    event.occurred_at = timezone.now().astimezone(dt.UTC)
    event.entry_hash = chain.compute_hash(event, head.entry_hash)
    event.save(force_insert=True)
    head.sequence = event.sequence
    head.entry_hash = event.entry_hash
    head.seal = chain.head_seal(head.sequence, head.entry_hash, partition=head.pk)
    head.save(update_fields=["sequence", "entry_hash", "seal"])


def _next_id() -> int:
    """The next event's id, taken while the head is locked (so ids rise along the partition)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('audit_auditevent', 'id'))")
        else:
            cursor.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM audit_auditevent")
        return int(cursor.fetchone()[0])


def _create_heads() -> None:
    for partition in range(1, chain.PARTITIONS + 1):
        ChainHead.objects.get_or_create(
            pk=partition,
            defaults={
                "sequence": 0,
                "entry_hash": chain.GENESIS_HASH,
                "seal": chain.head_seal(0, chain.GENESIS_HASH, partition=partition),
            },
        )


def _locked_head() -> ChainHead:
    """Partition 1's head, locked until the transaction ends so that writers queue one at a time."""
    head = ChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        # Migrations create the heads; a test database flushed between tests may not have them.
        _create_heads()
        head = ChainHead.objects.select_for_update().get(pk=1)
    return head


def label_of(obj: models.Model) -> str:
    """A human reference for the record, never a person's name."""
    for attr in ("reference", "audit_label"):
        value = getattr(obj, attr, None)
        if value:
            return str(value)
    return f"{obj._meta.verbose_name} {obj.pk}"


def record_view(request: HttpRequest, obj: models.Model, *, object_label: str = "") -> AuditEvent:
    """A read of a page that shows personal data."""
    return record(action=Action.VIEW, request=request, obj=obj, object_label=object_label)


def record_change(
    *, request: HttpRequest | None, actor: Any, obj: models.Model, before: dict[str, Any], fields: Iterable[str]
) -> AuditEvent | None:
    changes = diff(before, snapshot(obj, fields), model=type(obj))
    if not changes:
        return None
    return record(action=Action.UPDATE, actor=actor, request=request, obj=obj, changes=changes)


def record_create(*, request: HttpRequest | None, actor: Any, obj: models.Model, fields: Iterable[str]) -> AuditEvent:
    values = for_trail(type(obj), snapshot(obj, fields))
    return record(
        action=Action.CREATE,
        actor=actor,
        request=request,
        obj=obj,
        changes={name: {"old": None, "new": value} for name, value in values.items()},
    )


# --- Refused attempts ----------------------------------------------------------------------------

REFUSED_ACROSS_BARRIER = "Refused: the record is across an information barrier from the user's cases"
REFUSED_NO_RELATIONSHIP = "Refused: the user has no relationship to the record"


def record_refusal(
    request: HttpRequest,
    *,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    across_barrier: bool = True,
) -> AuditEvent:
    """A request for a record that exists and that the user may not see. The user is answered
    exactly as for a record that does not exist (404); this event lets the record's "who looked"
    page show who tried. It never records anything of the record beyond its type, id and label."""
    return record(
        action=Action.REFUSED,
        request=request,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        reason=REFUSED_ACROSS_BARRIER if across_barrier else REFUSED_NO_RELATIONSHIP,
        changes={"path": request.path[:200]},
    )


# --- Alerts ------------------------------------------------------------------------------------


def alert_acknowledge(*, alert: Alert, by: Any, request: HttpRequest | None = None) -> bool:
    """Mark ``alert`` acknowledged by its recipient. Returns False if there was nothing to do."""
    require(by, "audit.acknowledge_alert", alert)  # only its recipient
    with transaction.atomic():
        alert = Alert.objects.select_for_update().get(pk=alert.pk)
        if alert.acknowledged_at is not None:
            return False
        alert.acknowledged_at = timezone.now()
        alert.save(update_fields=["acknowledged_at"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=alert,
            changes={"acknowledged_at": {"old": None, "new": alert.acknowledged_at}},
        )
    return True


# --- Reading the audit log is itself audited ---------------------------------------------------

AUDIT_LOG_TYPE = "audit.log"


def record_audit_log_view(
    request: HttpRequest,
    *,
    log: str,
    label: str,
    criteria: dict[str, Any] | None = None,
) -> AuditEvent:
    """A clinical lead read part of the audit log. ``log`` names which page ("record", "user",
    "search", "review", "alerts"); ``label`` is a reference such as "accounts.user 12" (never a
    name); ``criteria`` (kept in the event's changes) is what was searched for."""
    return record(
        action=Action.VIEW,
        request=request,
        object_type=AUDIT_LOG_TYPE,
        object_id=log,
        object_label=label,
        changes={"criteria": criteria} if criteria else None,
    )
