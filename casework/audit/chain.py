"""The hash chain: how an event's hash is computed, and how the chain is verified.

The log is ``PARTITIONS`` hash chains side by side (ADR 0024). Each event belongs to one
partition and carries its position in that partition (``sequence``, 1, 2, 3 … with no gaps) and
an HMAC-SHA256, keyed with ``settings.AUDIT_HMAC_KEY`` (which is not in the database), over its
fields and the previous event's hash in the same partition. Events written since the partitions
came also hash their ``id`` and ``partition`` (the payload's "scheme" 2): ``id`` is the log's one global order,
taken from a database sequence while the partition is locked, so it rises along every partition and
cannot be changed without the key. Each partition's head (a ``ChainHead`` row) holds its newest
sequence and hash, sealed with the same key, so that deleting the newest events and rewinding the
head to match is also caught; every partition 1 … ``PARTITIONS`` must have its head, so a whole
partition cannot vanish either.

What verification can and cannot prove: anyone without the key cannot alter, insert, delete or
reorder events without the check naming the first broken link of that partition. Someone who can
drop the database triggers and who once copied a sealed head could roll a partition back to that
moment; keeping the heads printed by ``verify_audit --print-head`` somewhere else and checking with
``verify_audit --expect-head …`` closes that gap (``check_expected_head``). ``verify_audit`` also
checks the triggers themselves (``append_only``).

Speed: events are read as plain rows (no model instances), a partition is cut into segments that
are checked in parallel processes and stitched together (``verify_database(workers=…)``), and a
sealed ``AuditCheckpoint`` lets a routine run check only what was written since, plus a random
sample of the older events (``--full`` checks everything).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import itertools
import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring_ascii
from typing import Any

from django.conf import settings
from django.db import connection, connections

from casework.audit.models import AuditCheckpoint, AuditEvent, ChainHead

GENESIS_HASH = "0" * 64
_str = encode_basestring_ascii  # a str as json.dumps writes it
PARTITIONS = 32  # the heads migration 0005 creates; verification requires exactly these
CURRENT_SCHEME = 2
SEGMENT_SIZE = 100_000  # ids a segment covers


def _key(key: str | None) -> bytes:
    return (key or settings.AUDIT_HMAC_KEY).encode()


def canonical_payload(event: Any, previous_hash: str, scheme: int = CURRENT_SCHEME) -> bytes:
    """What an event's hash covers. ``scheme`` 2 (every event written since the partitions) adds
    the id and the partition; 1 is the form of events written before (migration 0005)."""
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
    if scheme >= 2:
        body["scheme"] = scheme
        body["id"] = event.id
        body["partition"] = event.partition
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def compute_hash(event: Any, previous_hash: str, key: str | None = None, scheme: int = CURRENT_SCHEME) -> str:
    return hmac.new(_key(key), canonical_payload(event, previous_hash, scheme), hashlib.sha256).hexdigest()


def hash_matches(event: Any, previous_hash: str, key: str | None = None) -> bool:
    """Whether the event's hash is right, in the current form or (an event written before the
    partitions) the first form. Either needs the key; the form is not stored, so that rolling back
    migration 0005 and applying it again loses nothing."""
    stored = event.entry_hash or ""
    return hmac.compare_digest(compute_hash(event, previous_hash, key), stored) or hmac.compare_digest(
        compute_hash(event, previous_hash, key, scheme=1), stored
    )


def head_seal(sequence: int, entry_hash: str, key: str | None = None, partition: int = 1) -> str:
    """The keyed seal over a partition's head, so that it cannot be rewound without the key.
    (Partition 1 keeps the form of the single chain it grew from.)"""
    if partition == 1:
        message = f"casework-audit-head:{int(sequence)}:{entry_hash}".encode()
    else:
        message = f"casework-audit-head:{int(partition)}:{int(sequence)}:{entry_hash}".encode()
    return hmac.new(_key(key), message, hashlib.sha256).hexdigest()


def checkpoint_seal(
    partition: int, sequence: int, entry_hash: str, event_id: int | None, key: str | None = None
) -> str:
    message = f"casework-audit-checkpoint:{int(partition)}:{int(sequence)}:{entry_hash}:{event_id or 0}".encode()
    return hmac.new(_key(key), message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Break:
    """The first broken link of a partition. ``sequence`` is the position in the partition where it
    broke (None for the partition's head itself); ``event_id`` is the row found there, if any."""

    sequence: int | None
    event_id: int | None
    problem: str
    partition: int = 1

    def __str__(self) -> str:
        if self.sequence is None:
            where = "the chain head"
        else:
            where = f"event #{self.sequence}" + (f" (id {self.event_id})" if self.event_id is not None else "")
        return f"Audit chain broken at {where}: {self.problem} (chain partition {self.partition})"


@dataclass(frozen=True)
class Head:
    sequence: int
    entry_hash: str
    seal: str | None = None  # None: do not check the seal (a head read from elsewhere)
    partition: int = 1


# --- Rows, not model instances ------------------------------------------------------------------

COLUMNS = (
    "id, sequence, occurred_at, actor_id, actor_role, action, object_type, object_id, object_label, "
    "reason, changes, ip_address, request_id, previous_hash, entry_hash, partition"
)


class Row:
    """An event as verification needs it (what ``canonical_payload`` reads), from a plain row."""

    __slots__ = (
        "id",
        "sequence",
        "occurred_at",
        "actor_id",
        "actor_role",
        "action",
        "object_type",
        "object_id",
        "object_label",
        "reason",
        "changes",
        "ip_address",
        "request_id",
        "previous_hash",
        "entry_hash",
        "partition",
    )

    id: int
    sequence: int
    occurred_at: Any
    actor_id: int | None
    actor_role: str
    action: str
    object_type: str
    object_id: str
    object_label: str
    reason: str
    changes: Any
    ip_address: str | None
    request_id: str
    previous_hash: str
    entry_hash: str
    partition: int

    def __init__(self, values: Sequence[Any], vendor: str) -> None:
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)
        changes = self.changes
        if isinstance(changes, str):
            self.changes = {} if changes == "{}" else json.loads(changes)
        if self.occurred_at is not None:
            # SQLite keeps naive UTC (given back as text or, by the driver's converter, a datetime);
            # PostgreSQL's is formatted as text (POSTGRES_COLUMNS).
            occurred = self.occurred_at
            if isinstance(occurred, str):
                occurred = dt.datetime.fromisoformat(occurred)
            if occurred.tzinfo is None:
                occurred = occurred.replace(tzinfo=dt.UTC)
            self.occurred_at = occurred


