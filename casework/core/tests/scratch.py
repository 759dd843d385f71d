"""Real databases of their own, for tests that run the service in other processes: a worker to kill,
a backup taken under concurrent writes, migrations run down and up.

The suite's own database is in memory (SQLite) or wrapped in a transaction (PostgreSQL), so these
tests use a scratch database on the same engine as the suite: an SQLite file in the test's
temporary folder, or, when the suite runs on PostgreSQL (``DATABASE_URL``), a database named after
the suite's (``<name>_<purpose>_<random>``) on the same server, dropped afterwards. Each scratch
database has its own demo key files in its own ``var`` folder.

Building one takes a ``migrate`` (seconds) or a ``migrate`` and ``seed_demo`` (most of a minute);
``template(kind)`` builds each kind once per test run, shared by every xdist worker through a lock
file, and ``clone`` copies it (a file copy, or ``CREATE DATABASE … TEMPLATE``).
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import dj_database_url

ROOT = Path(__file__).resolve().parents[3]
_OWN_VARIABLES = (
    "CASEWORK_",
    "DATABASE_URL",
    "SECRET_KEY",
    "AUDIT_HMAC_KEY",
    "FIELD_ENCRYPTION_KEYS",
    "BLIND_INDEX_KEY",
    "BLIND_INDEX_PREVIOUS_KEY",
    "DJANGO_SETTINGS_MODULE",
    "TASK_",
    "EMAIL_",
)


def suite_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    return url if url and url.startswith(("postgres://", "postgresql://")) else None


def _postgres_admin(url: str, statement: str) -> None:
    import psycopg

    parsed = dj_database_url.parse(url)
    with psycopg.connect(
        host=parsed["HOST"] or "127.0.0.1",
        port=parsed["PORT"] or 5432,
        user=parsed["USER"] or "postgres",
        password=parsed["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
        connect_timeout=10,
    ) as connection:
        connection.execute(statement)


def _url_with_name(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@dataclass
class Scratch:
    var_dir: Path
    database_url: str | None = None  # None: SQLite at var_dir/casework.sqlite3

    @property
    def database_name(self) -> str:
        return self.database_url.rsplit("/", 1)[1] if self.database_url else str(self.var_dir / "casework.sqlite3")

    @property
    def documents(self) -> Path:
        return self.var_dir / "documents"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(_OWN_VARIABLES)}
        env.update(
            {
                "CASEWORK_ENV": "demo",
                "CASEWORK_VAR_DIR": str(self.var_dir),
                "DJANGO_SETTINGS_MODULE": "casework.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        env.update(extra)
        return env

    def manage(self, *args: str, timeout: float = 300, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result

    def python(self, code: str, *, timeout: float = 120, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        """Run Python with Django set up against this database; the last line printed is returned parsed
        as JSON in ``.value`` when it is JSON."""
        result = subprocess.run(
            [sys.executable, "-c", "import django; django.setup()\n" + code],
            cwd=ROOT,
            env=self.env(**env),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check:
            assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
        lines = result.stdout.strip().splitlines()
        try:
            result.value = json.loads(lines[-1]) if lines else None
        except json.JSONDecodeError:
            result.value = None
        return result

    def popen(self, *args: str, **env: str) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(**env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def drop(self) -> None:
        if self.database_url:
            _postgres_admin(self.database_url, f'DROP DATABASE IF EXISTS "{self.database_name}" WITH (FORCE)')


def new_scratch(directory: Path, purpose: str, *, unique: bool = True) -> Scratch:
    """An empty scratch database (not migrated) with a fresh var folder in ``directory``.
    ``unique=False``: the PostgreSQL database is named ``<name>_<purpose>``, replacing any left
    by an earlier run (the templates, so that runs do not leave one each behind)."""
    var_dir = directory / "var"
    var_dir.mkdir(parents=True, exist_ok=True)
    url = suite_database_url()
    if url is None:
        return Scratch(var_dir)
    base = dj_database_url.parse(url)["NAME"]
    name = f"{base}_{purpose}_{uuid.uuid4().hex[:8]}" if unique else f"{base}_{purpose}"
    if not unique:
        _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _postgres_admin(url, f'CREATE DATABASE "{name}"')
    return Scratch(var_dir, _url_with_name(url, name))


def clone(source: Scratch, directory: Path, purpose: str) -> Scratch:
    """A copy of ``source`` (database, key files and documents) in ``directory``."""
    var_dir = directory / "var"
    shutil.copytree(source.var_dir, var_dir)
    if source.database_url is None:
        return Scratch(var_dir)
    base = dj_database_url.parse(suite_database_url())["NAME"]
    name = f"{base}_{purpose}_{uuid.uuid4().hex[:8]}"
    _postgres_admin(source.database_url, f'CREATE DATABASE "{name}" TEMPLATE "{source.database_name}"')
    return Scratch(var_dir, _url_with_name(source.database_url, name))


def template(tmp_path_factory, kind: str) -> Scratch:
    """A database of ``kind`` ("migrated" or "seeded"), built once per test run and shared by the
    xdist workers: clone it, never change it."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent
    folder = shared / f"scratch-template-{kind}"
    lock = shared / f"scratch-template-{kind}.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        marker = folder / "built.json"
        if marker.exists():
            built = json.loads(marker.read_text())
            return Scratch(Path(built["var_dir"]), built["database_url"])
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        scratch = new_scratch(folder, f"template_{kind}", unique=False)
        scratch.manage("migrate", "--noinput")
        if kind == "seeded":
            scratch.manage("seed_demo", timeout=600)
        marker.write_text(json.dumps({"var_dir": str(scratch.var_dir), "database_url": scratch.database_url}))
        return scratch


def query(scratch: Scratch, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the scratch database directly (no Django in this process): for polling while other
    processes work on it. Use %s placeholders."""
    if scratch.database_url is None:
        import sqlite3

        connection = sqlite3.connect(f"file:{scratch.database_name}?mode=ro", uri=True, timeout=30)
        try:
            return connection.execute(sql.replace("%s", "?"), params).fetchall()
        finally:
            connection.close()
    import psycopg

    parsed = dj_database_url.parse(scratch.database_url)
    with psycopg.connect(
        host=parsed["HOST"] or "127.0.0.1",
        port=parsed["PORT"] or 5432,
        user=parsed["USER"] or "postgres",
        dbname=parsed["NAME"],
        connect_timeout=10,
    ) as connection:
        return connection.execute(sql, params).fetchall()
