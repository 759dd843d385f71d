"""The partitioned chain (ADR 0024): what verify_audit proves about partitions, the events written
before partitions, the quick pass that checks rows without model instances, and sealed checkpoints.
Runs on whichever database the suite uses (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import decimal
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from casework.audit import chain
from casework.audit.management.commands.verify_audit import parse_head
from casework.audit.models import Action, AuditCheckpoint, AuditEvent, ChainHead
from casework.audit.services import record
from casework.audit.tests.factories import write_events
from casework.audit.tests.tampering import execute, triggers_lifted


def verify_audit(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_every_partition_has_a_sealed_head(db):
    heads = chain.read_heads()
    assert sorted(heads) == list(range(1, chain.PARTITIONS + 1))
    for partition, head in heads.items():
        assert head.seal == chain.head_seal(head.sequence, head.entry_hash, partition=partition)


def test_new_events_hash_their_id_and_partition(db):
    event = record(action=Action.VIEW, object_type="accounts.user", object_id=1)
    assert b'"id":%d' % event.id in chain.canonical_payload(event, event.previous_hash)
    assert AuditEvent.objects.get(pk=event.pk).entry_hash == event.entry_hash


def test_a_missing_partition_head_fails(db):
    write_events(2, action=Action.VIEW, object_type="accounts.user", object_id=1)
    ChainHead.objects.filter(pk=7).delete()
    code, _, err = verify_audit()
    assert code == 1
    assert "Audit chain broken at the chain head" in err and "(chain partition 7)" in err


def test_an_event_in_no_partition_fails(db):
    event = write_events(1, action=Action.VIEW, object_type="accounts.user", object_id=1)[0]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET partition = 99 WHERE id = %s", [event.id])
    code, _, err = verify_audit()
    assert code == 1
    assert "in no partition of the chain" in err


def test_an_event_moved_to_another_partition_fails(db):
    events = write_events(3, action=Action.VIEW, object_type="accounts.user", object_id=1)
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET partition = 2, sequence = 1 WHERE id = %s", [events[2].id])
        ChainHead.objects.filter(pk=2).update(sequence=1, entry_hash=events[2].entry_hash)
    code, _, err = verify_audit()
    assert code == 1
    assert "(chain partition 1)" in err and "(chain partition 2)" in err


def test_events_written_before_partitions_still_verify(db):
    """Migration 0005 keeps the single chain as partition 1; its events (the first form) do not hash their
    id or partition, and new events carry on from them."""
    head = ChainHead.objects.get(pk=1)
    legacy = AuditEvent(
        partition=1,
        sequence=head.sequence + 1,
        occurred_at=timezone.now().astimezone(dt.UTC),
        action=Action.VIEW,
        object_type="accounts.user",
        object_id="1",
        previous_hash=head.entry_hash,
    )
    legacy.entry_hash = chain.compute_hash(legacy, head.entry_hash, scheme=1)
    assert b'"id"' not in chain.canonical_payload(legacy, head.entry_hash, scheme=1)
    legacy.save(force_insert=True)
    ChainHead.objects.filter(pk=1).update(
        sequence=legacy.sequence,
        entry_hash=legacy.entry_hash,
        seal=chain.head_seal(legacy.sequence, legacy.entry_hash),
    )
    after = record(action=Action.VIEW, object_type="accounts.user", object_id=1)
    assert after.previous_hash == legacy.entry_hash
    code, out, err = verify_audit()
    assert code == 0, err


def test_the_quick_pass_hashes_exactly_what_the_service_hashed(db):
    """On PostgreSQL rows are checked without model instances (``_fast_payload``): it must give
    the same bytes as ``canonical_payload`` for every kind of value."""
    if connection.vendor != "postgresql":
        pytest.skip("the quick pass reads PostgreSQL's text forms")
    request = RequestFactory().get("/", REMOTE_ADDR="::ffff:192.0.2.1")
    request.request_id = "abcdef0123456789"
    events = [
        record(
            action=Action.UPDATE,
            request=request,
            object_type="accounts.user",
            object_id=7,
            object_label="user 7 “quoted” – ✓",
            reason='Line one\nline "two" \\ ü',
            changes={
                "born": {"old": dt.date(1980, 1, 2), "new": None},
                "fee": {"old": decimal.Decimal("12.50"), "new": 1.5},
                "tags": {"old": ("a", "b"), "new": ["c", {"z": 1, "a": True}]},
            },
        ),
        record(action=Action.VIEW, object_type="cases.case", object_id=3),
    ]
    stored = {row[chain.ID]: row for row in chain._tuples(chain.LAST_SEGMENT, [0])}
    for event in events:
        row = stored[event.id]
        assert chain._fast_payload(row) == chain.canonical_payload(event, event.previous_hash)
    # A timestamp with no microseconds is written without them, as isoformat() does.
    whole = AuditEvent.objects.get(pk=events[1].pk)
    assert chain._fast_payload(stored[whole.id]).count(b"+00:00") == 1


# --- Checkpoints ---------------------------------------------------------------------------------


def test_a_routine_run_starts_from_the_sealed_checkpoints(db):
    write_events(5, action=Action.VIEW, object_type="accounts.user", object_id=1)
    code, out, err = verify_audit("--checkpoint")
    assert code == 0, err
    assert "Sealed 1 new checkpoint." in out
    write_events(3, action=Action.VIEW, object_type="accounts.user", object_id=1)
    code, out, err = verify_audit()
    assert code == 0, err
    assert "vouched for by sealed checkpoints" in out
    total = AuditEvent.objects.count()
    assert f"Audit chain intact: {total} events verified." in out


def test_an_old_event_deleted_after_the_checkpoint_is_caught_by_the_count(db):
    events = write_events(5, action=Action.VIEW, object_type="accounts.user", object_id=1)
    assert verify_audit("--checkpoint")[0] == 0
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    code, _, err = verify_audit()
    assert code == 1
    assert "no longer exactly" in err


def test_an_old_event_altered_after_the_checkpoint_is_caught_by_the_full_check(db):
    events = write_events(5, action=Action.VIEW, object_type="accounts.user", object_id=1)
    assert verify_audit("--checkpoint")[0] == 0
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET reason = 'x' WHERE id = %s", [events[1].id])
    code, _, err = verify_audit("--full")
    assert code == 1
    assert f"event #{events[1].sequence} (id {events[1].id})" in err
    # With five old events the sample takes them all, so the routine run catches it too.
    assert verify_audit("--sample", "50")[0] == 1


def test_a_checkpoint_without_a_valid_seal_is_ignored(db):
    events = write_events(4, action=Action.VIEW, object_type="accounts.user", object_id=1)
    AuditCheckpoint.objects.create(
        partition=1,
        sequence=events[-1].sequence,
        entry_hash=events[-1].entry_hash,
        event_id=events[-1].id,
        seal="0" * 64,
    )
    code, out, err = verify_audit()
    assert code == 0, err
    assert "vouched for" not in out


def test_expected_heads_name_their_partitions():
    heads = parse_head("12:" + "a" * 64 + " 3/4:" + "b" * 64)
    assert [(h.partition, h.sequence) for h in heads] == [(1, 12), (3, 4)]
