"""``manage.py db_worker``: run background tasks, with leases, retries and a clean stop.

Replaces django-tasks-db's command of the same name (this app is listed before
``django_tasks_db``), keeping its main options; see ``casework.worker.runner`` and
docs/adr/0013-background-work-that-survives.md.
"""

from __future__ import annotations

import logging
import math
import os
import socket

from django.core.management.base import BaseCommand, CommandError
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME, task_backends

from casework.core.startup import refuse_if_unsafe
from casework.worker.runner import Worker


def _interval(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Run background tasks (retried with back-off when they fail or their worker is lost; stops cleanly on SIGTERM)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--queue-name",
            default=DEFAULT_TASK_QUEUE_NAME,
            help="Queues to process, comma-separated; '*' for all (default: %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=_interval,
            default=1.0,
            help="Seconds to wait when the queue is empty (default: %(default)s)",
        )
        parser.add_argument("--batch", action="store_true", help="Run what is ready, then exit")
        parser.add_argument(
            "--backend",
            dest="backend_name",
            default=DEFAULT_TASK_BACKEND_ALIAS,
            help="Task backend (default: %(default)s)",
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="Exit after this many tasks")
        parser.add_argument(
            "--worker-id", default="", help="Unique id of this worker (default: host, pid and a random part)"
        )
        # Accepted for compatibility with django-tasks-db's command; this worker never reloads.
        parser.add_argument("--reload", action="store_true", help="Ignored: this worker does not reload")
        parser.add_argument("--no-startup-delay", action="store_true", help="Ignored")

    def handle(
        self,
        *args,
        queue_name: str,
        interval: float,
        batch: bool,
        backend_name: str,
        max_tasks: int | None,
        worker_id: str,
        verbosity: int,
        **options,
    ) -> None:
        if not isinstance(task_backends[backend_name], DatabaseBackend):
            raise CommandError(f"Backend {backend_name!r} is not a database backend")
        if max_tasks is not None and max_tasks < 1:
            raise CommandError("--max-tasks must be at least 1")
        refuse_if_unsafe()  # e.g. keys that cannot read this database (casework/core/startup.py)
        logger = logging.getLogger("casework.worker")
        logger.setLevel(logging.WARNING if verbosity == 0 else logging.INFO)
        worker_id = worker_id or f"{socket.gethostname()[:32]}-{os.getpid()}-{get_random_string(8)}"[:64]
        worker = Worker(
            queue_names=queue_name.split(","),
            interval=interval,
            batch=batch,
            backend_name=backend_name,
            max_tasks=max_tasks,
            worker_id=worker_id,
        )
        worker.install_signal_handlers()
        worker.run()
