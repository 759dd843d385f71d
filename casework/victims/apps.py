from django.apps import AppConfig


class VictimsConfig(AppConfig):
    name = "casework.victims"
    label = "victims"
    verbose_name = "Victim pathway"

    def ready(self) -> None:
        from casework.victims import access, rules  # noqa: F401  (permissions)

        access.register()
