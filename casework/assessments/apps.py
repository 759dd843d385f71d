from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "casework.assessments"
    label = "assessments"
    verbose_name = "Assessments"

    def ready(self) -> None:
        from casework.assessments import access, checks, queries, work  # noqa: F401  (checks, My work)
        from casework.cases.queries import provide_risk_judgements

        access.register()
        provide_risk_judgements(queries.current_judgements)
