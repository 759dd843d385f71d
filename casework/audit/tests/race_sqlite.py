"""Racing audit writers on a real SQLite file database (run in a subprocess by
test_concurrent_writers.py; the suite's own SQLite database is in memory and cannot show this).

Each thread has its own connection; IMMEDIATE transactions take the write lock at BEGIN, so the
chain head is read and moved by one writer at a time. Prints the sequences written and whether
the chain verifies, as JSON."""

from __future__ import annotations

import json
import sys
import threading
import time

import django


def main(threads: int, events_each: int) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import connections, transaction

    from casework.audit import chain
    from casework.audit.models import Action, AuditEvent
    from casework.audit.services import record

    call_command("migrate", verbosity=0)
    real_compute_hash = chain.compute_hash

    def slow_compute_hash(*args, **kwargs):
        time.sleep(0.002)  # widen the window between reading the head and writing the event
        return real_compute_hash(*args, **kwargs)

    chain.compute_hash = slow_compute_hash
    start = threading.Barrier(threads)
    errors: list[str] = []

    def write(n: int) -> None:
        try:
            start.wait(timeout=30)
            for i in range(events_each):
                with transaction.atomic():
                    record(
                        action=Action.VIEW,
                        object_type="accounts.user",
                        object_id=n + 1,
                        object_label=f"thread {n} event {i}",
                    )
        except Exception as error:  # noqa: BLE001 - reported to the test
            errors.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    chain.compute_hash = real_compute_hash
    result = chain.verify_database()
    print(
        json.dumps(
            {
                "errors": errors,
                "sequences": list(AuditEvent.objects.order_by("sequence").values_list("sequence", flat=True)),
                "object_ids": sorted(set(AuditEvent.objects.values_list("object_id", flat=True))),
                "intact": result.intact,
                "broken": str(result.broken) if result.broken else "",
                "head": result.head.sequence,
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
