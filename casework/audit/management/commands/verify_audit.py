"""Verify the audit hash chain. Exit 0 if intact; exit 1 naming the first broken event."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from casework.audit import chain
from casework.audit.models import AuditEvent, ChainHead


class Command(BaseCommand):
    help = "Check that the audit trail's hash chain is intact."

    def handle(self, *args, **options) -> None:
        head = ChainHead.objects.filter(pk=1).first()
        head_sequence = head.sequence if head else 0
        head_hash = head.entry_hash if head else chain.GENESIS_HASH
        events = AuditEvent.objects.order_by("sequence", "id").iterator(chunk_size=2000)
        checked, broken = chain.verify(events, head_sequence, head_hash)
        if broken is not None:
            self.stderr.write(str(broken))
            self.stderr.write(f"{checked} events before it are intact.")
            sys.exit(1)
        self.stdout.write(f"Audit chain intact: {checked} events verified.")
