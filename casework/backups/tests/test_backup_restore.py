"""``manage.py backup`` under concurrent writes, restored elsewhere with the keys kept apart.

A seeded database (the suite's engine) has two writer processes adding persons (encrypted data,
audit events) and referral documents, each write acknowledged once committed, while the backup
runs. The backup is restored into an empty database that has only the key files: every write
acknowledged before the backup began is there, row counts equal the manifest's table by table,
``verify_audit`` passes, every document downloads with its bytes intact, and no key is anywhere in
the backup."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from casework.core.tests.scratch import ROOT, Scratch, clone, new_scratch, query, template
from casework.worker.tests.relay import wait_for

KEY_FILES = ("secret_key", "audit_hmac_key", "field_key", "blind_index_key")


class Writer:
    def __init__(self, scratch: Scratch, name: str, log: Path):
        self.log = log
        self.handle = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "casework.backups.tests.backup_writer", name],
            cwd=ROOT,
            env=scratch.env(),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def acks(self) -> list[tuple[str, str]]:
        return [tuple(line.split()[1:3]) for line in self.log.read_text().splitlines() if line.startswith("ack ")]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.handle.close()
        assert self.process.returncode in (0, -signal.SIGTERM), self.log.read_text()


@pytest.fixture
def seeded(tmp_path_factory, tmp_path):
    scratch = clone(template(tmp_path_factory, "seeded"), tmp_path / "source", "backup_source")
    yield scratch
    scratch.drop()


@pytest.fixture
def empty_with_the_keys(seeded, tmp_path):
    """An empty database elsewhere, holding only the key files (kept apart from the backup)."""
    scratch = new_scratch(tmp_path / "target", "backup_target")
    for name in KEY_FILES:
        shutil.copy2(seeded.var_dir / name, scratch.var_dir / name)
    yield scratch
    scratch.drop()


def all_key_material(scratch: Scratch) -> list[bytes]:
    import base64
    import hashlib

    found = []
    for name in KEY_FILES:
        text = (scratch.var_dir / name).read_text().strip()
        found.append(text.encode())
        if name == "field_key":  # the demo's Fernet key is derived from the file
            found.append(base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()))
    return found


def test_a_backup_under_concurrent_writes_restores_every_acknowledged_write(seeded, empty_with_the_keys, tmp_path):
    writers = [Writer(seeded, name, tmp_path / f"writer-{name}.log") for name in ("A", "B")]
    try:
        wait_for(lambda: all(len(w.acks()) >= 6 for w in writers), timeout=120, what="the writers to get going")
        acknowledged_before = {ack for w in writers for ack in w.acks()}
        started = time.monotonic()
        backup = seeded.manage("backup", "--output", str(tmp_path / "backups"))
        took = time.monotonic() - started
        acknowledged_during = {ack for w in writers for ack in w.acks()} - acknowledged_before
    finally:
        for writer in writers:
            writer.stop()
    assert acknowledged_during, f"the writers kept writing while the backup ran ({took:.1f} s)"
    [folder] = list((tmp_path / "backups").iterdir())
    assert str(folder) in backup.stdout
    manifest = json.loads((folder / "manifest.json").read_text())

    # No key material anywhere in the backup.
    keys = all_key_material(seeded)
    for path in (p for p in folder.rglob("*") if p.is_file()):
        content = path.read_bytes()
        assert not any(key in content for key in keys), f"key material in {path}"
    assert manifest["keys_included"] is False

    restore = empty_with_the_keys.manage("restore", str(folder))
    assert "match the manifest" in restore.stdout

    target = empty_with_the_keys
    persons = {row[0] for row in query(target, "SELECT reference FROM people_person")}
    documents = {row[0] for row in query(target, "SELECT sha256 FROM referrals_referraldocument")}
    missing = [
        ack
        for ack in acknowledged_before
        if (ack[0] == "person" and ack[1] not in persons) or (ack[0] == "document" and ack[1] not in documents)
    ]
    assert missing == [], f"acknowledged writes missing from the restored copy: {missing}"

    # Row counts, table by table, read independently of the restore command's own check.
    for table, count in manifest["tables"].items():
        assert query(target, f'SELECT COUNT(*) FROM "{table}"')[0][0] == count, table  # noqa: S608
    assert manifest["tables"]["people_person"] >= len([a for a in acknowledged_before if a[0] == "person"])
    assert target.manage("verify_audit").returncode == 0

    downloaded = target.python("""
import hashlib, json
from django.test import Client
from django.urls import reverse
from conftest import signed_in_client
from casework.accounts.models import User
from casework.referrals.models import ReferralDocument
coordinator = User.objects.filter(role="referrals_coordinator", is_active=True).order_by("pk").first()
client = signed_in_client(coordinator, Client())
results = []
for document in ReferralDocument.objects.select_related("referral"):
    response = client.get(reverse("referrals:document_download", args=[document.referral.reference, document.pk]))
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    results.append([response.status_code, hashlib.sha256(body).hexdigest() == document.sha256])
print(json.dumps(results))
""").value
    assert len(downloaded) == manifest["tables"]["referrals_referraldocument"] > 0
    assert all(status == 200 and intact for status, intact in downloaded), downloaded


def test_restore_refuses_a_tampered_backup_and_a_database_that_holds_data(seeded, tmp_path):
    folder = Path(
        seeded.manage("backup", "--output", str(tmp_path / "backups"))
        .stdout.split("Backup written to ")[1]
        .splitlines()[0]
        .strip()
    )
    refused = seeded.manage("restore", str(folder), check=False)
    assert refused.returncode != 0 and "already holds data" in refused.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    database_file = folder / manifest["database"]["file"]
    with database_file.open("ab") as handle:
        handle.write(b"tampered")
    tampered = seeded.manage("restore", str(folder), "--replace", check=False)
    assert tampered.returncode != 0 and "does not match its checksum" in tampered.stderr
    assert seeded.manage("verify_audit").returncode == 0, "nothing was touched"
