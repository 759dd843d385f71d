from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "casework.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from casework.reports import access, checks, rules, work  # noqa: F401  (permissions, checks, My work)

        access.register()
