"""Every outbound call has a timeout: a server that accepts the connection and never answers
cannot hold a request or a worker (SMTP is proved by the worker's own tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from casework.core.tests.scratch import ROOT
from casework.worker.tests.relay import Relay


def run_against_a_hung_server(code: str, **env: str) -> tuple[float, subprocess.CompletedProcess]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CASEWORK_", "DATABASE_URL", "REDIS"))}
    clean.update({"CASEWORK_ENV": "test", "DJANGO_SETTINGS_MODULE": "casework.settings", **env})
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return time.monotonic() - started, result


def test_the_redis_cache_gives_up_on_a_server_that_never_answers():
    silent = Relay(hang_after=0)
    try:
        seconds, result = run_against_a_hung_server(
            "from django.core.cache import cache\n"
            "try:\n    cache.get('sign-in-throttle')\nexcept Exception as error:\n    print(type(error).__name__)",
            REDIS_URL=f"redis://127.0.0.1:{silent.port}/0",
            REDIS_TIMEOUT="1",
            REDIS_CONNECT_TIMEOUT="1",
        )
    finally:
        silent.close()
    assert silent.connections >= 1
    assert "Timeout" in result.stdout, result.stderr
    assert seconds < 20


def test_the_postgresql_connection_gives_up_on_a_server_that_never_answers():
    silent = Relay(hang_after=0)
    try:
        seconds, result = run_against_a_hung_server(
            "from django.db import connection\n"
            "try:\n    connection.ensure_connection()\nexcept Exception as error:\n    print(type(error).__name__)",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent.port}/casework",
            DATABASE_CONNECT_TIMEOUT="2",
        )
    finally:
        silent.close()
    assert silent.connections >= 1
    assert "OperationalError" in result.stdout, result.stderr
    assert seconds < 20
