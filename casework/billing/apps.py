from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "casework.billing"
    label = "billing"
    verbose_name = "Contracts and charging"

    def ready(self) -> None:
        from casework.billing import panels, rules, work  # noqa: F401  (panels, permissions, My work sections)
