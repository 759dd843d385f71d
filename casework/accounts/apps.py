from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "casework.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from casework.accounts import signals  # noqa: F401
