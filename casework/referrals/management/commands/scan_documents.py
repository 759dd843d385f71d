"""Scan stored documents for malware: those held as not yet scanned, or with --all every document
not already quarantined (after new signatures, or when a scanner is first configured). Exit 1 if
any document could not be scanned, so that a cron job's failure is noticed."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError

from casework.core import malware
from casework.referrals.choices import ScanStatus
from casework.referrals.services.documents import document_scan, documents_to_scan


class Command(BaseCommand):
    help = "Scan held documents (or, with --all, every document) for malware with clamd."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--all", action="store_true", dest="everything", help="Scan every document that is not already quarantined."
        )

    def handle(self, *args, everything: bool = False, **options) -> None:
        if not malware.configured():
            raise CommandError("No virus scanner is configured: set CLAMAV_SOCKET, or CLAMAV_HOST and CLAMAV_PORT.")
        counts = {ScanStatus.CLEAN: 0, ScanStatus.INFECTED: 0}
        unavailable = 0
        for document in documents_to_scan(everything=everything).iterator():
            try:
                outcome = document_scan(document=document)
            except malware.ScannerUnavailable as reason:
                unavailable += 1
                self.stderr.write(f"Document {document.pk} not scanned: {reason}")
                continue
            counts[outcome] = counts.get(outcome, 0) + 1
        self.stdout.write(
            f"{counts[ScanStatus.CLEAN]} clean, {counts[ScanStatus.INFECTED]} quarantined, "
            f"{unavailable} could not be scanned."
        )
        if unavailable:
            sys.exit(1)
