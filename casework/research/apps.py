from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "casework.research"
    label = "research"
    verbose_name = "Research extracts"

    def ready(self) -> None:
        from casework.research import rules, work  # noqa: F401  (permissions, My work)
