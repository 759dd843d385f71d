"""Service dashboards benchmark: how long /insights/ takes to render at national scale, beside a bare
signed-in page on the same server, and how many queries each makes.

    .venv/bin/python benchmarks/insights/run.py                    # 10,000 cases, 5 timed runs
    .venv/bin/python benchmarks/insights/run.py --cases 1000 --runs 3

It migrates a throwaway test database (SQLite in memory under ``CASEWORK_ENV=test``, or the database
``DATABASE_URL`` names, with Django's ``test_`` prefix, dropped afterwards), then bulk-creates synthetic
records (no real person; nothing goes through the services, so nothing is audited or indexed):
``--cases`` cases over the last three years (nine in ten perpetrator cases), each opened from a
referral, 15% more referrals in no case, a lead clinician among 40, one or two victims with a prior
relationship, a report issued for one case in five, treatment with sessions and follow-ups for one
in four. Then it signs a clinical lead in through the test client, fetches each page once untimed,
and times ``--runs`` rounds of: the dashboard (12 figures over the default 12 months), and the
privacy page (a signed-in page that reads nothing). The dashboard is timed twice: with the figures
computed on every view (``CASEWORK_INSIGHTS_CACHE_SECONDS`` 0, as before they were kept) and with
them kept in the cache (the first, untimed view computes them). Printed: median, fastest and slowest
milliseconds and the number of queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def build(cases: int, seed: int) -> None:  # noqa: PLR0915 (one straight run of bulk inserts)
    from django.utils import timezone

    from casework.accounts.models import User
    from casework.cases.models import Case, CaseParty, CaseReferral, CaseTeamMember, StalkingEpisode
    from casework.core.roles import Role
    from casework.organisations.models import Organisation, OrganisationKind
    from casework.people.models import Person
    from casework.referrals.models import Referral, RequestedService
    from casework.reports.models import IssuedReport, Report, ReportRequest, ReportVersion
    from casework.treatment.models import Appointment, Enrolment, FollowUp, KeptProgramme

    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    coordinator = User.objects.create_user(
        email="bench.coordinator@nsc.example.nhs.uk",
        password=None,
        full_name="Bench Coordinator",
        role=Role.REFERRALS_COORDINATOR,
    )
    clinicians = [
        User.objects.create_user(
            email=f"bench.clinician{n}@nsc.example.nhs.uk",
            password=None,
            full_name=f"Bench Clinician {n}",
            role=Role.CLINICIAN,
        )
        for n in range(40)
    ]
    kinds = [k.value for k in OrganisationKind]
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Bench Agency {n}", kind=kinds[n % len(kinds)]) for n in range(60)
    )
    total_referrals = int(cases * 1.15)
    subjects = Person.objects.bulk_create(
        Person(reference=f"PER-B-{n:06d}", given_name="Bench", family_name=f"Subject{n}", created_by=coordinator)
        for n in range(total_referrals)
    )
    victims = Person.objects.bulk_create(
        Person(reference=f"PER-V-{n:06d}", given_name="Bench", family_name=f"Victim{n}", created_by=coordinator)
        for n in range(cases)
    )
    services = ["stalker_assessment", "stalker_treatment", "victim_assessment", "report_sentencing", "consultation"]
    referrals = []
    for n in range(total_referrals):
        received = now - dt.timedelta(days=rng.randint(0, 3 * 365), hours=rng.randint(0, 23))
        decision = rng.choice(["accept"] * 6 + ["decline", "request_information", ""])
        decided = received + dt.timedelta(days=rng.randint(1, 30)) if decision else None
        referrals.append(
            Referral(
                reference=f"REF-B-{n:06d}",
                status="allocated" if n < cases else rng.choice(["received", "declined", "screening"]),
                received_via="email",
                received_at=received,
                referring_organisation=rng.choice(organisations),
                referrer_name="Bench Officer",
                subject_role="perpetrator",
                decision=decision if n >= cases else "accept",
                decided_at=decided or (received + dt.timedelta(days=5)),
                allocated_at=received + dt.timedelta(days=rng.randint(6, 40)) if n < cases else None,
                stalking_significant=rng.random() > 0.1,
                legal_status="charged",
                created_by=coordinator,
            )
        )
    referrals = Referral.objects.bulk_create(referrals, batch_size=2000)
    RequestedService.objects.bulk_create(
        (RequestedService(referral=r, service=s) for r in referrals for s in rng.sample(services, rng.randint(1, 2))),
        batch_size=5000,
    )
    types = ["rejected", "resentful", "intimacy_seeking", "incompetent_suitor", "predatory", ""]
    case_rows = []
    for n in range(cases):
        opened = timezone.localtime(referrals[n].allocated_at).date()  # type: ignore[arg-type]
        status = rng.choice(["open"] * 5 + ["on_hold", "closed", "closed"])
        case_rows.append(
            Case(
                reference=f"CASE-B-{n:06d}",
                kind="perpetrator" if n % 10 else "victim",
                status=status,
                subject=subjects[n],
                opened_on=min(opened, today),
                opened_by=coordinator,
                stalker_type=rng.choice(types) if n % 10 else "",
                closed_on=today if status == "closed" else None,
                closure_reason="work_completed" if status == "closed" else "",
            )
        )
    all_cases = Case.objects.bulk_create(case_rows, batch_size=2000)
    CaseReferral.objects.bulk_create(
        (
            CaseReferral(case=c, referral=referrals[n], opened_case=True, added_at=now, added_by=coordinator)
            for n, c in enumerate(all_cases)
        ),
        batch_size=5000,
    )
    CaseTeamMember.objects.bulk_create(
        (
            CaseTeamMember(
                case=c, user=rng.choice(clinicians), role="lead_clinician", added_at=now, added_by=coordinator
            )
            for c in all_cases
        ),
        batch_size=5000,
    )
    perpetrator_cases = [c for c in all_cases if c.kind == "perpetrator"]
    parties = CaseParty.objects.bulk_create(
        (
            CaseParty(
                case=c,
                person=victims[n],
                role="victim",
                name_as_given="Bench Victim",
                added_at=now,
                added_by=coordinator,
            )
            for n, c in enumerate(perpetrator_cases)
        ),
        batch_size=5000,
    )
    relationships = ["ex_intimate_partner"] * 4 + [
        "professional_contact",
        "workplace_contact",
        "stranger",
        "online_only",
    ]
    StalkingEpisode.objects.bulk_create(
        (
            StalkingEpisode(
                case=p.case,
                victim=p,
                prior_relationship=rng.choice(relationships),
                updated_at=now,
                updated_by=coordinator,
            )
            for p in parties
        ),
        batch_size=5000,
    )
    # Reports for one case in five.
    reported = perpetrator_cases[::5]
    requests = ReportRequest.objects.bulk_create(
        (
            ReportRequest(
                case=c,
                report_type="sentencing",
                due_on=c.opened_on + dt.timedelta(days=42),
                status="issued",
                created_by=coordinator,
                updated_by=coordinator,
            )
            for c in reported
        ),
        batch_size=5000,
    )
    author = clinicians[0]
    reports = Report.objects.bulk_create(
        (Report(request=r, author=author, created_by=author, status="issued") for r in requests), batch_size=5000
    )
    versions = ReportVersion.objects.bulk_create(
        (ReportVersion(report=r, number=1, saved_by=author, sections=[]) for r in reports), batch_size=5000
    )
    IssuedReport.objects.bulk_create(
        (
            IssuedReport(
                report=v.report,
                number=1,
                version=v,
                recipient=organisations[0],
                recipient_side="court",
                pdf="bench/report.pdf",
                pdf_sha256="0" * 64,
                docx="bench/report.docx",
                docx_sha256="0" * 64,
                issued_at=min(now, at_noon(v.report.request.case.opened_on + dt.timedelta(days=rng.randint(20, 60)))),
                issued_by=author,
            )
            for v in versions
        ),
        batch_size=5000,
    )
    # Treatment for one case in four: an enrolment, eight sessions, follow-ups when it has ended.
    programme = KeptProgramme.objects.create(
        code="bench", version="1", title="Bench programme", content={}, content_hash="bench"
    )
    treated = perpetrator_cases[::4]
    enrolments = Enrolment.objects.bulk_create(
        (
            Enrolment(
                case=c,
                programme=programme,
                legal_basis="community_order",
                starts_on=c.opened_on,
                status=(status := rng.choice(["active", "completed", "completed", "disengaged", "breached"])),
                discharged_on=min(today, c.opened_on + dt.timedelta(days=200)) if status != "active" else None,
                created_by=coordinator,
                updated_by=coordinator,
            )
            for c in treated
        ),
        batch_size=5000,
    )
    attendance = ["attended"] * 6 + ["late", "dna", "cancelled_client", "cancelled_clinic"]
    appointments = []
    for e in enrolments:
        for week in range(8):
            starts = at_noon(e.starts_on + dt.timedelta(days=7 * week + 14))
            appointments.append(
                Appointment(
                    case=e.case,
                    enrolment=e,
                    kind="treatment" if week else "assessment",
                    clinician=clinicians[0],
                    place_kind="video",
                    starts_at=starts,
                    minutes=60,
                    ends_at=starts + dt.timedelta(minutes=60),
                    attendance=rng.choice(attendance) if starts < now else "booked",
                    created_by=coordinator,
                )
            )
    Appointment.objects.bulk_create(appointments, batch_size=5000)
    FollowUp.objects.bulk_create(
        (
            FollowUp(
                enrolment=e,
                point=6,
                due_on=e.discharged_on + dt.timedelta(days=182),
                done_on=min(today, e.discharged_on + dt.timedelta(days=182)),
                re_referred=rng.random() < 0.1,
                further_stalking=rng.random() < 0.3,
                reconvicted=rng.random() < 0.15,
            )
            for e in enrolments
            if e.discharged_on
        ),
        batch_size=5000,
    )


def at_noon(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def timed(client, url: str, runs: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url)  # untimed: caches warm
    assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    count = len(queries)  # now: a later request empties the connection's log
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return times, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    os.environ.setdefault("CASEWORK_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        from casework.accounts.models import User
        from casework.core.roles import Role
        from conftest import signed_in_client

        started = time.perf_counter()
        build(args.cases, args.seed)
        built = time.perf_counter() - started
        lead = User.objects.create_user(
            email="bench.lead@nsc.example.nhs.uk", password=None, full_name="Bench Lead", role=Role.CLINICAL_LEAD
        )
        client = signed_in_client(lead)
        from django.conf import settings

        kept_for = settings.CASEWORK_INSIGHTS_CACHE_SECONDS
        settings.CASEWORK_INSIGHTS_CACHE_SECONDS = 0  # as before the figures were kept
        computed = timed(client, reverse("insights:dashboard"), args.runs)
        settings.CASEWORK_INSIGHTS_CACHE_SECONDS = kept_for
        rows = [
            ("dashboard, figures computed (as before; cache off)", *computed),
            ("dashboard, figures kept (cache warm)", *timed(client, reverse("insights:dashboard"), args.runs)),
            ("bare signed-in page (/privacy/)", *timed(client, reverse("core:privacy"), args.runs)),
        ]
        print(
            f"Service dashboards benchmark: {args.cases:,} cases ({built:.0f} s to build), "
            f"{connection.vendor}, {args.runs} timed runs after one untimed"
        )
        print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print()
        print("| page | median ms | fastest ms | slowest ms | queries |")
        print("|---|---:|---:|---:|---:|")
        for name, times, queries in rows:
            print(f"| {name} | {statistics.median(times):.0f} | {min(times):.0f} | {max(times):.0f} | {queries} |")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
