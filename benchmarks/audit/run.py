"""Audit chain benchmark (issue 19, ADR 0024): how fast events are appended with 1, 8 and 32
concurrent writers on PostgreSQL, the single chain head of before beside the partitioned chain, and
how fast ``verify_audit`` checks a bulk-seeded log.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casework_bench_audit \\
        .venv/bin/python benchmarks/audit/run.py --events 1000000 --seconds 5

It works in its own database (created if missing, migrated, and emptied first: never point it at a
database you keep). Writers are processes, each with its own connection, each writing one event a
transaction through ``casework.audit.services.record`` for ``--seconds``. "Before" runs the same
service with the append of before (every writer locks partition 1's head, the one head there was,
and the event is written through the ORM); "after" is the service as it is.

Then ``--events`` events are seeded in bulk (hashes computed here with the service's own
``chain.compute_hash``, rows written with COPY, spread over the partitions with rising ids, heads
set and sealed) and ``verify_audit`` is timed: ``--full`` (every event, segments in parallel), then
after ``--checkpoint`` and ``--fresh`` more events, a routine run (new events + a sample of the old).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import multiprocessing
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casework_bench_audit"


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("CASEWORK_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    import django

    django.setup()


def create_database() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    base = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def empty_log() -> None:
    """Empty the benchmark database's log (triggers lifted for the moment) and reset the heads."""
    from django.db import connection

    from casework.audit import chain

    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        cursor.execute("TRUNCATE audit_auditevent, audit_auditcheckpoint")
        cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        for partition in range(1, chain.PARTITIONS + 1):
            cursor.execute(
                "UPDATE audit_chainhead SET sequence = 0, entry_hash = %s, seal = %s WHERE id = %s",
                [chain.GENESIS_HASH, chain.head_seal(0, chain.GENESIS_HASH, partition=partition), partition],
            )
        cursor.execute("VACUUM audit_chainhead") if not connection.in_atomic_block else None


# --- Appends -------------------------------------------------------------------------------------


def writer(method: str, seconds: float, start_at: float, results, sync: str = "on") -> None:
    from django.db import connection, connections

    from casework.audit import services
    from casework.audit.models import Action

    connections.close_all()
    if sync != "on":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    if method == "before":
        services._append = services._append_locked  # the single head, as before
    while time.time() < start_at:
        time.sleep(0.001)
    count = 0
    deadline = start_at + seconds
    while time.time() < deadline:
        if method == "row alone":
            _row_alone(count)
        else:
            services.record(action=Action.VIEW, object_type="cases.case", object_id=count % 5000, object_label="REF")
        count += 1
    connections.close_all()
    results.put(count)


# The ceiling any chain could reach here: the event's row alone, in a copy of the events table (its
# columns, indexes and constraints; not its append-only triggers), one INSERT in its own transaction
# through Django as the service writes, with no head taken and no hash of a previous event.
ROW_ALONE = "bench_audit_row_alone"


def make_row_alone_table() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {ROW_ALONE}")
        cursor.execute(f"DROP SEQUENCE IF EXISTS {ROW_ALONE}_sequence")
        cursor.execute(f"CREATE TABLE {ROW_ALONE} (LIKE audit_auditevent INCLUDING ALL)")
        cursor.execute(f"CREATE SEQUENCE {ROW_ALONE}_sequence")


def _row_alone(count: int) -> None:
    import json

    from django.db import connection, transaction

    from casework.audit import chain

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ROW_ALONE} (partition, sequence, occurred_at, actor_role, action, object_type, "  # noqa: S608 - our constant
            "object_id, object_label, reason, changes, request_id, previous_hash, entry_hash) "
            f"VALUES (1, nextval('{ROW_ALONE}_sequence'), now(), 'clinician', 'view', 'cases.case', %s, 'REF', '', "
            "%s::jsonb, '', %s, %s)",
            [str(count % 5000), json.dumps({}), chain.GENESIS_HASH, chain.GENESIS_HASH],
        )


def appends(method: str, writers: int, seconds: float, sync: str = "on") -> float:
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    start_at = time.time() + 1.0 + writers * 0.02
    processes = [
        context.Process(target=writer, args=(method, seconds, start_at, results, sync)) for _ in range(writers)
    ]
    for process in processes:
        process.start()
    total = sum(results.get(timeout=seconds + 120) for _ in processes)
    for process in processes:
        process.join()
    return total / seconds


# --- Bulk seeding --------------------------------------------------------------------------------


class Event:
    __slots__ = (
        "id",
        "partition",
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
    )


