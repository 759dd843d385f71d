"""``manage.py restore FOLDER [--replace]``: put a backup back into the database and documents store
configured here, then check it against its manifest, verify the audit chain and check that the keys
in force can read it. Stop the site and the worker first (see casework/backups/backup.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from casework.backups.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`, then check it against its manifest."
    requires_system_checks: list[str] = []  # the database being replaced may be empty or unreadable

    def add_arguments(self, parser) -> None:
        parser.add_argument("folder", help="The backup folder (casework-backup-…)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Replace a database that already holds data (everything in it is lost)",
        )

    def handle(self, *args, folder: str, replace: bool, **options) -> None:
        try:
            report = restore_backup(Path(folder), replace=replace)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows} rows), {report.documents} documents and "
            f"{report.audit_events} audit events."
        )
        if report.problems:
            raise CommandError("The restored copy does not check out:\n- " + "\n- ".join(report.problems))
        self.stdout.write(
            self.style.SUCCESS(
                "Row counts, the audit chain head, the migrations and every document match the manifest; the audit "
                "chain verifies; the keys in force read the data."
            )
        )
