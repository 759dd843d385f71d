"""Writers racing each other still leave a gap-free, valid chain.

PostgreSQL: each writer locks a partition's head (the lowest one no one else holds: FOR UPDATE
SKIP LOCKED; ADR 0024) while each event is added, so racing writers spread over partitions. Every
database call runs in its own thread, on its own connection, committing for real, so that the
writers see each other; the test's own (rolled-back) transaction touches nothing. The events
written are removed afterwards, with the triggers lifted, and the heads put back.

SQLite: IMMEDIATE transactions serialise writers. The suite's SQLite database lives in memory, so
the race runs in a subprocess against a fresh file database (race_sqlite.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections, transaction

from casework.audit import chain
from casework.audit.models import Action, AuditEvent, ChainHead
from casework.audit.services import record

THREADS = 4
EVENTS_EACH = 15


def in_threads(*work: Callable[[], Any]) -> list[Any]:
    """Run each callable in its own thread (own connection, autocommit); return their results."""
    results: list[Any] = [None] * len(work)
    errors: list[BaseException] = []

    def run(index: int, fn: Callable[[], Any]) -> None:
        try:
            results[index] = fn()
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _head() -> dict[int, tuple[int, str, str]]:
    return {head.pk: (head.sequence, head.entry_hash, head.seal) for head in ChainHead.objects.all()}


def _put_back(saved: dict[int, tuple[int, str, str]]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            for partition, (sequence, _, _) in saved.items():
                cursor.execute(
                    "DELETE FROM audit_auditevent WHERE partition = %s AND sequence > %s", [partition, sequence]
                )
        finally:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    for partition, (sequence, entry_hash, seal) in saved.items():
        ChainHead.objects.filter(pk=partition).update(sequence=sequence, entry_hash=entry_hash, seal=seal)


@pytest.fixture
def saved_head(db):
    if connection.vendor != "postgresql":
        yield None  # the SQLite race runs in its own database
        return
    [saved] = in_threads(_head)
    yield saved
    in_threads(lambda: _put_back(saved))


def test_concurrent_writers_leave_a_gap_free_valid_chain(saved_head, monkeypatch, tmp_path):
    if connection.vendor == "sqlite":
        _race_on_a_sqlite_file(tmp_path)
        return
    real_compute_hash = chain.compute_hash

    def slow_compute_hash(*args, **kwargs):
        time.sleep(0.002)  # widen the window between reading the head and writing the event
        return real_compute_hash(*args, **kwargs)

    monkeypatch.setattr(chain, "compute_hash", slow_compute_hash)
    barrier = threading.Barrier(THREADS)

    def writer(n: int) -> Callable[[], None]:
        def write() -> None:
            barrier.wait(timeout=30)
            for i in range(EVENTS_EACH):
                with transaction.atomic():
                    record(
                        action=Action.VIEW,
                        object_type="accounts.user",
                        object_id=n + 1,
                        object_label=f"thread {n} event {i}",
                    )

        return write

    in_threads(*[writer(n) for n in range(THREADS)])
    monkeypatch.undo()

    def check():
        written = list(
            AuditEvent.objects.filter(id__in=_new_ids(saved_head))
            .order_by("partition", "sequence")
            .values_list("partition", "sequence", "object_id", "id")
        )
        return written, chain.verify_database()

    [(written, result)] = in_threads(check)
    assert len(written) == THREADS * EVENTS_EACH
    assert {object_id for _, _, object_id, _ in written} == {str(n + 1) for n in range(THREADS)}
    by_partition: dict[int, list[tuple[int, int]]] = {}
    for partition, sequence, _, event_id in written:
        by_partition.setdefault(partition, []).append((sequence, event_id))
    for partition, rows in by_partition.items():
        start = saved_head[partition][0]
        # Each partition gap-free from where it was, its ids (the global order) rising along it.
        assert [sequence for sequence, _ in rows] == list(range(start + 1, start + 1 + len(rows)))
        assert [event_id for _, event_id in rows] == sorted(event_id for _, event_id in rows)
    assert result.intact, str(result.broken)


def _new_ids(saved: dict[int, tuple[int, str, str]]) -> list[int]:
    ids = []
    for partition, (sequence, _, _) in saved.items():
        ids += AuditEvent.objects.filter(partition=partition, sequence__gt=sequence).values_list("id", flat=True)
    return ids


def _race_on_a_sqlite_file(tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CASEWORK_ENV")}
    env.update(
        {"CASEWORK_ENV": "demo", "CASEWORK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "casework.settings"}
    )
    result = subprocess.run(
        [sys.executable, "-m", "casework.audit.tests.race_sqlite", str(THREADS), str(EVENTS_EACH)],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["sequences"] == list(range(1, THREADS * EVENTS_EACH + 1))
    assert outcome["object_ids"] == sorted(str(n + 1) for n in range(THREADS))
    assert outcome["intact"], outcome["broken"]
    assert outcome["head"] == THREADS * EVENTS_EACH
