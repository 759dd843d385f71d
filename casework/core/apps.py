from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from casework.core import checks  # noqa: F401  (registers system checks)
