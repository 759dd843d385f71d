from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "casework.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from casework.assessments import access, checks  # noqa: F401  (registers the system checks)

        access.register()
