from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "casework.billing"
    label = "billing"
    verbose_name = "Contracts and charging"

    def ready(self) -> None:
        from casework.billing import access, invoice_work, panels, rules, work  # noqa: F401  (panels, permissions, My work)
        from casework.billing.services import events

        access.register()
        events.listen()  # billable events from completed work (casework.core.completions)