def _rows(sql: str, params: Sequence[Any], using: str = "default") -> Iterator[Row]:
    vendor = connections[using].vendor
    for values in _tuples(sql, params, using):
        yield Row(values, vendor)


def _tuples(sql: str, params: Sequence[Any], using: str = "default") -> Iterator[tuple[Any, ...]]:
    conn = connections[using]
    if conn.vendor == "postgresql":
        # The timestamp as Python's isoformat() writes it, and the JSON as text: formatted by the
        # database rather than parsed and formatted again here, for speed.
        sql = sql.replace(COLUMNS, POSTGRES_COLUMNS)
    with conn.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while True:
            batch = cursor.fetchmany(5000)
            if not batch:
                return
            yield from batch


POSTGRES_COLUMNS = COLUMNS.replace(
    "occurred_at,",
    "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') "
    "|| CASE WHEN date_part('microseconds', occurred_at)::int %% 1000000 = 0 THEN '' "
    "ELSE to_char(occurred_at AT TIME ZONE 'UTC', '.US') END || '+00:00',",
).replace("changes,", "changes::text,")

# Positions in a row of COLUMNS.
(ID, SEQ, OCCURRED, ACTOR, ROLE, ACTION, OTYPE, OID, OLABEL, REASON, CHANGES, IP, REQUEST, PREV, HASH, PART) = range(16)


