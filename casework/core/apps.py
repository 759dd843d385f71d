from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "casework.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.models.signals import pre_save

        from casework.core import checks  # noqa: F401  (registers system checks)
        from casework.core.converters import register as register_converters
        from casework.core.limits import enforce_on_save

        register_converters()
        pre_save.connect(enforce_on_save, dispatch_uid="casework.core.limits.enforce_on_save")
