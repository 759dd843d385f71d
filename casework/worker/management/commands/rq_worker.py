"""``manage.py rq_worker``: run background tasks from the Redis queue (``CASEWORK_TASKS=redis``).

RQ's worker with its scheduler (delayed tasks and retries after back-off wait in Redis until due),
on the queues of ``RQ_QUEUES``, each job in a work horse process of its own; SIGTERM lets the current
job finish (a second SIGTERM stops it, and the job is retried). See ``casework.worker.redis_queue``
and docs/adr/0019-redis-task-queue.md. With the database queue (the default), ``db_worker``.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from rq import Worker

from casework.core.startup import refuse_if_unsafe
from casework.worker import redis_queue


class Command(BaseCommand):
    help = "Run background tasks from the Redis queue (CASEWORK_TASKS=redis)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--burst", action="store_true", help="Run the tasks waiting now, then stop")
        parser.add_argument("--name", default=None, help="The worker's name (default: RQ's, host and pid)")

    def handle(self, *args, **options) -> None:
        refuse_if_unsafe()
        if not redis_queue.in_use():
            raise CommandError("The task queue is the database's: set CASEWORK_TASKS=redis, or run db_worker")
        queues = redis_queue.queues()
        # Each job runs in a forked process: it must open its own database connection.
        connections.close_all()
        worker = Worker(queues, connection=queues[0].connection, name=options["name"], job_class=redis_queue.Job)
        worker.work(burst=options["burst"], with_scheduler=True, logging_level="INFO")
