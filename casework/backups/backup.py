"""Backups a restore can trust: the database, the documents store and a manifest; never a key.

``manage.py backup`` (``make backup``) writes a folder ``casework-backup-<UTC time>`` holding

- the database, as one consistent snapshot taken while the service keeps writing: SQLite through
  its online backup API (``database.sqlite3``), PostgreSQL through ``pg_dump -Fc`` inside an
  exported REPEATABLE READ snapshot (``database.dump``);
- ``documents/``, a copy of the documents store (``STORAGES["default"]`` location), taken after
  the database snapshot so every document the snapshot refers to is there;
- ``manifest.json``, written last (a folder without one is an unfinished backup): when it was
  made, the engine, the row count of every table and the audit chain head (both read from the
  snapshot itself), the migrations applied, the size and SHA-256 of the database file and of
  every document, and a fingerprint of each key in use, so that a restore can say which keys it
  needs without the backup holding them.

Key material (SECRET_KEY, AUDIT_HMAC_KEY, FIELD_ENCRYPTION_KEYS, BLIND_INDEX_KEY, the demo's
``var/`` key files) is never written into a backup: keep keys in the secret store, apart from the
backups (README: Keys and backups). A backup without its keys cannot be read, by design.

``manage.py restore FOLDER`` (``make restore BACKUP=FOLDER``) checks every checksum before it
touches anything, refuses to overwrite a database that holds data unless given ``--replace``,
restores the database and the documents, then checks the result against the manifest (row counts
table by table, the audit chain head, the migrations, every document's checksum), verifies the
audit chain and checks that the keys in force can read the data. Stop the site and the worker first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, connections

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.dump"
DOCUMENTS = "documents"


class BackupError(Exception):
    """A backup or restore that cannot go on, with the reason (never a key or personal data)."""


# --- Pieces ---------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def documents_location() -> Path:
    return Path(settings.STORAGES["default"]["OPTIONS"]["location"])


def key_fingerprints() -> dict[str, object]:
    """A one-way fingerprint of each key (HMAC of a fixed text under the key, 16 hex digits): enough
    to tell which keys a backup needs, useless for recovering them."""

    def fingerprint(key: str) -> str:
        return hmac.new(key.encode(), b"nsc-casework key fingerprint", hashlib.sha256).hexdigest()[:16]

    return {
        "FIELD_ENCRYPTION_KEYS": [fingerprint(k) for k in settings.CASEWORK_FIELD_ENCRYPTION_KEYS],
        "BLIND_INDEX_KEY": fingerprint(settings.CASEWORK_BLIND_INDEX_KEY),
        "AUDIT_HMAC_KEY": fingerprint(settings.AUDIT_HMAC_KEY),
    }


def _postgres_parameters() -> dict[str, str]:
    params = connection.settings_dict
    return {
        "host": params.get("HOST") or "127.0.0.1",
        "port": str(params.get("PORT") or 5432),
        "user": params.get("USER") or "postgres",
        "password": params.get("PASSWORD") or "",
        "dbname": params["NAME"],
    }


def _postgres_env(params: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return env


def _tool(name: str) -> str:
    """The absolute path of a PostgreSQL client program (pg_dump, pg_restore)."""
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not installed: install the PostgreSQL client programs (Debian: postgresql-client)"
        )
    return found


def _postgres_connect(params: dict[str, str], **kwargs):
    import psycopg

    return psycopg.connect(
        host=params["host"],
        port=params["port"],
        user=params["user"],
        password=params["password"] or None,
        dbname=params["dbname"],
        connect_timeout=10,
        **kwargs,
    )


@dataclass
class Snapshot:
    """What the manifest says about the database, read from one consistent snapshot."""

    tables: dict[str, int] = field(default_factory=dict)
    audit_head: dict[str, object] = field(default_factory=dict)
    migrations: list[list[str]] = field(default_factory=list)


def _describe(cursor, table_names: list[str]) -> Snapshot:
    snapshot = Snapshot()
    for table in sorted(table_names):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        snapshot.tables[table] = cursor.fetchone()[0]
    if "audit_chainhead" in table_names:
        # Every partition's head (ADR 0024); partition 1's also at the top, as manifests before partitions had it.
        cursor.execute("SELECT id, sequence, entry_hash FROM audit_chainhead ORDER BY id")
        heads = {str(pk): {"sequence": int(sequence), "entry_hash": entry} for pk, sequence, entry in cursor.fetchall()}
        snapshot.audit_head = {**heads.get("1", {}), "partitions": heads} if heads else {}
    if "django_migrations" in table_names:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        snapshot.migrations = [list(row) for row in cursor.fetchall()]
    return snapshot


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'search_fts_%'"  # FTS5's own shadow tables: counted through search_fts
        )
    ]


def describe_sqlite(path: Path) -> Snapshot:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _describe(db.cursor(), _sqlite_tables(db))
    finally:
        db.close()


def _postgres_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    return [row[0] for row in cursor.fetchall()]


def describe_postgres(params: dict[str, str]) -> Snapshot:
    with _postgres_connect(params) as db, db.cursor() as cursor:
        return _describe(cursor, _postgres_tables(cursor))


# --- Backup ---------------------------------------------------------------------------------------


def _snapshot_sqlite(destination: Path) -> Snapshot:
    source_path = Path(connection.settings_dict["NAME"])
    if not source_path.exists():
        raise BackupError(f"There is no database at {source_path}")
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=60)
    target = sqlite3.connect(destination)
    try:
        source.backup(target)  # one step: a consistent snapshot while writers go on (WAL)
    finally:
        target.close()
        source.close()
    return describe_sqlite(destination)


def _snapshot_postgres(destination: Path) -> Snapshot:
    import psycopg

    params = _postgres_parameters()
    with _postgres_connect(params) as db:
        db.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        db.read_only = True
        with db.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot_id = cursor.fetchone()[0]
            # pg_dump sees exactly what this transaction sees, however much is written meanwhile.
            result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings, no shell
                [
                    _tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot_id}",
                    "--host",
                    params["host"],
                    "--port",
                    params["port"],
                    "--username",
                    params["user"],
                    "--file",
                    str(destination),
                    params["dbname"],
                ],
                env=_postgres_env(params),
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
            return _describe(cursor, _postgres_tables(cursor))


def _copy_documents(target: Path) -> list[dict[str, object]]:
    source = documents_location()
    listed: list[dict[str, object]] = []
    target.mkdir(mode=0o700)
    if not source.exists():
        return listed
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        relative = path.relative_to(source)
        copy = target / relative
        copy.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(path, copy)
        listed.append({"path": relative.as_posix(), "bytes": copy.stat().st_size, "sha256": sha256_of(copy)})
    return listed


def create_backup(output: Path) -> Path:
    """Write a backup folder under ``output``; returns its path."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups of {vendor} databases are not supported")
    created = dt.datetime.now(dt.UTC)
    output.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = output / f"casework-backup-{created:%Y%m%dT%H%M%S%fZ}"
    folder.mkdir(mode=0o700)
    database_file = folder / (SQLITE_FILE if vendor == "sqlite" else POSTGRES_FILE)
    connections.close_all()
    snapshot = _snapshot_sqlite(database_file) if vendor == "sqlite" else _snapshot_postgres(database_file)
    database_file.chmod(0o600)
    documents = _copy_documents(folder / DOCUMENTS)
    manifest = {
        "format": FORMAT,
        "created_at": created.isoformat(),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(),
        "database": {
            "engine": vendor,
            "file": database_file.name,
            "bytes": database_file.stat().st_size,
            "sha256": sha256_of(database_file),
        },
        "tables": snapshot.tables,
        "audit_chain_head": snapshot.audit_head,
        "migrations": snapshot.migrations,
        "documents": documents,
        "key_fingerprints": key_fingerprints(),
        "keys_included": False,
    }
    partial = folder / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    partial.chmod(0o600)
    partial.rename(folder / MANIFEST)
    return folder


