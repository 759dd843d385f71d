from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The agency portal: agency referrers refer cases and follow their organisation's referrals.

    It sits above the referrals app (it reads and writes referrals through the referrals app's
    queries and services); nothing below it imports it.
    """

    name = "casework.portal"
    label = "portal"
    verbose_name = "Agency portal"

    def ready(self) -> None:
        from casework.portal import work  # noqa: F401  (registers the agency's My work sections)
