from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "casework.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from casework.people import access

        access.register()
