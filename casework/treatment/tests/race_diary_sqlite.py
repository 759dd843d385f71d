"""Bookings racing for the same clinician's hour on a real SQLite file database (run in a
subprocess by test_diary_concurrency.py; the suite's own SQLite database is in memory).

Each thread has its own connection and books the same clinician at the same time in a different
room; the clash check is slowed down so that, without the lock, every thread would pass it. Prints
how many bookings were made and how many refused, as JSON."""

from __future__ import annotations

import json
import sys
import threading
import time

import django


def main(threads: int) -> None:
    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from casework.accounts.tests.factories import UserFactory
    from casework.cases.tests.factories import make_case
    from casework.core.roles import Role
    from casework.treatment.models import Appointment
    from casework.treatment.services import diary as services

    lead = UserFactory(role=Role.CLINICAL_LEAD)
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Clare Clinician")
    coordinator = UserFactory(role=Role.REFERRALS_COORDINATOR)
    case = make_case(lead=clinician, by=lead)
    rooms = [services.room_add(name=f"Room {n}", by=lead) for n in range(threads)]
    starts_at = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)

    real_refuse = services._refuse_clashes

    def slow_refuse(**kwargs):
        real_refuse(**kwargs)
        time.sleep(0.05)  # widen the window between checking and writing

    services._refuse_clashes = slow_refuse
    start = threading.Barrier(threads)
    outcomes: list[str] = []

    def book(n: int) -> None:
        try:
            start.wait(timeout=30)
            services.appointment_book(
                case=case,
                kind="assessment",
                clinician=clinician,
                place_kind="clinic_room",
                room=rooms[n],
                starts_at=starts_at,
                minutes=60,
                by=coordinator,
            )
            outcomes.append("booked")
        except services.Clash:
            outcomes.append("clash")
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    workers = [threading.Thread(target=book, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    print(json.dumps({"outcomes": sorted(outcomes), "appointments": Appointment.objects.count()}))


if __name__ == "__main__":
    main(int(sys.argv[1]))