def seed(count: int, *, start_id: int | None = None) -> None:
    """``count`` more events, round robin over the partitions, continuing each partition's chain."""
    import json

    from django.db import connection, transaction

    from casework.audit import chain
    from casework.audit.models import ChainHead
    from casework.audit.services import _create_heads

    _create_heads()  # every partition's head (a flushed test database may hold only the first)
    columns = [f for f in Event.__slots__]
    actions = ["view", "view", "view", "update", "create", "export"]
    with transaction.atomic(), connection.cursor() as cursor:
        # Every head locked first, in one order, for the whole batch: an event the site appends
        # meanwhile (a page viewed while the benchmark seeds) waits for the batch and then follows
        # it, where reading the heads unlocked let both claim the same sequence and deadlock.
        heads = {h.pk: [h.sequence, h.entry_hash] for h in ChainHead.objects.select_for_update().order_by("pk")}
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM audit_auditevent")
        next_id = int(cursor.fetchone()[0]) + 1
        base = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=next_id)
        raw = cursor.cursor
        with raw.copy("COPY audit_auditevent (" + ", ".join(columns) + ") FROM STDIN") as copy:
            for n in range(count):
                event = Event()
                partition = n % chain.PARTITIONS + 1
                head = heads[partition]
                event.id = next_id + n
                event.partition = partition
                event.sequence = head[0] + 1
                event.occurred_at = base + dt.timedelta(microseconds=n * 1371)
                event.actor_id = None
                event.actor_role = "clinician"
                event.action = actions[n % len(actions)]
                event.object_type = "cases.case"
                event.object_id = str(n % 10000)
                event.object_label = f"NSC-2026-{n % 10000:05d}"
                event.reason = ""
                event.changes = {"status": {"old": "open", "new": "closed"}} if event.action == "update" else {}
                event.ip_address = "10.0.0.1" if n % 3 else None
                event.request_id = f"{n:016x}"
                event.previous_hash = head[1]
                event.entry_hash = chain.compute_hash(event, head[1])
                head[0], head[1] = event.sequence, event.entry_hash
                copy.write_row(
                    [
                        event.id,
                        partition,
                        event.sequence,
                        event.occurred_at,
                        None,
                        event.actor_role,
                        event.action,
                        event.object_type,
                        event.object_id,
                        event.object_label,
                        "",
                        json.dumps(event.changes),
                        event.ip_address,
                        event.request_id,
                        event.previous_hash,
                        event.entry_hash,
                    ]
                )
        for partition, (sequence, entry_hash) in heads.items():
            cursor.execute(
                "UPDATE audit_chainhead SET sequence = %s, entry_hash = %s, seal = %s WHERE id = %s",
                [sequence, entry_hash, chain.head_seal(sequence, entry_hash, partition=partition), partition],
            )
        cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), %s)", [next_id + count])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE audit_auditevent")


def verify(*args: str) -> tuple[float, str]:
    from django.core.management import call_command
    from django.db import connections

    connections.close_all()
    out, err = io.StringIO(), io.StringIO()
    started = time.perf_counter()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        raise RuntimeError(f"verify_audit failed: {err.getvalue()[:2000]}") from exit_
    return time.perf_counter() - started, out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events seeded for verify_audit")
    parser.add_argument("--fresh", type=int, default=100_000, help="events added after the checkpoint")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds each append run lasts")
    parser.add_argument("--writers", default="1,8,32", help="concurrent writers, comma-separated")
    parser.add_argument("--skip-appends", action="store_true")
    parser.add_argument("--skip-verify", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    create_database()
    setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(
        f"Machine: {platform.node()} · {platform.processor() or platform.machine()} · {os.cpu_count()} CPUs · "
        f"Python {platform.python_version()}"
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    print(f"PostgreSQL {version} (synchronous_commit={sync}) on the same machine")
    if not args.skip_appends:
        print("\nAppends (one event a transaction, through services.record), events per second.")
        print("synchronous_commit=on is as deployed (each commit waits for the disk); off takes the disk")
        print("flush out, to show what the chain itself allows.")
        print("'row alone' is the ceiling for any chain here: the event's row only, in a copy of the table,")
        print("one INSERT a transaction through Django, no head and no previous hash.")
        print(f"{'writers':>8} {'commit':>7} {'before (one head)':>18} {'after (partitions)':>19} {'row alone':>10}")
        make_row_alone_table()
        for sync in ("on", "off"):
            for writers in [int(w) for w in args.writers.split(",")]:
                rates = {}
                for method in ("before", "row alone", "after"):  # "after" last: its chain is verified below
                    empty_log()
                    rates[method] = appends(method, writers, args.seconds, sync)
                print(
                    f"{writers:>8} {sync:>7} {rates['before']:>18,.0f} {rates['after']:>19,.0f} "
                    f"{rates['row alone']:>10,.0f}",
                    flush=True,
                )
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {ROW_ALONE}")
            cursor.execute(f"DROP SEQUENCE {ROW_ALONE}_sequence")
        elapsed, out = verify("--full")
        print("The chain the writers left verifies:", out.splitlines()[0])
    if not args.skip_verify:
        empty_log()
        started = time.perf_counter()
        seed(args.events)
        print(f"\nSeeded {args.events:,} events in {time.perf_counter() - started:.0f} s (bulk COPY, hashes in Python)")
        elapsed, out = verify("--full")
        print(
            f"verify_audit --full: {elapsed:.1f} s, {args.events / elapsed:,.0f} events/s "
            f"({os.cpu_count()} workers) — {out.splitlines()[0]}"
        )
        elapsed, out = verify("--full", "--workers", "1")
        print(f"verify_audit --full --workers 1: {elapsed:.1f} s, {args.events / elapsed:,.0f} events/s")
        elapsed, _ = verify("--full", "--checkpoint")
        seed(args.fresh)
        elapsed, out = verify()
        print(
            f"verify_audit after a checkpoint and {args.fresh:,} new events: {elapsed:.1f} s — "
            + " ".join(out.splitlines()[:2])
        )


if __name__ == "__main__":
    main()
