from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casework.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from casework.access import checks, review, rules  # noqa: F401  (system checks, permissions)
        from casework.audit import scope

        # The audit review pages ask these rules which records' events a reviewer may see.
        scope.provide(review.hidden_records)