def _fast_payload(row: tuple[Any, ...], scheme: int = CURRENT_SCHEME) -> bytes:
    """``canonical_payload`` of a row whose timestamp and changes are text (``POSTGRES_COLUMNS``),
    written out directly (the keys in sorted order); ``test_fast_payload_*`` holds it to the same
    bytes."""
    changes = row[CHANGES]
    if changes != "{}":
        changes = json.dumps(json.loads(changes), sort_keys=True, separators=(",", ":"), default=str)
    actor = "null" if row[ACTOR] is None else str(row[ACTOR])
    ip = "null" if row[IP] is None else _str(row[IP])
    if scheme >= 2:
        text = (
            '{"action":'
            + _str(row[ACTION])
            + ',"actor_id":'
            + actor
            + ',"actor_role":'
            + _str(row[ROLE])
            + ',"changes":'
            + changes
            + ',"id":'
            + str(row[ID])
            + ',"ip_address":'
            + ip
            + ',"object_id":'
            + _str(row[OID])
            + ',"object_label":'
            + _str(row[OLABEL])
            + ',"object_type":'
            + _str(row[OTYPE])
            + ',"occurred_at":"'
            + row[OCCURRED]
            + '","partition":'
            + str(row[PART])
            + ',"previous_hash":'
            + _str(row[PREV])
            + ',"reason":'
            + _str(row[REASON])
            + ',"request_id":'
            + _str(row[REQUEST])
            + ',"scheme":2'
            + ',"sequence":'
            + str(row[SEQ])
            + "}"
        )
    else:
        text = (
            '{"action":'
            + _str(row[ACTION])
            + ',"actor_id":'
            + actor
            + ',"actor_role":'
            + _str(row[ROLE])
            + ',"changes":'
            + changes
            + ',"ip_address":'
            + ip
            + ',"object_id":'
            + _str(row[OID])
            + ',"object_label":'
            + _str(row[OLABEL])
            + ',"object_type":'
            + _str(row[OTYPE])
            + ',"occurred_at":"'
            + row[OCCURRED]
            + '","previous_hash":'
            + _str(row[PREV])
            + ',"reason":'
            + _str(row[REASON])
            + ',"request_id":'
            + _str(row[REQUEST])
            + ',"sequence":'
            + str(row[SEQ])
            + "}"
        )
    return text.encode()


def _fast_stretch_intact(rows: list[tuple[Any, ...]], key: bytes) -> bool:
    """Whether a partition's stretch is contiguous, linked and every hash right: the quick pass.
    Anything wrong is then found and named by ``verify`` on the same rows."""
    expected = rows[0][SEQ]
    previous_hash = rows[0][PREV]
    previous_id = None
    digest = hmac.digest
    for row in rows:
        if row[SEQ] != expected or row[PREV] != previous_hash or row[OCCURRED] is None:
            return False
        if previous_id is not None and row[ID] <= previous_id:
            return False
        if digest(key, _fast_payload(row), "sha256").hex() != row[HASH] and (
            digest(key, _fast_payload(row, 1), "sha256").hex() != row[HASH]
        ):
            return False
        previous_hash, previous_id = row[HASH], row[ID]
        expected += 1
    return True


# --- Walking a stretch of one partition ---------------------------------------------------------


def verify(
    events: Iterable[Any],
    head_sequence: int,
    head_hash: str | None,
    head_seal_value: str | None = None,
    key: str | None = None,
    *,
    partition: int = 1,
    start: int = 1,
    previous_hash: str = GENESIS_HASH,
    previous_id: int | None = None,
    tail: bool = True,
) -> tuple[int, Break | None]:
    """Walk ``events`` in sequence order from ``start`` (whose predecessor's hash is
    ``previous_hash``) to ``head_sequence``; return how many were intact and the first break.

    With ``head_hash`` None the stretch ends at ``head_sequence`` without a head to compare with
    (a segment of a longer partition); otherwise the head's hash and seal are checked too.
    """
    expected = start
    checked = 0
    for event in events:
        if event.sequence != expected:
            return checked, _out_of_place(event, expected, head_sequence, partition)
        if event.previous_hash != previous_hash:
            return checked, Break(
                event.sequence,
                event.id,
                f"its link to event #{expected - 1} does not match: an event before it was deleted or "
                "replaced, or this event was inserted or moved here (reordered)"
                if expected > 1
                else "it does not start the chain: it was inserted or moved here (reordered)",
                partition,
            )
        if not hash_matches(event, previous_hash, key):
            return checked, Break(
                event.sequence,
                event.id,
                "its hash does not match its contents: it was altered, or inserted by someone without "
                "the audit key (or the key is wrong)",
                partition,
            )
        if getattr(event, "partition", partition) != partition or (
            previous_id is not None and event.id is not None and event.id <= previous_id
        ):
            return checked, Break(
                event.sequence,
                event.id,
                "it is out of order: its id is not after the previous event's in this partition "
                "(it was moved or reordered)",
                partition,
            )
        previous_hash = event.entry_hash
        previous_id = event.id
        expected += 1
        checked += 1
    last = start - 1 + checked
    if last < head_sequence:
        missing = f"#{last + 1}" if last + 1 == head_sequence else f"#{last + 1} to #{head_sequence}"
        return checked, Break(
            last + 1,
            None,
            f"events {missing} are missing: the newest events were deleted (the chain head records {head_sequence})"
            if head_hash is not None or tail
            else f"events {missing} are missing: deleted",
            partition,
        )
    if head_hash is None:
        return checked, None
    if not hmac.compare_digest(head_hash or "", previous_hash):
        return checked, Break(None, None, f"its hash does not match event #{last}: the head was altered", partition)
    if head_seal_value is not None and not hmac.compare_digest(
        head_seal_value or "", head_seal(head_sequence, head_hash, key, partition)
    ):
        return checked, Break(
            None,
            None,
            "its seal does not match: the head was altered or rewound (newest events deleted), "
            "or the audit key is wrong",
            partition,
        )
    return checked, None


