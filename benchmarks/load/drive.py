"""The load benchmark's two steps after seeding (benchmarks/load/run.sh; ``make bench-load``).

``world STATE.json``
    Under the production settings, against the seeded database: the pages to drive, each with the
    member of the cast who opens it, written into the state file.

``drive STATE.json --base http://127.0.0.1:PORT [--users 1,10,20] [--seconds 5] [--runs 3]``
    Signs each member of the cast in once, through the real sign-in pages (password, then the
    security code from their authenticator app's key), then for each number of concurrent users,
    for each page: that many threads, each with its own connection and the member's session, ask for
    the page again and again for ``--seconds``. The floor (a signed-in page that reads nothing from
    the domain: the privacy page) is driven the same way at each level. Printed per page and level:
    p50, p95 and p99 in milliseconds, requests per second, errors, and p95 divided by the floor's p95
    at the same level; with ``--runs`` above 1, each figure is the median over the runs. Audit events
    appended per second while the 20-user level ran are printed from the database's count.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from prod_check import Browser, sign_in  # noqa: E402  (the production crawl's browser and sign-in)

FLOOR = "floor: signed-in page, no domain queries"
API = "api"  # the "role" of pages asked for with the agency's API token, not a signed-in session


def _api_token(state: dict) -> str:
    import datetime as dt

    from django.utils import timezone

    from casework.accounts.models import User
    from casework.api.models import Scope
    from casework.api.services import token_create
    from casework.organisations.models import Organisation

    made = token_create(
        by=User.objects.get(pk=state["users"]["sysadmin"]["id"]),
        organisation=Organisation.objects.get(pk=state["agency_organisation"]),
        name="Load benchmark",
        scopes=list(Scope.values),
        expires_on=timezone.localdate() + dt.timedelta(days=300),
    )
    return made.secret


def world(state_file: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.urls import reverse

    from casework.access.links import record_log_url
    from casework.cases.models import Case

    state = json.loads(state_file.read_text())
    busy = Case.objects.get(reference=state["busy_case"])
    typical = Case.objects.get(reference=state["typical_case"])
    person = reverse("people:detail", args=[busy.subject.reference])
    pages = [
        (FLOOR, "clinician", reverse("core:privacy")),
        ("My work — clinician", "clinician", reverse("core:my_work")),
        ("My work — coordinator", "coordinator", reverse("core:my_work")),
        ("My work — clinical lead", "clinical_lead", reverse("core:my_work")),
        ("My work — finance officer", "finance", reverse("core:my_work")),
        ("My work — researcher", "researcher", reverse("core:my_work")),
        ("referral list, first page", "coordinator", reverse("referrals:list")),
        ("referral list, page 50, filtered", "coordinator", reverse("referrals:list") + "?status=allocated&page=50"),
        ("case list", "clinical_lead", reverse("cases:list")),
        ("case page, typical", "clinician", reverse("cases:detail", args=[typical.reference])),
        ("case page, 1,500 incidents", "clinician", reverse("cases:detail", args=[busy.reference])),
        ("case timeline, 1,500 incidents", "clinician", reverse("cases:timeline", args=[busy.reference])),
        ("person page — clinical lead", "clinical_lead", person),
        ("person page — clinician", "clinician", person),
        ("person list, common surname", "clinical_lead", reverse("people:list") + "?q=Smith"),
        ("search, common surname", "clinical_lead", reverse("search:search") + "?q=Smith"),
        ("audit: who looked, busy case", "clinical_lead", record_log_url(busy)),
        ("assessments of a case", "clinician", reverse("assessments:list", args=[busy.reference])),
        ("reports of a case", "clinician", reverse("reports:list", args=[busy.reference])),
        ("diary: my week", "clinician", reverse("diary:week")),
        ("dashboards", "clinical_lead", reverse("insights:dashboard")),
        ("billing: quotes", "finance", reverse("billing:quotes")),
        ("billing: invoices", "finance", reverse("billing:invoices")),
        ("portal: the agency's referrals", "agency", reverse("portal:referrals")),
        ("portal: the agency's invoices", "agency", reverse("portal:invoices")),
        ("API: the agency's referrals", API, reverse("api:referrals")),
    ]
    if API not in state:  # one token for the agency, made once by the system administrator's service
        state[API] = _api_token(state)
    state["pages"] = [{"label": label, "role": role, "url": url} for label, role, url in pages]
    state_file.write_text(json.dumps(state, indent=1))
    print(f"{len(pages)} pages to drive")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def _browser(base: str, session: dict) -> Browser:
    browser = Browser(base)
    browser.cookies = dict(session.get("cookies", {}))
    browser.headers = dict(session.get("headers", {}))
    return browser


def hammer(base: str, session: dict, url: str, users: int, seconds: float) -> dict:
    """`users` threads asking for `url` until `seconds` have passed; latencies in ms."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def user() -> None:
        browser = _browser(base, session)
        mine, bad = [], 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                status, _, _ = browser.request("GET", url)
            except OSError:  # timed out or refused: an error, at the time it took; a new connection
                status = 0
                browser = _browser(base, session)
            mine.append((time.perf_counter() - started) * 1000)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    threads = [threading.Thread(target=user) for _ in range(users)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "p50": percentile(latencies, 0.5),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "rps": len(latencies) / elapsed,
        "requests": len(latencies),
        "errors": errors[0],
    }


