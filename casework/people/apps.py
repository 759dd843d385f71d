from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PeopleConfig(AppConfig):
    name = "casework.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from casework.core import health, startup
        from casework.people import access, checks  # noqa: F401  (checks: the key check refuses to start)
        from casework.people.keycheck import ensure_key_check, key_problems, keys_can_read_the_database

        access.register()
        post_migrate.connect(ensure_key_check, sender=self, dispatch_uid="people_ensure_key_check")
        # /healthz answers 503 when the keys in force cannot read this database.
        health.register("keys", keys_can_read_the_database)
        # The web server and the worker refuse to start when the keys cannot read this database.
        startup.register(key_problems)
