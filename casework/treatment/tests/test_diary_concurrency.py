"""Bookings of the same clinician at the same time, at once: one is made, the others refused as a
clash. On SQLite the race runs in a subprocess against a fresh file database (the suite's is in
memory); on PostgreSQL in threads of this process. Each thread has its own connection."""

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


@pytest.mark.django_db(transaction=True)
def test_racing_bookings_on_postgresql_make_one_appointment_and_refuse_the_rest_as_a_clash(
    cast, audit_log_flushable, monkeypatch
):
    """Each thread has its own connection and books the same clinician for the same hour in a room of
    its own; the clash check is slowed so that, without the clinician's row locked (FOR UPDATE),
    every thread would pass it. The test's records are committed (a transactional test), so the
    threads see them; the database is emptied afterwards (``audit_log_flushable``)."""
    if connection.vendor != "postgresql":
        pytest.skip("on SQLite the race runs in a subprocess on a file database (the test above)")
    import datetime as dt
    import threading
    import time

    from django.db import connections
    from django.utils import timezone

    from casework.cases.tests.factories import make_case
    from casework.treatment.models import Appointment
    from casework.treatment.services import diary as services

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    rooms = [services.room_add(name=f"Race room {n}", by=cast.clinical_lead) for n in range(THREADS)]
    starts_at = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    real_refuse = services._refuse_clashes

    def slow_refuse(**kwargs):
        real_refuse(**kwargs)
        time.sleep(0.2)  # widen the window between checking and writing

    monkeypatch.setattr(services, "_refuse_clashes", slow_refuse)
    start = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def book(n: int) -> None:
        try:
            start.wait(timeout=30)
            services.appointment_book(
                case=case,
                kind="assessment",
                clinician=cast.clinician,
                place_kind="clinic_room",
                room=rooms[n],
                starts_at=starts_at,
                minutes=60,
                by=cast.coordinator,
            )
            outcomes.append("booked")
        except services.Clash:
            outcomes.append("clash")
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=book, args=(n,)) for n in range(THREADS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert sorted(outcomes) == ["booked"] + ["clash"] * (THREADS - 1)
    assert Appointment.objects.filter(clinician=cast.clinician, starts_at=starts_at).count() == 1