def _out_of_place(event: Any, expected: int, head_sequence: int, partition: int) -> Break:
    if event.sequence < expected:
        return Break(
            event.sequence,
            event.id,
            f"it is out of order (found where #{expected} should be): it was inserted or reordered",
            partition,
        )
    if event.sequence > head_sequence:
        return Break(
            event.sequence,
            event.id,
            f"it is beyond the newest event the chain head records (#{head_sequence}): it was inserted",
            partition,
        )
    missing = f"#{expected}" if event.sequence == expected + 1 else f"#{expected} to #{event.sequence - 1}"
    return Break(
        expected,
        None,
        f"event{'s' if event.sequence > expected + 1 else ''} {missing} "
        f"{'are' if event.sequence > expected + 1 else 'is'} missing: deleted "
        f"(the next event found is #{event.sequence}, id {event.id})",
        partition,
    )


# --- Segments, checked anywhere and stitched together -------------------------------------------
#
# A full check cuts the table by id (the global order, which rises along every partition) into
# segments that processes check side by side, each reading its rows in one pass over the table in
# id order. In a segment, each partition's events are a contiguous stretch of that partition; the
# stretch is checked inside, and the stretches are then joined, partition by partition, in id order.

FULL_SEGMENT = (
    "SELECT " + COLUMNS + " FROM audit_auditevent WHERE id > %s AND id <= %s ORDER BY partition, sequence, id"  # noqa: S608 - fixed fragments and placeholders, no input
)
LAST_SEGMENT = "SELECT " + COLUMNS + " FROM audit_auditevent WHERE id > %s ORDER BY partition, sequence, id"  # noqa: S608 - fixed fragments and placeholders, no input
AFTER_CHECKPOINT = "(partition = %s AND sequence > %s)"


@dataclass(frozen=True)
class Segment:
    low_id: int  # events with ids after this …
    high_id: int | None  # … up to this (None: no bound)
    floors: tuple[tuple[int, int], ...] = ()  # instead: each partition's events after these sequences


@dataclass(frozen=True)
class Stretch:
    """One partition's events within one segment, as checked there."""

    partition: int
    first_sequence: int
    first_previous_hash: str
    first_id: int
    last_sequence: int
    last_hash: str
    last_id: int
    checked: int
    broken: Break | None


