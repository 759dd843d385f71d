from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "casework.access"
    label = "access"
    verbose_name = "Access"

    def ready(self) -> None:
        from casework.access import checks, memo, work  # noqa: F401  (system checks, the alerts on My work)
        from casework.audit.models import BreakGlassGrant

        # A change to a grant (or to any model the apps register: ``registry``) empties what the
        # request remembered.
        memo.forget_on_change(BreakGlassGrant)
