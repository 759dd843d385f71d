from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """Background work that survives: leases, retries with back-off, failed tasks shown to staff.

    Listed before ``django_tasks_db`` in INSTALLED_APPS so that its ``db_worker`` command is the
    one ``manage.py db_worker`` runs (docs/adr/0013-background-work-that-survives.md)."""

    name = "casework.worker"
    label = "worker"
    verbose_name = "Background work"

    def ready(self) -> None:
        from casework.worker import work  # noqa: F401  (registers the "My work" section)
