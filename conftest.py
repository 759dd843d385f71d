"""The fixed cast of test users — one per role, plus outsiders — and signed-in clients; and the
audit log made flushable for a transactional test (``audit_log_flushable``)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.db.models.signals import post_migrate
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.tests.factories import OrganisationFactory, TrainingRecordFactory, UserFactory
from casework.core.roles import Role


@dataclass
class Cast:
    coordinator: object
    clinician: object
    other_clinician: object
    clinical_lead: object
    finance: object
    researcher: object
    sysadmin: object
    agency: object
    agency_other: object
    organisation: object
    other_organisation: object

    def by_name(self, name: str):
        return getattr(self, name)


CAST_ROLES = [
    "anonymous",
    "coordinator",
    "clinician",
    "other_clinician",
    "clinical_lead",
    "finance",
    "researcher",
    "sysadmin",
    "agency",
    "agency_other",
]


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The sign-in address throttle lives in the cache; no test inherits another's counts."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def make_cast() -> Cast:
    """The cast, created in the database (also used by scripts/prod_check.py to seed production)."""
    organisation = OrganisationFactory(name="Northshire Police")
    other_organisation = OrganisationFactory(name="Southshire Probation", kind="probation")
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician", email="clinician@nsc.example.nhs.uk")
    TrainingRecordFactory(user=clinician)
    return Cast(
        coordinator=UserFactory(
            role=Role.REFERRALS_COORDINATOR, full_name="Cora Coordinator", email="coordinator@nsc.example.nhs.uk"
        ),
        clinician=clinician,
        other_clinician=UserFactory(
            role=Role.CLINICIAN, full_name="Oscar Other", email="other.clinician@nsc.example.nhs.uk"
        ),
        clinical_lead=UserFactory(role=Role.CLINICAL_LEAD, full_name="Lena Lead", email="lead@nsc.example.nhs.uk"),
        finance=UserFactory(role=Role.FINANCE_OFFICER, full_name="Fin Finance", email="finance@nsc.example.nhs.uk"),
        researcher=UserFactory(role=Role.RESEARCHER, full_name="Rae Researcher", email="researcher@nsc.example.nhs.uk"),
        sysadmin=UserFactory(
            role=Role.SYSTEM_ADMINISTRATOR, full_name="Sam Sysadmin", email="sysadmin@nsc.example.nhs.uk"
        ),
        agency=UserFactory(
            role=Role.AGENCY_REFERRER,
            organisation=organisation,
            full_name="Pat Police",
            email="officer@northshire.police.example",
        ),
        agency_other=UserFactory(
            role=Role.AGENCY_REFERRER,
            organisation=other_organisation,
            full_name="Otto Outsider",
            email="officer@southshire.probation.example",
        ),
        organisation=organisation,
        other_organisation=other_organisation,
    )


@pytest.fixture
def cast(db) -> Cast:
    return make_cast()


def signed_in_client(user, client: Client | None = None) -> Client:
    """A client signed in as ``user`` with the second factor passed."""
    client = client or Client()
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Authenticator app", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(db):
    """``client_for(user)``: a signed-in, second-factor-verified client; None gives a signed-out one."""

    def make(user) -> Client:
        return Client() if user is None else signed_in_client(user)

    return make


# --- A real clamd for the upload tests ---------------------------------------------------------------

# The EICAR anti-virus test file: harmless, and recognised as "malware" by every scanner.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
EICAR_SIGNATURE_NAME = "Casework.Test.EICAR"
EICAR_SIGNATURE = f"{EICAR_SIGNATURE_NAME}.UNOFFICIAL"  # clamd's name for a signature not from ClamAV itself


@dataclass
class Clamd:
    socket: str
    process: object


def _answers_ping(path) -> bool:
    import socket

    try:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.settimeout(2)
            conn.connect(str(path))
            conn.sendall(b"zPING\0")
            return conn.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd(tmp_path_factory):
    """Debian's clamd, started for the test session with a configuration in a temporary folder and
    one signature of our own (an .ndb body signature for EICAR), not downloaded ones: freshclam
    cannot reach its mirror here. The Makefile's ``test`` target installs clamav-daemon."""
    import shutil
    import subprocess
    import time

    binary = shutil.which("clamd") or "/usr/sbin/clamd"
    folder = tmp_path_factory.mktemp("clamd")
    (folder / "db").mkdir()
    (folder / "db" / "casework-test.ndb").write_text(f"{EICAR_SIGNATURE_NAME}:0:*:{EICAR.hex()}\n")
    sock = folder / "clamd.sock"
    config = folder / "clamd.conf"
    config.write_text(
        "Foreground yes\n"
        f"LocalSocket {sock}\n"
        f"DatabaseDirectory {folder / 'db'}\n"
        f"TemporaryDirectory {folder}\n"
        f"LogFile {folder / 'clamd.log'}\n"
        "StreamMaxLength 20M\n"
        "SelfCheck 0\n"
    )
    process = subprocess.Popen([binary, f"--config-file={config}"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # noqa: S603
    deadline = time.monotonic() + 60
    while not _answers_ping(sock):
        if process.poll() is not None:
            raise RuntimeError(f"clamd did not start: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("clamd did not open its socket within 60 seconds")
        time.sleep(0.05)
    yield Clamd(socket=str(sock), process=process)
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def scanner(clamd, settings):
    """Uploads scanned by the session's clamd."""
    settings.CLAMAV_SOCKET = clamd.socket
    settings.CLAMAV_HOST = None
    return clamd


# --- The append-only audit log and the flush after a transactional test ----------------------------------
#
# A transactional test (a live_server test; a race between connections) runs with transactional_db,
# which empties every table afterwards with a flush. The audit table refuses DELETE and TRUNCATE
# (casework/audit/migrations/0002), by design. For the flush only, the triggers are dropped; when the
# flush is done (it sends post_migrate) they are put back, with the sealed chain head that migration
# 0003 makes, so later tests see the database as migrated.

_TRIGGERS = importlib.import_module("casework.audit.migrations.0002_append_only_triggers")
_SEAL = importlib.import_module("casework.audit.migrations.0003_chain_head_seal_and_indexes")
_RESTORE_UID = "casework-tests-restore-audit-triggers"


class _SchemaEditorShim:
    def __init__(self, conn) -> None:
        self.connection = conn

    def execute(self, sql, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)


def _restore_audit_log(sender, using="default", **kwargs) -> None:
    post_migrate.disconnect(dispatch_uid=_RESTORE_UID)
    _TRIGGERS.forwards(apps, _SchemaEditorShim(connection))
    _SEAL.seal_head(apps, None)


@pytest.fixture
def audit_log_flushable(transactional_db):
    """Depends on transactional_db, so this teardown runs just before its flush."""
    yield
    _TRIGGERS.backwards(apps, _SchemaEditorShim(connection))
    post_migrate.connect(_restore_audit_log, dispatch_uid=_RESTORE_UID, weak=False)
