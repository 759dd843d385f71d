"""The hash chain: how an event's hash is computed, and how the chain is verified.

Each event's ``entry_hash`` is an HMAC-SHA256, keyed with ``settings.AUDIT_HMAC_KEY`` (which is
not in the database), over the event's fields, its sequence number and the previous event's hash.
The chain head (one row) holds the newest sequence and hash, sealed with the same key, so that
deleting the newest events and rewinding the head to match is also caught.

What verification can and cannot prove: anyone without the key cannot alter, insert, delete or
reorder events without the check naming the first broken link. Someone who can drop the
database triggers and who once copied a sealed head could roll the log back to that moment;
keeping the head printed by ``verify_audit --print-head`` somewhere else (a ticket, a log shipped
off the server) and checking with ``verify_audit --expect-head SEQ:HASH`` closes that gap
(``check_expected_head``). ``verify_audit`` also checks the triggers themselves (``append_only``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Subquery

from casework.audit.models import AuditEvent, ChainHead

GENESIS_HASH = "0" * 64


def _key(key: str | None) -> bytes:
    return (key or settings.AUDIT_HMAC_KEY).encode()


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
    return hmac.new(_key(key), canonical_payload(event, previous_hash), hashlib.sha256).hexdigest()


def head_seal(sequence: int, entry_hash: str, key: str | None = None) -> str:
    """The keyed seal over the chain head, so that it cannot be rewound without the key."""
    message = f"casework-audit-head:{int(sequence)}:{entry_hash}".encode()
    return hmac.new(_key(key), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first broken link. ``sequence`` is the position in the chain where it broke (None
    for the chain head itself); ``event_id`` is the row found there, if any."""

    sequence: int | None
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        if self.sequence is None:
            where = "the chain head"
        else:
            where = f"event #{self.sequence}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"Audit chain broken at {where}: {self.problem}"


@dataclass(frozen=True)
class Head:
    sequence: int
    entry_hash: str
    seal: str | None = None  # None: do not check the seal (a head read from elsewhere)


def verify(
    events: Iterable[Any],
    head_sequence: int,
    head_hash: str,
    head_seal_value: str | None = None,
    key: str | None = None,
) -> tuple[int, Break | None]:
    """Walk ``events`` in sequence order; return how many were intact and the first break.

    ``events`` should be every event with a sequence up to ``head_sequence`` (events past the
    head are looked for separately: see ``verify_database``).
    """
    expected = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in events:
        if event.sequence != expected:
            return checked, _out_of_place(event, expected, head_sequence)
        if event.previous_hash != previous_hash:
            return checked, Break(
                event.sequence,
                event.id,
                f"its link to event #{expected - 1} does not match: an event before it was deleted or "
                "replaced, or this event was inserted or moved here (reordered)"
                if expected > 1
                else "it does not start the chain: it was inserted or moved here (reordered)",
            )
        if not hmac.compare_digest(compute_hash(event, previous_hash, key), event.entry_hash or ""):
            return checked, Break(
                event.sequence,
                event.id,
                "its hash does not match its contents: it was altered, or inserted by someone without "
                "the audit key (or the key is wrong)",
            )
        previous_hash = event.entry_hash
        expected += 1
        checked += 1
    if checked < head_sequence:
        missing = f"#{checked + 1}" if checked + 1 == head_sequence else f"#{checked + 1} to #{head_sequence}"
        return checked, Break(
            checked + 1,
            None,
            f"events {missing} are missing: the newest events were deleted (the chain head records {head_sequence})",
        )
    if not hmac.compare_digest(head_hash or "", previous_hash):
        return checked, Break(
            None,
            None,
            f"its hash does not match event #{checked}: the head was altered",
        )
    if head_seal_value is not None and not hmac.compare_digest(
        head_seal_value or "", head_seal(head_sequence, head_hash, key)
    ):
        return checked, Break(
            None,
            None,
            "its seal does not match: the head was altered or rewound (newest events deleted), "
            "or the audit key is wrong",
        )
    return checked, None


def _out_of_place(event: Any, expected: int, head_sequence: int) -> Break:
    if event.sequence < expected:
        return Break(
            event.sequence,
            event.id,
            f"it is out of order (found where #{expected} should be): it was inserted or reordered",
        )
    if event.sequence > head_sequence:
        return Break(
            event.sequence,
            event.id,
            f"it is beyond the newest event the chain head records (#{head_sequence}): it was inserted",
        )
    missing = f"#{expected}" if event.sequence == expected + 1 else f"#{expected} to #{event.sequence - 1}"
    return Break(
        expected,
        None,
        f"event{'s' if event.sequence > expected + 1 else ''} {missing} "
        f"{'are' if event.sequence > expected + 1 else 'is'} missing: deleted "
        f"(the next event found is #{event.sequence}, id {event.id})",
    )


@dataclass(frozen=True)
class Result:
    checked: int
    head: Head
    broken: Break | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_database(key: str | None = None, chunk_size: int = 2000) -> Result:
    """Verify the whole audit table against the chain head.

    The head is read first; every event up to it is then walked (those rows are committed and
    cannot change under us). Events past the head are found by a single statement that compares
    with the head as it is at that moment, so events written while we verify are not mistaken
    for inserted ones, while events past a rewound head are caught.
    """
    row = ChainHead.objects.filter(pk=1).first()
    head = Head(row.sequence, row.entry_hash, row.seal) if row is not None else Head(0, GENESIS_HASH, None)
    events = (
        AuditEvent.objects.filter(sequence__lte=head.sequence)
        .order_by("sequence", "id")
        .iterator(chunk_size=chunk_size)
    )
    checked, broken = verify(events, head.sequence, head.entry_hash, head.seal, key)
    if broken is None:
        beyond = (
            (
                AuditEvent.objects.filter(sequence__gt=Subquery(ChainHead.objects.filter(pk=1).values("sequence")))
                if row is not None
                else AuditEvent.objects.all()
            )
            .order_by("sequence")
            .first()
        )
        if beyond is not None:
            broken = Break(
                beyond.sequence,
                beyond.id,
                f"it is beyond the newest event the chain head records (#{head.sequence}): "
                "it was inserted, or the head was rewound",
            )
    return Result(checked, head, broken)


def check_expected_head(expected: Head, result: Result) -> str | None:
    """Whether the chain still holds ``expected`` (a head recorded off the server earlier): None
    if it holds that event with that hash, otherwise what is wrong. The chain's own verification
    (``result``) proves the events before it; this proves the chain was not rolled back past it."""
    if result.head.sequence < expected.sequence:
        return (
            f"Audit chain rolled back: it ends at event #{result.head.sequence}, before event "
            f"#{expected.sequence} recorded off the server; events were removed (rolled back or truncated)"
        )
    found = AuditEvent.objects.filter(sequence=expected.sequence).values_list("entry_hash", flat=True).first()
    if found is None:
        return f"Audit chain rolled back: event #{expected.sequence} recorded off the server is missing"
    if not hmac.compare_digest(found, expected.entry_hash):
        return (
            f"Audit chain rewritten: event #{expected.sequence} does not have the hash recorded off the "
            "server; the chain was rolled back and written again from that event or earlier"
        )
    return None
