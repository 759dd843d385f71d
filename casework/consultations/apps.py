from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    name = "casework.consultations"
    label = "consultations"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from casework.consultations import access, rules  # noqa: F401  (permissions)

        access.register()
