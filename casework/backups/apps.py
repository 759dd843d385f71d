from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backing up and restoring the whole service: the database, the documents and a manifest
    (``make backup`` / ``make restore``). It sits above every other app because a backup reads what
    all of them keep (docs/adr/0014-keys-and-backups.md)."""

    name = "casework.backups"
    label = "backups"
    verbose_name = "Backups"
