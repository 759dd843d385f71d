"""``manage.py backup [--output DIR]``: the database, the documents store and a manifest, never a
key (see casework/backups/backup.py and README: Keys and backups). Safe while the service runs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from casework.backups.backup import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database, the documents and a manifest (never the keys) into a new folder."
    requires_system_checks: list[str] = []  # a backup must be possible even when the keys are wrong

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--output",
            default=str(settings.VAR_DIR / "backups"),
            help="Folder to write the backup folder into (default: var/backups)",
        )

    def handle(self, *args, output: str, **options) -> None:
        try:
            folder = create_backup(Path(output))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Backup written to {folder}"))
        self.stdout.write("It holds no keys: keep the keys in the secret store, apart from the backups.")