def check_segment(segment: Segment, heads: dict[int, int], key: str | None = None) -> list[Stretch]:
    """Check one segment: every partition's stretch in it, linked inside, every hash right. Events
    past a head (as read before the run) are left to ``_beyond_heads``."""
    if segment.floors:
        where = " OR ".join([AFTER_CHECKPOINT] * len(segment.floors))
        sql = "SELECT " + COLUMNS + " FROM audit_auditevent WHERE " + where + " ORDER BY partition, sequence, id"  # noqa: S608 - fixed fragments and placeholders, no input
        rows = _tuples(sql, [value for pair in segment.floors for value in pair])
    elif segment.high_id is None:
        rows = _tuples(LAST_SEGMENT, [segment.low_id])
    else:
        rows = _tuples(FULL_SEGMENT, [segment.low_id, segment.high_id])
    fast = connection.vendor == "postgresql"
    if fast:
        with connection.cursor() as cursor:
            # Each segment is sorted by partition: in memory, not on disk (about 30 MB a segment).
            cursor.execute("SET work_mem = '256MB'")
    key_bytes = _key(key)
    stretches = []
    for partition, group in itertools.groupby(rows, key=lambda row: row[PART]):
        limit = heads.get(partition)
        if limit is None:
            continue
        values = [row for row in group if row[SEQ] <= limit]
        if not values:
            continue
        if fast and _fast_stretch_intact(values, key_bytes):
            first_row, last_row = values[0], values[-1]
            stretches.append(
                Stretch(
                    partition,
                    first_row[SEQ],
                    first_row[PREV],
                    first_row[ID],
                    last_row[SEQ],
                    last_row[HASH],
                    last_row[ID],
                    len(values),
                    None,
                )
            )
            continue
        events = [Row(row, connection.vendor) for row in values]
        first, last = events[0], events[-1]
        checked, broken = verify(
            events,
            last.sequence,
            None,
            key=key,
            partition=partition,
            start=first.sequence,
            previous_hash=first.previous_hash,
            tail=False,
        )
        stretches.append(
            Stretch(
                partition,
                first.sequence,
                first.previous_hash,
                first.id,
                last.sequence,
                last.entry_hash,
                last.id,
                checked,
                broken,
            )
        )
    if fast:
        with connection.cursor() as cursor:
            cursor.execute("RESET work_mem")
    return stretches


def _check_segment_in_worker(args: tuple[Segment, dict[int, int], str | None]) -> list[Stretch]:
    segment, heads, key = args
    try:
        return check_segment(segment, heads, key)
    finally:
        connections.close_all()


def _stitch(
    partition: int,
    stretches: list[Stretch],
    head: Head,
    after: int,
    start_hash: str,
    start_id: int | None,
    key: str | None,
) -> tuple[int, Break | None]:
    """Join a partition's stretches in id order: each must carry on from the one before (the next
    sequence, linked to its hash, with a later id); the last must end at the head, whose hash and
    seal must match."""
    checked = 0
    expected, previous_hash, previous_id = after + 1, start_hash, start_id
    for stretch in stretches:
        start = stretch.first_sequence
        if start < expected:
            return checked, Break(
                start,
                stretch.first_id,
                f"it is out of order (found where #{expected} should be): it was inserted or reordered",
                partition,
            )
        if start > expected:
            return checked, Break(
                expected,
                None,
                f"{_missing_words(expected, start - 1)} (the next event found is #{start}, id {stretch.first_id})",
                partition,
            )
        if stretch.first_previous_hash != previous_hash:
            return checked, Break(
                start,
                stretch.first_id,
                f"its link to event #{start - 1} does not match: an event before it was deleted or "
                "replaced, or this event was inserted or moved here (reordered)"
                if start > 1
                else "it does not start the chain: it was inserted or moved here (reordered)",
                partition,
            )
        if previous_id is not None and stretch.first_id <= previous_id:
            return checked, Break(
                start,
                stretch.first_id,
                "it is out of order: its id is not after the previous event's in this partition "
                "(it was moved or reordered)",
                partition,
            )
        checked += stretch.checked
        if stretch.broken is not None:
            return checked, stretch.broken
        expected, previous_hash, previous_id = stretch.last_sequence + 1, stretch.last_hash, stretch.last_id
    if expected - 1 < head.sequence:
        last = expected - 1
        missing = f"#{last + 1}" if last + 1 == head.sequence else f"#{last + 1} to #{head.sequence}"
        return checked, Break(
            last + 1,
            None,
            f"events {missing} are missing: the newest events were deleted (the chain head records {head.sequence})",
            partition,
        )
    if not hmac.compare_digest(head.entry_hash or "", previous_hash):
        return checked, Break(
            None, None, f"its hash does not match event #{head.sequence}: the head was altered", partition
        )
    if head.seal is not None and not hmac.compare_digest(
        head.seal or "", head_seal(head.sequence, head.entry_hash, key, partition)
    ):
        return checked, Break(
            None,
            None,
            "its seal does not match: the head was altered or rewound (newest events deleted), "
            "or the audit key is wrong",
            partition,
        )
    return checked, None


