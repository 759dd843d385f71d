from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "casework.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from casework.people.keycheck import ensure_key_check

        post_migrate.connect(ensure_key_check, sender=self, dispatch_uid="people_ensure_key_check")
