from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "casework.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from casework.insights import rules, work  # noqa: F401  (permissions, My work)