def _missing_words(first: int, last: int) -> str:
    missing = f"#{first}" if first == last else f"#{first} to #{last}"
    return f"event{'s' if first != last else ''} {missing} {'are' if first != last else 'is'} missing: deleted"


# --- The whole log ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitionResult:
    partition: int
    checked: int
    head: Head
    broken: Break | None
    sampled: int = 0
    from_checkpoint: int = 0  # the sequence of the checkpoint the run started from (0: genesis)


@dataclass(frozen=True)
class Result:
    checked: int
    head: Head  # partition 1's (the chain's head before there were partitions)
    broken: Break | None  # the first break found (partition order)
    partitions: list[PartitionResult] = field(default_factory=list)
    problems: list[Break] = field(default_factory=list)  # every partition's first break
    sampled: int = 0

    @property
    def intact(self) -> bool:
        return self.broken is None

    @property
    def heads(self) -> list[Head]:
        return [p.head for p in self.partitions]


def read_heads() -> dict[int, Head]:
    return {
        pk: Head(sequence, entry_hash, seal, pk)
        for pk, sequence, entry_hash, seal in ChainHead.objects.order_by("pk").values_list(
            "pk", "sequence", "entry_hash", "seal"
        )
    }


def latest_checkpoints() -> dict[int, AuditCheckpoint]:
    found: dict[int, AuditCheckpoint] = {}
    for checkpoint in AuditCheckpoint.objects.order_by("partition", "-sequence", "-id"):
        found.setdefault(checkpoint.partition, checkpoint)
    return found


def verify_database(
    key: str | None = None,
    chunk_size: int = 2000,
    *,
    workers: int = 1,
    full: bool = True,
    sample: int = 1000,
    segment_size: int = SEGMENT_SIZE,
    seed: int | None = None,
) -> Result:
    """Verify the audit table against the partitions' heads.

    The heads are read first; every event up to each is then walked (those rows are committed and
    cannot change under us), partitions cut into segments of ``segment_size`` checked by
    ``workers`` processes. Events past a head are found afterwards by statements that compare with
    the heads as they are at that moment, so events written while we verify are not mistaken for
    inserted ones, while events past a rewound head are caught.

    With ``full`` False, a partition with a valid sealed checkpoint is checked from it onwards, and
    ``sample`` older events (over all partitions) are checked one by one with their link, as well
    as the count and range of the older sequences; see ADR 0024.
    """
    heads = read_heads()
    any_heads = bool(heads)
    checkpoints = {} if full else latest_checkpoints()
    plans: dict[int, tuple[int, str, int | None]] = {}
    early: dict[int, Break] = {}
    for partition in range(1, PARTITIONS + 1):
        head = heads.get(partition)
        if head is None and not any_heads:
            # A database emptied by hand (a test's flush): the log is empty until record() runs.
            heads[partition] = Head(0, GENESIS_HASH, None, partition)
            plans[partition] = (0, GENESIS_HASH, None)
            continue
        if head is None:
            early[partition] = Break(
                None, None, "it is missing: the partition's head was deleted (and its events with it?)", partition
            )
            continue
        plans[partition] = (0, GENESIS_HASH, None)
        checkpoint = checkpoints.get(partition)
        if checkpoint is not None and checkpoint.sequence <= head.sequence and _checkpoint_holds(checkpoint, key):
            plans[partition] = (checkpoint.sequence, checkpoint.entry_hash, checkpoint.event_id)
    limits = {partition: heads[partition].sequence for partition in plans}
    stretches = _run_segments(_plan_segments(plans, full, segment_size), limits, key, workers)
    partitions: list[PartitionResult] = []
    problems: list[Break] = []
    by_partition: dict[int, list[Stretch]] = {}
    for stretch in stretches:
        by_partition.setdefault(stretch.partition, []).append(stretch)
    rng = random.Random(seed)  # noqa: S311 - choosing a sample, not a secret
    sampled_total = 0
    old_total = sum(after for after, _, _ in plans.values())
    for partition in range(1, PARTITIONS + 1):
        if partition in early:
            problems.append(early[partition])
            continue
        if partition not in plans:
            continue
        head = heads[partition]
        after, start_hash, start_id = plans[partition]
        checked, broken = _stitch(partition, by_partition.get(partition, []), head, after, start_hash, start_id, key)
        sampled = 0
        if broken is None and after:
            share = max(1, round(sample * after / old_total)) if old_total else 0
            sampled, broken = _check_old_part(partition, after, start_hash, start_id, share, rng, key)
            checked += after
        sampled_total += sampled
        partitions.append(PartitionResult(partition, checked, head, broken, sampled, after))
        if broken is not None:
            problems.append(broken)
    broken_partitions = {b.partition for b in problems}
    problems += [b for b in _beyond_heads(heads) if b.partition not in broken_partitions]
    problems.sort(key=lambda b: b.partition)
    total = sum(p.checked for p in partitions)
    return Result(
        checked=total,
        head=heads.get(1, Head(0, GENESIS_HASH, None, 1)),
        broken=problems[0] if problems else None,
        partitions=partitions,
        problems=problems,
        sampled=sampled_total,
    )


