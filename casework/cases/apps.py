from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casework.cases"
    label = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from casework.cases import access, work  # noqa: F401  (registers My work sections)
        from casework.cases.services import kept

        access.register()
        kept.connect()
