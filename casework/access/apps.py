from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casework.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from casework.access import checks, work  # noqa: F401  (system checks, the alerts on My work)
