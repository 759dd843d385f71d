"""A writer for the backup test: adds persons and referral documents through the services, in a
loop, and prints one line per write once its transaction has committed (its acknowledgement):

    ack person PER-2026-00123
    ack document 9f86d081…  (the SHA-256 of the stored bytes)

Runs against the database of its environment (a scratch database) until SIGTERM.
``python -m casework.backups.tests.backup_writer NAME``"""

from __future__ import annotations

import os
import signal
import sys

import django

stopping = False


def _stop(signum, frame) -> None:
    global stopping
    stopping = True


def main(name: str) -> None:
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casework.accounts.models import User
    from casework.people.services import person_create
    from casework.referrals.models import Referral
    from casework.referrals.services.documents import document_upload

    signal.signal(signal.SIGTERM, _stop)
    by = User.objects.filter(role="referrals_coordinator", is_active=True).order_by("pk").first()
    # Documents go only where the coordinator may upload them (document_upload checks).
    referrals = [r.pk for r in Referral.objects.order_by("pk")[:200] if by.has_perm("referrals.upload_document", r)][
        :20
    ]
    number = 0
    while not stopping:
        number += 1
        person = person_create(
            by=by, given_name=f"Writer{name}", family_name=f"Backup{number}", workplace=f"Workplace {name}-{number}"
        )
        print(f"ack person {person.reference}", flush=True)
        content = b"%PDF-1.4\n% synthetic " + f"{name}-{number}-".encode() + os.urandom(16) + b"\n%%EOF\n"
        referral = Referral.objects.get(pk=referrals[number % len(referrals)])
        document = document_upload(
            referral=referral, kind="other", by=by, uploaded=SimpleUploadedFile(f"writer-{name}-{number}.pdf", content)
        )
        print(f"ack document {document.sha256}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1])
