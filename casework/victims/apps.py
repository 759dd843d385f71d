from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "casework.victims"
    label = "victims"
    verbose_name = "Victim pathway"

    def ready(self) -> None:
        from casework.victims import access, rules  # noqa: F401  (permissions)

        access.register()

        from casework.cases.choices import CaseKind
        from casework.treatment.reminders import remind_others
        from casework.victims.reminders import schedule

        remind_others(CaseKind.VICTIM, schedule)
