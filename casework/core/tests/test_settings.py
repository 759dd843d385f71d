"""Settings are secure by default; production refuses unsafe configuration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            (
                "CASEWORK_",
                "DATABASE_URL",
                "SECRET_KEY",
                "AUDIT_HMAC_KEY",
                "DEBUG",
                "FIELD_ENCRYPTION_KEYS",
                "BLIND_INDEX_KEY",
                "CLAMAV_",
            )
        )
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "CASEWORK_ENV": "production",
    "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
    "AUDIT_HMAC_KEY": "a-different-audit-key-that-is-long-and-random-0123456789abcdef",
    "ALLOWED_HOSTS": "casework.example.nhs.uk",
    "DATABASE_URL": "sqlite:///var/settings-test.sqlite3",
    "FIELD_ENCRYPTION_KEYS": "Qo6E1Tt9FCcddzpCxFla7uxopyn-aebo6MWUMIRNV8Q=",
    "BLIND_INDEX_KEY": "a-blind-index-key-that-is-long-and-random-0123456789abcdef",
    "CLAMAV_SOCKET": "/run/clamav/clamd.ctl",
    "CASEWORK_RESEARCH_KEY": "a-research-pseudonym-key-that-is-long-and-random-0123456789abcdef",
}


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_to_start_without_a_database_url():
    env = {k: v for k, v in PRODUCTION.items() if k != "DATABASE_URL"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "DATABASE_URL must be set in production" in result.stderr


def report_signing(tmp_path: Path) -> dict[str, str]:
    """The report signing key and certificate, which production needs for the deploy check (reports.E001)."""
    from casework.reports.tests.certificates import own_certificate

    key, cert = own_certificate(tmp_path)
    return {"CASEWORK_REPORT_SIGNING_KEY": str(key), "CASEWORK_REPORT_SIGNING_CERT": str(cert)}


def test_production_settings_pass_the_deploy_check_with_no_warnings(tmp_path):
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **report_signing(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_without_a_report_signing_certificate_fails_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode != 0
    assert "reports.E001" in result.stderr
    assert run_manage("check", **PRODUCTION).returncode == 0  # the site still starts: only the deploy check refuses


def test_production_without_a_virus_scanner_fails_the_deploy_check():
    env = {k: v for k, v in PRODUCTION.items() if k != "CLAMAV_SOCKET"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "casework.W002" in result.stderr


def test_production_without_a_research_key_starts_but_the_deploy_check_warns():
    env = {k: v for k, v in PRODUCTION.items() if k != "CASEWORK_RESEARCH_KEY"}
    assert run_manage("check", **env).returncode == 0  # the service runs; only extracts are refused
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "casework.W003" in result.stderr


def test_the_research_key_must_differ_from_the_other_keys(tmp_path):
    env = {**PRODUCTION, "CASEWORK_RESEARCH_KEY": PRODUCTION["BLIND_INDEX_KEY"]}
    result = run_manage("check", "--deploy", **env, **report_signing(tmp_path))
    assert result.returncode != 0
    assert "CASEWORK_RESEARCH_KEY" in result.stderr and "casework.E013" in result.stderr


def test_production_refuses_to_start_without_encryption_keys():
    env = {k: v for k, v in PRODUCTION.items() if k != "FIELD_ENCRYPTION_KEYS"}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set in production" in result.stderr


def test_a_configured_database_means_production_unless_said_otherwise():
    env = {k: v for k, v in PRODUCTION.items() if k not in ("CASEWORK_ENV", "SECRET_KEY")}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_a_checkout_with_nothing_configured_runs_as_the_local_demo(tmp_path):
    """``python manage.py makemigrations --check`` works on a fresh clone; the demo it runs as keeps
    DEBUG off and answers only to local host names, and the deploy check says it is not production."""
    result = run_manage("makemigrations", "--check", "--dry-run", CASEWORK_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    shown = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CASEWORK_ENV, settings.DEBUG, settings.ALLOWED_HOSTS)",
        CASEWORK_VAR_DIR=str(tmp_path),
    )
    assert shown.stdout.strip().splitlines()[-1] == "demo False ['127.0.0.1', 'localhost', 'testserver']", shown.stderr
    deploy = run_manage("check", "--deploy", "--fail-level", "WARNING", CASEWORK_VAR_DIR=str(tmp_path))
    assert deploy.returncode != 0
    assert "casework.W001" in deploy.stderr


def test_switching_off_mfa_is_refused_in_production():
    result = run_manage("check", **PRODUCTION, CASEWORK_MFA_DISABLED="1")
    assert result.returncode != 0
    assert "casework.E001" in result.stderr


def test_debug_cannot_be_switched_on_in_production():
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.DEBUG)", **PRODUCTION, DEBUG="1"
    )
    assert result.stdout.strip().splitlines()[-1] == "False", result.stderr


def test_healthz_answers_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/healthz'); print(r.status_code, r.content.decode())"
    )
    env = {
        **os.environ,
        "CASEWORK_ENV": "test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "DJANGO_SETTINGS_MODULE": "casework.settings",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.startswith("503"), result.stderr
    assert "unavailable" in result.stdout


def test_sqlite_runs_in_wal_mode_with_full_synchronous_writes_and_immediate_transactions(tmp_path):
    """A real file database, in a subprocess (so this runs whichever database the suite is on, and
    in-memory test databases cannot use WAL): WAL, synchronous=FULL (2), foreign keys on, and
    transactions that take the write lock at BEGIN."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA synchronous'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA foreign_keys'); print(c.fetchone()[0]); "
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    env = {
        **os.environ,
        "CASEWORK_ENV": "demo",
        "CASEWORK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "casework.settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == ["wal", "2", "1", "IMMEDIATE"], result.stderr


def test_demo_writes_a_random_secret_key_to_var_once(tmp_path):
    code = "import django; from django.conf import settings; print(settings.SECRET_KEY)"
    env = {
        **os.environ,
        "CASEWORK_ENV": "demo",
        "CASEWORK_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "casework.settings",
    }
    env.pop("SECRET_KEY", None)
    first = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    second = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert len(first.stdout.strip()) >= 50
    assert first.stdout == second.stdout
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


SHOW_JIT = "from django.db import connection; c = connection.cursor(); c.execute('SHOW jit'); print(c.fetchone()[0])"
# The server's own maintenance database: always there, so the check runs whichever database the
# suite itself is on (this server's default is jit = on).
POSTGRES_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


def test_postgresql_sessions_run_without_jit_compilation_unless_asked():
    """Short interactive queries must not pay for JIT compiling (issue 19); DATABASE_JIT=on restores it."""
    off = run_manage("shell", "-c", SHOW_JIT, CASEWORK_ENV="test", DATABASE_URL=POSTGRES_SERVER)
    assert off.returncode == 0, off.stderr
    assert off.stdout.strip().splitlines()[-1] == "off"
    on = run_manage("shell", "-c", SHOW_JIT, CASEWORK_ENV="test", DATABASE_URL=POSTGRES_SERVER, DATABASE_JIT="on")
    assert on.returncode == 0, on.stderr
    assert on.stdout.strip().splitlines()[-1] == "on"


SHOW_PARALLEL = (
    "from django.db import connection; c = connection.cursor(); "
    "c.execute('SHOW max_parallel_workers_per_gather'); print(c.fetchone()[0])"
)


def test_postgresql_sessions_run_no_parallel_workers_unless_asked():
    """One request's query must not take the cores of the others (issue 19: a parallel scan of every
    person passed over the name indexes); DATABASE_PARALLEL_WORKERS sets the number, JIT stays off."""
    default = run_manage("shell", "-c", SHOW_PARALLEL, CASEWORK_ENV="test", DATABASE_URL=POSTGRES_SERVER)
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip().splitlines()[-1] == "0"
    two = run_manage(
        "shell", "-c", SHOW_PARALLEL, CASEWORK_ENV="test", DATABASE_URL=POSTGRES_SERVER, DATABASE_PARALLEL_WORKERS="2"
    )
    assert two.returncode == 0, two.stderr
    assert two.stdout.strip().splitlines()[-1] == "2"
    jit = run_manage(
        "shell", "-c", SHOW_JIT, CASEWORK_ENV="test", DATABASE_URL=POSTGRES_SERVER, DATABASE_PARALLEL_WORKERS="2"
    )
    assert jit.stdout.strip().splitlines()[-1] == "off"