# --- Restore --------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} has no {MANIFEST}: it is not a backup, or the backup did not finish")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is in backup format {manifest.get('format')}; this version reads format {FORMAT}")
    return manifest


def check_backup(folder: Path, manifest: dict) -> None:
    """Every checksum in the manifest matches, before anything is touched."""
    database = manifest["database"]
    database_file = folder / database["file"]
    if not database_file.exists() or sha256_of(database_file) != database["sha256"]:
        raise BackupError(f"{database_file} is missing or does not match its checksum in the manifest")
    for document in manifest["documents"]:
        copy = folder / DOCUMENTS / document["path"]
        if not copy.exists() or sha256_of(copy) != document["sha256"]:
            raise BackupError(f"The backed-up document {document['path']} is missing or does not match its checksum")


def _target_holds_data() -> bool:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        if "django_migrations" not in tables:
            return False
        for table in ("audit_auditevent", "accounts_user", "people_person", "referrals_referral"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone():
                    return True
    return False


def _restore_sqlite(database_file: Path) -> None:
    target_path = Path(connection.settings_dict["NAME"])
    target_path.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    source = sqlite3.connect(f"file:{database_file}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, timeout=60)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_postgres(database_file: Path) -> None:
    params = _postgres_parameters()
    connections.close_all()
    with _postgres_connect(params, autocommit=True) as db:
        db.execute("DROP SCHEMA IF EXISTS public CASCADE")
        db.execute("CREATE SCHEMA public")
    result = subprocess.run(  # noqa: S603 - fixed program, arguments from settings, no shell
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--host",
            params["host"],
            "--port",
            params["port"],
            "--username",
            params["user"],
            "--dbname",
            params["dbname"],
            str(database_file),
        ],
        env=_postgres_env(params),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def _restore_documents(folder: Path, manifest: dict) -> None:
    location = documents_location()
    if location.exists():
        shutil.rmtree(location)
    location.mkdir(parents=True, mode=0o700)
    for document in manifest["documents"]:
        target = location / document["path"]
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(folder / DOCUMENTS / document["path"], target)
        target.chmod(0o600)


@dataclass
class RestoreReport:
    tables: int
    rows: int
    documents: int
    audit_events: int
    problems: list[str]


def heads_differ(expected: dict, restored: dict) -> bool:
    """Whether the restored chain heads differ from the manifest's: every partition's where the
    manifest lists them, partition 1's alone in a manifest written before the chain had partitions."""
    return {key: restored.get(key) for key in expected} != expected


def verify_restored(manifest: dict) -> RestoreReport:
    """The restored database and documents against the manifest, the audit chain and the keys."""
    from casework.audit import chain
    from casework.people.keycheck import key_problems

    connections.close_all()
    restored = (
        describe_sqlite(Path(connection.settings_dict["NAME"]))
        if connection.vendor == "sqlite"
        else describe_postgres(_postgres_parameters())
    )
    problems = []
    different = sorted(
        t for t in set(manifest["tables"]) | set(restored.tables) if manifest["tables"].get(t) != restored.tables.get(t)
    )
    if different:
        problems.append("Row counts differ from the manifest in: " + ", ".join(different))
    if heads_differ(manifest["audit_chain_head"], restored.audit_head):
        problems.append("The audit chain head differs from the manifest")
    if restored.migrations != manifest["migrations"]:
        problems.append("The migrations applied differ from the manifest")
    location = documents_location()
    for document in manifest["documents"]:
        path = location / document["path"]
        if not path.exists() or sha256_of(path) != document["sha256"]:
            problems.append(f"The restored document {document['path']} does not match its checksum")
    result = chain.verify_database()
    if not result.intact:
        problems.append(f"The audit chain does not verify: {result.broken}")
    problems += key_problems()
    return RestoreReport(
        tables=len(restored.tables),
        rows=sum(restored.tables.values()),
        documents=len(manifest["documents"]),
        audit_events=result.checked,
        problems=problems,
    )


def restore_backup(folder: Path, *, replace: bool) -> RestoreReport:
    manifest = read_manifest(folder)
    engine = manifest["database"]["engine"]
    if engine != connection.vendor:
        raise BackupError(
            f"This is a backup of a {engine} database; the database configured here is {connection.vendor}"
        )
    check_backup(folder, manifest)
    location = documents_location()
    documents_here = location.exists() and any(path.is_file() for path in location.rglob("*"))
    if (_target_holds_data() or documents_here) and not replace:
        raise BackupError(
            "The database or the documents store configured here already holds data. Restoring replaces all of "
            "it: stop the site and the worker, then run restore again with --replace."
        )
    database_file = folder / manifest["database"]["file"]
    if engine == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgres(database_file)
    _restore_documents(folder, manifest)
    return verify_restored(manifest)
