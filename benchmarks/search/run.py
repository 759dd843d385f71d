"""Search benchmark: the full-text search against the naive ``icontains`` scan, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/search/run.py                      # 10,000 cases, both databases
    .venv/bin/python benchmarks/search/run.py --cases 2000 --databases sqlite

For each database it builds, in a temporary database (an SQLite file in a temporary directory;
the PostgreSQL database ``casework_bench_search``, dropped afterwards), the project's schema and
synthetic records with Faker en_GB: ``--cases`` cases (a tenth of them victim cases across an
information barrier from the perpetrator case of the person who stalks them), the referral each
was opened from, 15% more referrals in no case, their subjects, victims and parties, and 2 to 15
incidents a case (a sentence or three each). It indexes them with ``reindex_all`` and then times
100 typical searches (40 surnames, 30 references whole or begun, 30 pairs of words from incident
descriptions) for a clinician on about 50 case teams and for a clinical lead who sees the whole
caseload (and is on 20 teams, so the barrier is in play):

- full-text: ``casework.search.queries.search(user, text, 1)``, which is exactly what the search
  page runs (count, one page of 20, snippets, status and subject), scoped by the access rules;
- icontains: what one would write without a full-text index: the same scope, every
  whitespace-separated term ``icontains`` in the heading, details or clinical text, a count and
  the newest 20 (no ranking, no snippets). On PostgreSQL it runs with JIT off, as the search does,
  so that the comparison is of the methods, not of a setting.

Each search is run once to warm the caches, then timed; the figures are the median and 95th
percentile in milliseconds. PostgreSQL is reached at ``BENCH_POSTGRES_URL`` (default
postgres://postgres@127.0.0.1:5432/); the database is skipped, with a note, if it cannot be.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
BENCH_DB = "casework_bench_search"
RESULT_MARK = "BENCH-RESULT "

# --- Synthetic text ---------------------------------------------------------------------------

ACTS = [
    "Sent {n} text messages in an hour asking to meet",
    "Left a bunch of dead flowers on the doorstep",
    "Waited outside her workplace at the end of the day",
    "Followed her from the bus station to the supermarket",
    "Posted photographs of her house on a social media account",
    "Rang the office switchboard {n} times",
    "Was seen parked across the road from the school gates",
    "Sent a parcel containing a handwritten letter",
    "Created a new account after being blocked and sent threatening messages",
    "Approached her colleague in the car park and asked where she lived",
    "Turned up at the gym and watched her through the window",
    "Emailed her manager with false allegations",
    "Left voicemails saying he would never let her go",
    "Tracked her car with a device hidden under the bumper",
    "Logged into her email account and changed the password",
    "Damaged the wing mirror of her car",
    "Sent a birthday card to her mother",
    "Walked past the house repeatedly late at night",
    "Threatened to share intimate images with her family",
    "Contacted her new partner through a dating app",
]
WHERE = [
    "in {town}",
    "near the railway station in {town}",
    "outside the leisure centre",
    "at the retail park",
    "on the high street",
    "close to her parents' home",
    "at the church hall",
    "by the canal towpath",
]
WHEN = [
    "late at night",
    "on a Sunday morning",
    "during the school run",
    "after the court hearing",
    "the day after the order was served",
    "while she was at work",
    "over the bank holiday weekend",
]
AFTER = [
    "Police attended and gave words of advice.",
    "The victim reported feeling frightened to leave the house.",
    "A neighbour recorded it on a doorbell camera.",
    "He denied it when interviewed.",
    "This breached the conditions of the restraining order.",
    "She changed her telephone number the next day.",
    "Probation were informed the same afternoon.",
    "The messages referred to their previous relationship.",
]


def incident_text(rng: random.Random, faker) -> str:
    sentences = [
        f"{rng.choice(ACTS).format(n=rng.randint(3, 60))} {rng.choice(WHERE).format(town=faker.city())} "
        f"{rng.choice(WHEN)}."
    ]
    for _ in range(rng.randint(0, 2)):
        sentences.append(rng.choice(AFTER))
    return " ".join(sentences)


def summary_text(rng: random.Random, faker) -> str:
    parts = [incident_text(rng, faker) for _ in range(rng.randint(2, 4))]
    parts.append(f"The behaviour has gone on for {rng.randint(2, 30)} months since the relationship ended.")
    return " ".join(parts)


# --- The worker: one database -------------------------------------------------------------------


def build(n_cases: int, seed: int) -> dict:
    """Bulk-create the records (straight into the tables, for speed) and return what the queries
    and the timed users need."""
    import datetime as dt

    from django.utils import timezone
    from faker import Faker

    from casework.accounts.models import User
    from casework.cases.choices import Behaviour, CaseKind, Channel, PartyRole, Source, TeamRole
    from casework.cases.models import Case, CaseParty, CaseReferral, CaseTeamMember, Incident
    from casework.core.roles import Role
    from casework.organisations.models import Organisation
    from casework.people.models import Person
    from casework.referrals.choices import Channel as ReferralChannel
    from casework.referrals.choices import PartyRole as ReferralPartyRole
    from casework.referrals.choices import Status, SubjectRole
    from casework.referrals.models import NamedParty, Referral

    rng = random.Random(seed)
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    now = timezone.now()
    today = timezone.localdate()

    organisation = Organisation.objects.create(name="Northshire Police", kind="police")
    coordinator = User.objects.create(
        email="coordinator@bench.example", full_name="Cora Coordinator", role=Role.REFERRALS_COORDINATOR
    )
    lead = User.objects.create(email="lead@bench.example", full_name="Lena Lead", role=Role.CLINICAL_LEAD)
    clinician = User.objects.create(email="clinician@bench.example", full_name="Clare Bench", role=Role.CLINICIAN)
    others = User.objects.bulk_create(
        [User(email=f"clinician{i}@bench.example", full_name=faker.name(), role=Role.CLINICIAN) for i in range(60)]
    )
    victim_service = others[:6]
    perpetrator_service = others[6:]

    n_victim = n_cases // 10
    n_perpetrator = n_cases - n_victim
    people = []
    for i in range(n_perpetrator * 2):  # a subject and a victim for each perpetrator case
        people.append(
            Person(
                reference=f"PER-2026-{i + 1:06d}",
                given_name=faker.first_name(),
                family_name=faker.last_name(),
                date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randint(0, 15000)),
                sex=rng.choice(["female", "male"]),
                created_by=coordinator,
            )
        )
    people = Person.objects.bulk_create(people, batch_size=2000)
    subjects, victims = people[0::2], people[1::2]

    def referral(i: int, subject, role: str, status: str, lead_clinician=None) -> Referral:
        return Referral(
            reference=f"REF-2026-{i + 1:05d}",
            status=status,
            received_via=ReferralChannel.EMAIL,
            received_at=now - dt.timedelta(days=rng.randint(1, 900)),
            referring_organisation=organisation,
            referrer_name=faker.name(),
            subject_role=role,
            subject_given_name=subject.given_name,
            subject_family_name=subject.family_name,
            behaviour_summary=summary_text(rng, faker),
            lead_clinician=lead_clinician,
            created_by=coordinator,
        )

    # Who leads each perpetrator case: the benchmark clinician exactly 50, others the rest; the
    # clinical lead is a second clinician on 20 of them.
    leads = [clinician] * min(50, n_perpetrator) + [
        rng.choice(perpetrator_service) for _ in range(n_perpetrator - min(50, n_perpetrator))
    ]
    rng.shuffle(leads)
    referrals = [
        referral(i, subjects[i], SubjectRole.PERPETRATOR, Status.ALLOCATED, leads[i]) for i in range(n_perpetrator)
    ]
    victim_pairs = rng.sample(range(n_perpetrator), n_victim)
    victim_leads = [rng.choice(victim_service) for _ in victim_pairs]
    referrals += [
        referral(n_perpetrator + k, victims[i], SubjectRole.VICTIM, Status.ALLOCATED, victim_leads[k])
        for k, i in enumerate(victim_pairs)
    ]
    loose = int(n_cases * 0.15)
    referrals += [
        referral(
            n_cases + k,
            Person(given_name=faker.first_name(), family_name=faker.last_name()),
            SubjectRole.PERPETRATOR,
            rng.choice([Status.RECEIVED, Status.SCREENING, Status.DECLINED]),
        )
        for k in range(loose)
    ]
    referrals = Referral.objects.bulk_create(referrals, batch_size=1000)
    names_as_given = {}
    parties = []
    for i in range(n_perpetrator):
        names_as_given[i] = f"{victims[i].given_name} {victims[i].family_name}"
        parties.append(
            NamedParty(
                referral=referrals[i],
                role=ReferralPartyRole.VICTIM,
                name=names_as_given[i],
                relationship_to_subject=rng.choice(["Former partner", "Colleague", "Neighbour"]),
            )
        )
    NamedParty.objects.bulk_create(parties, batch_size=2000)

    cases = [
        Case(
            reference=f"CASE-2026-{i + 1:05d}",
            kind=CaseKind.PERPETRATOR,
            subject=subjects[i],
            opened_on=today - dt.timedelta(days=rng.randint(1, 800)),
            opened_by=lead,
        )
        for i in range(n_perpetrator)
    ]
    cases += [
        Case(
            reference=f"CASE-2026-{n_perpetrator + k + 1:05d}",
            kind=CaseKind.VICTIM,
            subject=victims[i],
            opened_on=today - dt.timedelta(days=rng.randint(1, 800)),
            opened_by=lead,
        )
        for k, i in enumerate(victim_pairs)
    ]
    cases = Case.objects.bulk_create(cases, batch_size=1000)
    CaseReferral.objects.bulk_create(
        [
            CaseReferral(case=case, referral=referrals[i], opened_case=True, added_at=now, added_by=lead)
            for i, case in enumerate(cases)
        ],
        batch_size=2000,
    )
    team = [
        CaseTeamMember(case=cases[i], user=leads[i], role=TeamRole.LEAD_CLINICIAN, added_at=now, added_by=lead)
        for i in range(n_perpetrator)
    ]
    team += [
        CaseTeamMember(
            case=cases[n_perpetrator + k],
            user=victim_leads[k],
            role=TeamRole.LEAD_CLINICIAN,
            added_at=now,
            added_by=lead,
        )
        for k in range(n_victim)
    ]
    team += [
        CaseTeamMember(case=cases[i], user=lead, role=TeamRole.CLINICIAN, added_at=now, added_by=lead)
        for i in rng.sample(range(n_perpetrator), min(20, n_perpetrator))
    ]
    CaseTeamMember.objects.bulk_create(team, batch_size=2000)

    case_parties = []
    for i in range(n_perpetrator):
        case_parties.append(
            CaseParty(
                case=cases[i],
                person=subjects[i],
                role=PartyRole.SUBJECT,
                name_as_given=f"{subjects[i].given_name} {subjects[i].family_name}",
                added_at=now,
                added_by=lead,
            )
        )
        case_parties.append(
            CaseParty(
                case=cases[i],
                person=victims[i],
                role=PartyRole.VICTIM,
                name_as_given=names_as_given[i],
                relationship_to_subject="Former partner",
                added_at=now,
                added_by=lead,
            )
        )
    for k, i in enumerate(victim_pairs):
        case = cases[n_perpetrator + k]
        case_parties.append(
            CaseParty(
                case=case,
                person=victims[i],
                role=PartyRole.SUBJECT,
                name_as_given=names_as_given[i],
                added_at=now,
                added_by=lead,
            )
        )
        case_parties.append(
            CaseParty(
                case=case,
                person=subjects[i],
                role=PartyRole.PERSON_WHO_STALKS,
                name_as_given=subjects[i].given_name,
                added_at=now,
                added_by=lead,
            )
        )
    CaseParty.objects.bulk_create(case_parties, batch_size=2000)

    behaviours, channels, sources = list(Behaviour), list(Channel), list(Source)
    incidents, descriptions = [], []
    for case in cases:
        for _ in range(rng.randint(2, 15)):
            description = incident_text(rng, faker)
            descriptions.append(description)
            incidents.append(
                Incident(
                    case=case,
                    occurred_on=today - dt.timedelta(days=rng.randint(1, 1500)),
                    behaviour=rng.choice(behaviours),
                    channel=rng.choice(channels),
                    source=rng.choice(sources),
                    severity=rng.randint(1, 5),
                    description=description,
                    recorded_by=lead,
                    recorded_at=now,
                )
            )
        if len(incidents) >= 5000:
            Incident.objects.bulk_create(incidents)
            incidents = []
    Incident.objects.bulk_create(incidents)
    return {
        "clinician": clinician,
        "lead": lead,
        "surnames": [s.family_name for s in subjects],
        "case_refs": [c.reference for c in cases],
        "referral_refs": [r.reference for r in referrals],
        "descriptions": descriptions,
        "counts": {
            "cases": len(cases),
            "referrals": len(referrals),
            "persons": len(people),
            "incidents": len(descriptions),
        },
    }


def typical_queries(data: dict, n: int, seed: int) -> list[str]:
    rng = random.Random(seed + 1)
    n_names, n_refs = round(n * 0.4), round(n * 0.3)
    queries = rng.sample(data["surnames"], n_names)
    refs = rng.sample(data["case_refs"], n_refs // 2) + rng.sample(data["referral_refs"], n_refs - n_refs // 2)
    queries += [ref if k % 3 else ref[:-2] for k, ref in enumerate(refs)]  # a third of them begun, not whole
    while len(queries) < n:
        words = [w.strip(".,'") for w in rng.choice(data["descriptions"]).split() if len(w.strip(".,'")) >= 4]
        if len(words) >= 2:
            queries.append(" ".join(rng.sample(words, 2)))
    return queries


def icontains_search(user, text: str) -> tuple[int, list]:
    """The scan one would write without a full-text index, over the same documents and scope."""
    from django.db import connection, transaction
    from django.db.models import Q

    from casework.search.models import SearchDocument
    from casework.search.queries import cases_in_scope, referrals_in_scope, searches_clinical_content

    documents = SearchDocument.objects.filter(
        Q(record_type="referral", record_id__in=referrals_in_scope(user).values("pk"))
        | Q(record_type="case", record_id__in=cases_in_scope(user).values("pk"))
    )
    clinical = searches_clinical_content(user)
    for term in text.split():
        condition = Q(heading__icontains=term) | Q(details__icontains=term)
        if clinical:
            condition |= Q(clinical__icontains=term)
        documents = documents.filter(condition)
    with transaction.atomic():
        if connection.vendor == "postgresql":  # the same setting the full-text search runs with
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return documents.count(), list(documents.order_by("-id").values_list("reference", flat=True)[:20])


def time_all(function, queries: list[str]) -> dict:
    for text in queries:  # warm the caches
        function(text)
    times, hits = [], []
    for text in queries:
        start = time.perf_counter()
        found = function(text)
        times.append((time.perf_counter() - start) * 1000)
        hits.append(found)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[max(0, int(round(0.95 * len(times))) - 1)],
        "max": times[-1],
        "hits_median": statistics.median(hits),
    }


def worker(args) -> None:
    os.environ.setdefault("CASEWORK_ENV", "test")
    sys.path.insert(0, str(ROOT))
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casework.search.queries import search
    from casework.search.services import reindex_all

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    data = build(args.cases, args.seed)
    built = time.perf_counter()
    reindex_all()
    indexed = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does soon after a bulk load
            cursor.execute("ANALYZE")
    queries = typical_queries(data, args.queries, args.seed)

    def full_text(user):
        def run(text):
            page = search(user, text, 1)
            list(page.object_list)
            return page.paginator.count

        return run

    def naive(user):
        return lambda text: icontains_search(user, text)[0]

    with CaptureQueriesContext(connection) as captured:
        full_text(data["lead"])(queries[0])
    results = {
        "database": connection.vendor,
        "version": ".".join(map(str, connection.Database.sqlite_version_info))
        if connection.vendor == "sqlite"
        else connection.cursor().connection.info.server_version,
        "counts": data["counts"],
        "queries_per_search": len(captured),
        "seconds": {"migrate": migrated - started, "build": built - migrated, "index": indexed - built},
        "rows": [],
    }
    from casework.search.models import SearchDocument

    sizes = SearchDocument.objects.values_list("heading", "details", "clinical")
    lengths = [len(h) + len(d) + len(c) for h, d, c in sizes]
    results["document_chars"] = {"mean": statistics.mean(lengths), "max": max(lengths), "count": len(lengths)}
    for label, user in (
        ("clinician (on ~50 case teams)", data["clinician"]),
        ("clinical lead (whole caseload)", data["lead"]),
    ):
        for engine, make in (("full-text", full_text), ("icontains", naive)):
            figures = time_all(make(user), queries)
            results["rows"].append({"user": label, "engine": engine, **figures})
    print(RESULT_MARK + json.dumps(results), flush=True)


# --- The runner -------------------------------------------------------------------------------


def postgres_admin(url: str):
    import psycopg

    return psycopg.connect(url.rstrip("/") + "/postgres", autocommit=True)


def run_one(database: str, args) -> dict | str:
    env = dict(os.environ, CASEWORK_ENV="test")
    cleanup = None
    if database == "sqlite":
        directory = tempfile.mkdtemp(prefix="bench-search-")
        env["DATABASE_URL"] = f"sqlite:///{directory}/bench.sqlite3"
        env["CASEWORK_VAR_DIR"] = env.get("CASEWORK_VAR_DIR", str(ROOT / "var"))

        def cleanup():
            if not args.keep:
                shutil.rmtree(directory, ignore_errors=True)
    else:
        base = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/")
        try:
            with postgres_admin(base) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")
                admin.execute(f"CREATE DATABASE {BENCH_DB}")
        except Exception as error:  # noqa: BLE001  (reported, and the other database still runs)
            return f"skipped: PostgreSQL not reachable at {base} ({error.__class__.__name__})"
        env["DATABASE_URL"] = base.rstrip("/") + f"/{BENCH_DB}"

        def cleanup():
            if not args.keep:
                with postgres_admin(base) as admin:
                    admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB}")

    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker",
        "--cases",
        str(args.cases),
        "--queries",
        str(args.queries),
        "--seed",
        str(args.seed),
    ]
    try:
        completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    finally:
        cleanup()
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return json.loads(line[len(RESULT_MARK) :])
    return f"failed:\n{completed.stderr[-3000:]}"


def report(results: dict[str, dict | str], args) -> None:
    names = {"sqlite": "SQLite (FTS5)", "postgresql": "PostgreSQL (tsvector + GIN)"}
    print(
        f"Search benchmark: {args.cases:,} cases, {args.queries} typical searches a user "
        "(40% surnames, 30% references whole or begun, 30% two words from incident descriptions)"
    )
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )
    for database, result in results.items():
        print()
        if isinstance(result, str):
            print(f"{names[database]}: {result}")
            continue
        counts = result["counts"]
        chars = result["document_chars"]
        print(
            f"{names[database]} {result['version']}: {counts['cases']:,} cases, {counts['referrals']:,} referrals, "
            f"{counts['incidents']:,} incidents, {counts['persons']:,} persons; "
            f"{chars['count']:,} search documents, {chars['mean']:,.0f} characters on average "
            f"(longest {chars['max']:,})"
        )
        seconds = result["seconds"]
        print(
            f"  build {seconds['build']:.1f} s, index (reindex_all) {seconds['index']:.1f} s; "
            f"{result['queries_per_search']} queries a search"
        )
        print()
        print("| user | method | median ms | p95 ms | max ms | median results |")
        print("|---|---|---:|---:|---:|---:|")
        for row in result["rows"]:
            print(
                f"| {row['user']} | {row['engine']} | {row['median']:.1f} | {row['p95']:.1f} | {row['max']:.1f} "
                f"| {row['hits_median']:g} |"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--databases", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary databases")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return
    chosen = [d.strip() for d in args.databases.split(",") if d.strip()]
    report({database: run_one(database, args) for database in chosen}, args)


if __name__ == "__main__":
    main()
