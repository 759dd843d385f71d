"""The hash chain: how an event's hash is computed, and how the chain is verified."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any, Iterable

from django.conf import settings

GENESIS_HASH = "0" * 64


def canonical_payload(event: Any, previous_hash: str) -> bytes:
    occurred = event.occurred_at.isoformat() if event.occurred_at else ""
    body = {
        "sequence": event.sequence,
        "occurred_at": occurred,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "reason": event.reason,
        "changes": event.changes,
        "ip_address": event.ip_address,
        "request_id": event.request_id,
        "previous_hash": previous_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: Any, previous_hash: str, key: str | None = None) -> str:
    key_bytes = (key or settings.AUDIT_HMAC_KEY).encode()
    return hmac.new(key_bytes, canonical_payload(event, previous_hash), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f"event #{self.sequence} (id {self.event_id})" if self.sequence else "the chain head"
        return f"Audit chain broken at {where}: {self.problem}"


def verify(events: Iterable[Any], head_sequence: int, head_hash: str) -> tuple[int, Break | None]:
    """Walk events in sequence order; return how many were checked and the first break."""
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in events:
        if event.sequence != expected_sequence:
            problem = (
                f"expected sequence {expected_sequence}, found {event.sequence}: "
                + ("an event before it was deleted" if event.sequence > expected_sequence
                   else "an event was inserted or reordered")
            )
            return checked, Break(event.sequence, event.id, problem)
        if event.previous_hash != previous_hash:
            return checked, Break(
                event.sequence, event.id,
                "its link to the previous event does not match (an event was deleted, inserted or reordered)",
            )
        if not hmac.compare_digest(compute_hash(event, previous_hash), event.entry_hash):
            return checked, Break(event.sequence, event.id, "its contents were altered")
        previous_hash = event.entry_hash
        expected_sequence += 1
        checked += 1
    if head_sequence != checked or (checked and head_hash != previous_hash):
        return checked, Break(
            None, None,
            f"the head records {head_sequence} events but {checked} were found "
            "(events at the end were deleted, or the head was altered)",
        )
    return checked, None