def audit_count(database_url: str) -> int | None:
    try:
        import psycopg

        with psycopg.connect(database_url) as conn:
            return conn.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0]
    except Exception:  # noqa: BLE001 (the count is a figure beside the run, never a reason to stop it)
        return None


def drive(state_file: Path, base: str, levels: list[int], seconds: float, runs: int) -> int:
    state = json.loads(state_file.read_text())
    sessions = {}
    for role in sorted({page["role"] for page in state["pages"]} - {API}):
        browser = Browser(base)
        sign_in(browser, state["users"][role], state["password"])
        sessions[role] = {"cookies": browser.cookies}
    sessions[API] = {"headers": {"Authorization": f"Bearer {state.get(API, '')}"}}
    results: dict[tuple[str, int], list[dict]] = {}
    append_rates = []
    for run in range(runs):
        for users in levels:
            before, started = audit_count(os.environ.get("DATABASE_URL", "")), time.perf_counter()
            for page in state["pages"]:
                Browser(base).request("GET", page["url"])  # warm nothing but the connection
                figures = hammer(base, sessions[page["role"]], page["url"], users, seconds)
                results.setdefault((page["label"], users), []).append(figures)
                print(
                    f"  {page['label']} at {users}: p95 {figures['p95']:.0f} ms, {figures['requests']} requests,"
                    f" {figures['errors']} errors",
                    flush=True,
                )
            after = audit_count(os.environ.get("DATABASE_URL", ""))
            if users == max(levels) and before is not None and after is not None:
                append_rates.append((after - before) / (time.perf_counter() - started))
        print(f"run {run + 1} of {runs} done", flush=True)
    print_table(state["pages"], levels, results)
    failed = sorted({label for (label, _), figures in results.items() if any(f["errors"] for f in figures)})
    if append_rates:
        print(
            f"\nAudit events appended per second during the {max(levels)}-user level: "
            f"{statistics.median(append_rates):,.0f} (median of {len(append_rates)} runs)"
        )
    if failed:
        print("\nPages that answered other than 200: " + "; ".join(failed), file=sys.stderr)
    return 1 if failed else 0


def print_table(pages: list[dict], levels: list[int], results: dict) -> None:
    def median(label: str, users: int, key: str) -> float:
        return statistics.median(r[key] for r in results[(label, users)])

    print("\n| page | users | p50 ms | p95 ms | p99 ms | req/s | errors | p95 ÷ floor p95 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for users in levels:
        floor = median(FLOOR, users, "p95")
        for page in pages:
            label = page["label"]
            print(
                f"| {label} | {users} | {median(label, users, 'p50'):.0f} | {median(label, users, 'p95'):.0f} "
                f"| {median(label, users, 'p99'):.0f} | {median(label, users, 'rps'):.1f} "
                f"| {sum(r['errors'] for r in results[(label, users)])} "
                f"| {median(label, users, 'p95') / floor:.1f} |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("step", choices=["world", "drive"])
    parser.add_argument("state", type=Path)
    parser.add_argument("--base", default="http://127.0.0.1:8300")
    parser.add_argument("--users", default="1,10,20")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if args.step == "world":
        world(args.state)
        return 0
    return drive(args.state, args.base, [int(n) for n in args.users.split(",")], args.seconds, args.runs)


if __name__ == "__main__":
    sys.exit(main())
