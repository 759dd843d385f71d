from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "casework.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        from casework.audit import work  # noqa: F401  (registers the "My work" section)
