from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "casework.treatment"
    label = "treatment"
    verbose_name = "Treatment"

    def ready(self) -> None:
        from casework.treatment import access, rules, work  # noqa: F401  (permissions, My work)

        access.register()
        from casework.treatment import report_sections

        report_sections.register()
        from casework.treatment import compliance_work  # noqa: F401  (registers the "My work" section)