def _plan_segments(plans: dict[int, tuple[int, str, int | None]], full: bool, segment_size: int) -> list[Segment]:
    if not full and any(after for after, _, _ in plans.values()):
        # After checkpoints: one pass over each partition's new events (few, found by index).
        return [Segment(0, None, tuple((partition, after) for partition, (after, _, _) in sorted(plans.items())))]
    with connection.cursor() as cursor:
        # Read after the heads: every event up to them is committed and has an id up to this.
        cursor.execute("SELECT MIN(id), MAX(id) FROM audit_auditevent")
        lowest, highest = cursor.fetchone()
    if lowest is None:
        return [Segment(0, None)]
    segments = []
    bound = lowest - 1
    while bound + segment_size < highest:
        segments.append(Segment(bound, bound + segment_size))
        bound += segment_size
    segments.append(Segment(bound, None))
    # Anything with an id before the lowest (a forged id) is in the first segment.
    first = segments[0]
    segments[0] = Segment(-(2**62), first.high_id, first.floors)
    return segments


def _run_segments(segments: list[Segment], heads: dict[int, int], key: str | None, workers: int) -> list[Stretch]:
    """Every segment's stretches, in id order (segments are cut in id order)."""
    if (
        workers <= 1
        or len(segments) <= 1
        or connection.vendor != "postgresql"
        or connection.in_atomic_block  # forked workers could not see this transaction's rows
    ):
        return [stretch for segment in segments for stretch in check_segment(segment, heads, key)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Each process opens its own connection: none may be open when they are forked.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        results = list(pool.map(_check_segment_in_worker, [(s, heads, key) for s in segments]))
    return [stretch for result in results for stretch in result]


def _checkpoint_holds(checkpoint: AuditCheckpoint, key: str | None) -> bool:
    expected = checkpoint_seal(
        checkpoint.partition, checkpoint.sequence, checkpoint.entry_hash, checkpoint.event_id, key
    )
    return hmac.compare_digest(checkpoint.seal or "", expected)


def _check_old_part(
    partition: int,
    last: int,
    last_hash: str,
    last_id: int | None,
    share: int,
    rng: random.Random,
    key: str | None,
) -> tuple[int, Break | None]:
    """The part of a partition a sealed checkpoint vouches for: the checkpoint's event is still
    there with its hash; the sequences are still exactly 1 … ``last``; and ``share`` events picked
    at random still verify, each with its link to the one before."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), MIN(sequence), MAX(sequence) FROM audit_auditevent "
            "WHERE partition = %s AND sequence <= %s",
            [partition, last],
        )
        count, lowest, highest = cursor.fetchone()
    if (count, lowest, highest) != (last, 1, last):
        return 0, Break(
            None if highest == last else last,
            None,
            f"the events up to its checkpoint (#{last}) are no longer exactly #1 to #{last} "
            f"({count} found, from #{lowest} to #{highest}): events were deleted or inserted; "
            "run verify_audit --full to name the first",
            partition,
        )
    picks = sorted({last} | {rng.randint(1, last) for _ in range(share)})
    wanted = sorted(set(picks) | {p - 1 for p in picks if p > 1})
    found: dict[int, Row] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start : start + 1000]
        marks = ", ".join(["%s"] * len(chunk))
        sql = "SELECT " + COLUMNS + " FROM audit_auditevent WHERE partition = %s AND sequence IN (" + marks + ")"  # noqa: S608 - fixed fragments and placeholders, no input
        for row in _rows(sql, [partition, *chunk]):
            found[row.sequence] = row
    for pick in picks:
        event = found.get(pick)
        if event is None:
            return len(picks), Break(pick, None, "it is missing: deleted after it was checkpointed", partition)
        previous = found.get(pick - 1)
        previous_hash = GENESIS_HASH if pick == 1 else (previous.entry_hash if previous else "")
        checked, broken = verify(
            [event],
            pick,
            None,
            key=key,
            partition=partition,
            start=pick,
            previous_hash=previous_hash,
            previous_id=previous.id if previous is not None and pick > 1 else None,
        )
        if broken is not None:
            return len(picks), broken
    checkpointed = found[last]
    if checkpointed.entry_hash != last_hash or (last_id is not None and checkpointed.id != last_id):
        return len(picks), Break(
            last, checkpointed.id, "it is not the event its checkpoint recorded: it was replaced", partition
        )
    return len(picks), None


def _beyond_heads(heads: dict[int, Head]) -> list[Break]:
    """Events past each partition's head as the head is now, or in no partition at all."""
    found: list[Break] = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.partition, MIN(e.sequence) FROM audit_auditevent e "
            "LEFT JOIN audit_chainhead h ON h.id = e.partition "
            "WHERE h.id IS NULL OR e.sequence > h.sequence GROUP BY e.partition ORDER BY e.partition"
        )
        rows = cursor.fetchall()
        for partition, sequence in rows:
            cursor.execute(
                "SELECT id FROM audit_auditevent WHERE partition = %s AND sequence = %s ORDER BY id",
                [partition, sequence],
            )
            event_id = cursor.fetchone()[0]
            head = heads.get(partition)
            if head is None or partition > PARTITIONS:
                found.append(
                    Break(sequence, event_id, "it is in no partition of the chain: it was inserted", partition)
                )
            else:
                found.append(
                    Break(
                        sequence,
                        event_id,
                        f"it is beyond the newest event the chain head records (#{head.sequence}): "
                        "it was inserted, or the head was rewound",
                        partition,
                    )
                )
    return found


