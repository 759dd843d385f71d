"""Two bookings of the same clinician at the same time, at once: one is made, the other refused as
a clash. On SQLite the race runs in a subprocess against a fresh file database (the suite's is in
memory), with each thread on its own connection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

THREADS = 3


@pytest.mark.django_db
def test_racing_bookings_for_the_same_hour_make_one_appointment(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the race runs on a SQLite file; PostgreSQL locks the clinician's row (FOR UPDATE)")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CASEWORK_ENV")}
    env.update(
        {"CASEWORK_ENV": "demo", "CASEWORK_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "casework.settings"}
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "casework.treatment.tests.race_diary_sqlite", str(THREADS)],
        cwd=Path(__file__).resolve().parents[3],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["outcomes"] == ["booked"] + ["clash"] * (THREADS - 1)
    assert outcome["appointments"] == 1
