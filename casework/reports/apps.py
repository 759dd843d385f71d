from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "casework.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from casework.reports import access, rules, work  # noqa: F401  (permissions, My work)

        access.register()