def write_checkpoints(result: Result, key: str | None = None) -> int:
    """After a run that found everything intact: seal each partition's verified head as a
    checkpoint, so the next run starts there. Returns how many were written."""
    if not result.intact:
        return 0
    written = 0
    for part in result.partitions:
        head = part.head
        if head.sequence == 0 or head.sequence == part.from_checkpoint:
            continue
        event_id = (
            AuditEvent.objects.filter(partition=part.partition, sequence=head.sequence)
            .values_list("id", flat=True)
            .first()
        )
        AuditCheckpoint.objects.create(
            partition=part.partition,
            sequence=head.sequence,
            entry_hash=head.entry_hash,
            event_id=event_id,
            seal=checkpoint_seal(part.partition, head.sequence, head.entry_hash, event_id, key),
        )
        written += 1
    return written


def check_expected_head(expected: Head, result: Result) -> str | None:
    """Whether the chain still holds ``expected`` (a partition's head recorded off the server
    earlier): None if it holds that event with that hash, otherwise what is wrong. The chain's own
    verification (``result``) proves the events before it; this proves the partition was not
    rolled back past it."""
    current = next((p.head for p in result.partitions if p.partition == expected.partition), None)
    if current is None:
        current = result.head if expected.partition == 1 else Head(0, GENESIS_HASH, None, expected.partition)
    where = f" (chain partition {expected.partition})"
    if current.sequence < expected.sequence:
        return (
            f"Audit chain rolled back: it ends at event #{current.sequence}, before event "
            f"#{expected.sequence} recorded off the server; events were removed (rolled back or truncated)" + where
        )
    found = (
        AuditEvent.objects.filter(partition=expected.partition, sequence=expected.sequence)
        .values_list("entry_hash", flat=True)
        .first()
    )
    if found is None:
        return f"Audit chain rolled back: event #{expected.sequence} recorded off the server is missing" + where
    if not hmac.compare_digest(found, expected.entry_hash):
        return (
            f"Audit chain rewritten: event #{expected.sequence} does not have the hash recorded off the "
            "server; the chain was rolled back and written again from that event or earlier" + where
        )
    return None
