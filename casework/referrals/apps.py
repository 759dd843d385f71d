from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "casework.referrals"
    label = "referrals"
    verbose_name = "Referrals"

    def ready(self) -> None:
        from casework.referrals import access, work  # noqa: F401  (registers My work sections)

        access.register()
