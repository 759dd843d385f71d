"""What the worker keeps beside django-tasks-db's own task rows.

``TaskRun`` is the lease of a task: which worker holds it, when it last said it was alive, how
many attempts have started. A RUNNING task whose lease has not been renewed for
``CASEWORK_TASK_LEASE_SECONDS`` was interrupted (the worker crashed, was killed or lost its
machine); the sweep every worker runs puts it back on the queue with back-off, or marks it
failed after ``CASEWORK_TASK_MAX_ATTEMPTS`` attempts, when staff see it.

``Delivery`` makes a task's side effects idempotent: a message is sent under a key (for example
``break-glass:42:user:7``) only if no delivery with that key is recorded, so a task retried
after a crash does not send again what it had already sent.
"""

from __future__ import annotations

from django.db import models


class TaskRun(models.Model):
    task = models.OneToOneField(
        "django_tasks_database.DBTaskResult",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="run",
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Attempts started, including the current one")
    worker_id = models.CharField(max_length=64, blank=True, help_text="Worker holding the lease; blank when none")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(
        max_length=200,
        blank=True,
        help_text="Exception class of the last failed attempt, or why it stopped (never its message)",
    )
    gave_up_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["heartbeat_at"], name="task_run_heartbeat_idx")]

    def __str__(self) -> str:
        return f"Task run {self.pk}"


class Delivery(models.Model):
    key = models.CharField(max_length=200, unique=True)
    delivered_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"Delivery {self.pk}"
