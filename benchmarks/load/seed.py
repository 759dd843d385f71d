"""National-scale data for the load benchmark (``make bench-load``; benchmarks/load/run.sh).

Runs under the production settings the script exports, against the database ``DATABASE_URL`` names,
in stages that each commit on their own and are recorded in the state file: a second run picks up
where the first stopped (``--scale`` must match). Records are made through bulk paths that keep the
service's invariants: identifiers encrypted by their model fields with their blind indexes computed
by the model (``refresh_blind_indexes``), the matching engine's blocking keys (``match_keys_for``),
the search index rebuilt by ``reindex_search``, and audit events appended by the audit app's own
bulk path so that ``verify_audit`` proves the chain. Synthetic only: names from Faker's en_GB lists.

    python benchmarks/load/seed.py STATE.json --scale 1.0     # 10,000 cases, 200,000 persons, ~1M incidents

At scale 1: 10,000 referrals with cases (and 1,500 more referrals that are not cases), 200,000 persons,
about 1,000,000 incidents (one case has 1,500; a typical case about 70-130), 5,000,000 audit events.
The cast of the test suite signs in (``conftest.make_cast``, each with an authenticator app); the
clinician leads 60 cases, an agency referrer's force sent 3% of the referrals.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import sys
import time
from pathlib import Path

from django.utils import timezone

ROOT = Path(__file__).resolve().parents[2]
BUSY_INCIDENTS = 1_500
# The seeded referrals' referring officer; references run from 500,000 so that none meets the service's own.
LOAD_OFFICER = "Load Officer"
STAGES = ("cast", "persons", "referrals", "cases", "incidents", "search", "audit", "billing")


def nhs_number(rng: random.Random) -> str:
    """A number that passes the NHS modulus-11 check (synthetic: from the 999 test range)."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


class Seeder:
    def __init__(self, state_file: Path, scale: float, seed: int, audit_events: int | None) -> None:
        self.state_file = state_file
        self.state = json.loads(state_file.read_text()) if state_file.exists() else {"scale": scale, "done": []}
        if self.state["scale"] != scale:
            raise SystemExit(f"{state_file} was seeded at scale {self.state['scale']}, not {scale}: start afresh")
        self.scale = scale
        self.rng = random.Random(seed)
        self.n_cases = max(20, int(10_000 * scale))
        self.n_persons = max(100, int(200_000 * scale))
        self.audit_events = int(5_000_000 * scale) if audit_events is None else audit_events

    def save(self) -> None:
        self.state_file.write_text(json.dumps(self.state, indent=1))

    def run(self) -> None:
        from django.db import transaction

        for stage in STAGES:
            if stage in self.state["done"]:
                print(f"  {stage}: done before")
                continue
            if stage == "audit" and not self.audit_events:
                print("  audit: skipped (--audit-events 0); a later run seeds them")
                continue
            started = time.perf_counter()
            if stage == "audit":  # its own transaction, then VACUUM ANALYZE (which no transaction may hold)
                self.audit()
            else:
                with transaction.atomic():
                    getattr(self, stage)()
            self.state["done"].append(stage)
            self.save()
            print(f"  {stage}: {time.perf_counter() - started:.0f} s", flush=True)

    # --- stages --------------------------------------------------------------------------------

    def cast(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from casework.accounts.models import User
        from casework.accounts.tests.factories import TEST_PASSWORD
        from casework.core.roles import Role
        from casework.organisations.models import Organisation, OrganisationKind
        from conftest import CAST_ROLES, make_cast

        cast = make_cast()
        users = {}
        for role in CAST_ROLES[1:]:
            user = cast.by_name(role)
            device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
            users[role] = {"email": user.email, "totp_key": device.key, "id": user.pk}
        clinicians = User.objects.bulk_create(
            User(email=f"load.clinician{n}@nsc.example.nhs.uk", full_name=f"Load Clinician {n}", role=Role.CLINICIAN)
            for n in range(40)
        )
        kinds = [k.value for k in OrganisationKind]
        organisations = Organisation.objects.bulk_create(
            Organisation(name=f"Load Agency {n}", kind=kinds[n % len(kinds)]) for n in range(60)
        )
        self.state["users"] = users
        self.state["password"] = TEST_PASSWORD
        self.state["clinicians"] = [u.pk for u in clinicians]
        self.state["organisations"] = [o.pk for o in organisations]
        self.state["agency_organisation"] = cast.organisation.pk

    def persons(self) -> None:
        from faker import Faker

        from casework.accounts.models import User
        from casework.people.candidates import match_keys_for, with_details
        from casework.people.models import Person, PersonMatchKey

        fake = Faker("en_GB")
        fake.seed_instance(self.rng.randint(0, 10**9))
        coordinator = User.objects.get(pk=self.state["users"]["coordinator"]["id"])
        today = timezone.localdate()
        batch = 5_000
        for start in range(0, self.n_persons, batch):
            rows = []
            for n in range(start, min(start + batch, self.n_persons)):
                person = Person(
                    reference=f"PER-2025-{500_000 + n}",
                    given_name=fake.first_name(),
                    family_name=fake.last_name(),
                    date_of_birth=today - dt.timedelta(days=self.rng.randint(18 * 365, 80 * 365)),
                    sex=self.rng.choice(["male", "female"]),
                    nhs_number=nhs_number(self.rng) if self.rng.random() < 0.6 else "",
                    created_by=coordinator,
                )
                person.refresh_blind_indexes()
                rows.append(person)
            made = Person.objects.bulk_create(rows)
            keys = []
            for person in with_details(Person.objects.filter(pk__in=[p.pk for p in made])):
                keys += [
                    PersonMatchKey(person=person, key_hash=h, from_contact_details=contact)
                    for h, contact in match_keys_for(person).items()
                ]
            PersonMatchKey.objects.bulk_create(keys, batch_size=10_000)
            print(f"    persons: {start + len(made):,}", flush=True)

    def referrals(self) -> None:
        from casework.people.models import Person
        from casework.referrals.models import Referral, RequestedService

        now = timezone.now()
        users = self.state["users"]
        organisations = self.state["organisations"]
        agency = self.state["agency_organisation"]
        total = int(self.n_cases * 1.15)
        subjects = list(Person.objects.order_by("id").values_list("id", "given_name", "family_name")[:total])
        rows = []
        for n in range(total):
            received = now - dt.timedelta(days=self.rng.randint(0, 3 * 365), hours=self.rng.randint(0, 23))
            is_case = n < self.n_cases
            _, given, family = subjects[n]
            rows.append(
                Referral(
                    reference=f"REF-{received.year}-{500_000 + n}",
                    status="allocated" if is_case else self.rng.choice(["received", "declined", "screening"]),
                    received_via=self.rng.choice(["email", "portal", "phone", "post"]),
                    received_at=received,
                    referring_organisation_id=agency if self.rng.random() < 0.03 else self.rng.choice(organisations),
                    referrer_name=LOAD_OFFICER,
                    subject_role="perpetrator" if n % 10 else "victim",
                    subject_given_name=given,
                    subject_family_name=family,
                    behaviour_summary="Repeated unwanted contact after the end of a relationship.",
                    decision="accept" if is_case else self.rng.choice(["decline", "request_information", ""]),
                    decided_at=received + dt.timedelta(days=self.rng.randint(1, 20)),
                    allocated_at=received + dt.timedelta(days=self.rng.randint(21, 40)) if is_case else None,
                    stalking_significant=True,
                    legal_status="charged",
                    created_by_id=users["coordinator"]["id"],
                )
            )
        made = Referral.objects.bulk_create(rows, batch_size=2_000)
        services = ["stalker_assessment", "stalker_treatment", "victim_assessment", "report_sentencing"]
        RequestedService.objects.bulk_create(
            (RequestedService(referral=r, service=self.rng.choice(services)) for r in made), batch_size=5_000
        )

    def cases(self) -> None:
        from casework.cases.models import Case, CaseParty, CaseReferral, CaseTeamMember, StalkingEpisode
        from casework.referrals.models import Referral

        users = self.state["users"]
        coordinator = users["coordinator"]["id"]
        today = timezone.localdate()
        referrals = list(Referral.objects.filter(referrer_name=LOAD_OFFICER).order_by("id")[: self.n_cases])
        total = int(self.n_cases * 1.15)
        rows = []
        for n, referral in enumerate(referrals):
            status = self.rng.choice(["open"] * 5 + ["on_hold", "closed"])
            opened = min(referral.allocated_at.date(), today)
            rows.append(
                Case(
                    reference=f"CASE-{opened.year}-{500_000 + n}",
                    kind="perpetrator" if n % 10 else "victim",
                    status=status,
                    subject_id=self._person_id(n),
                    opened_on=opened,
                    opened_by_id=coordinator,
                    stalker_type=self.rng.choice(["rejected", "resentful", "intimacy_seeking", "predatory"])
                    if n % 10
                    else "",
                    closed_on=today if status == "closed" else None,
                    closure_reason="work_completed" if status == "closed" else "",
                )
            )
        cases = Case.objects.bulk_create(rows, batch_size=2_000)
        now = at(today)
        CaseReferral.objects.bulk_create(
            (
                CaseReferral(case=c, referral=r, opened_case=True, added_at=now, added_by_id=coordinator)
                for c, r in zip(cases, referrals, strict=True)
            ),
            batch_size=5_000,
        )
        # The cast's clinician and other clinician each lead 60 cases; the rest go round the 40.
        leads = [users["clinician"]["id"]] * 60 + [users["other_clinician"]["id"]] * 60
        CaseTeamMember.objects.bulk_create(
            (
                CaseTeamMember(
                    case=c,
                    user_id=leads[n] if n < len(leads) else self.rng.choice(self.state["clinicians"]),
                    role="lead_clinician",
                    added_at=now,
                    added_by_id=coordinator,
                )
                for n, c in enumerate(cases)
            ),
            batch_size=5_000,
        )
        perpetrator = [(n, c) for n, c in enumerate(cases) if c.kind == "perpetrator"]
        parties = CaseParty.objects.bulk_create(
            (
                CaseParty(
                    case=c,
                    person_id=self._person_id(total + n),
                    role="victim",
                    name_as_given="As given by the referrer",
                    added_at=now,
                    added_by_id=coordinator,
                )
                for n, c in perpetrator
            ),
            batch_size=5_000,
        )
        relationships = ["ex_intimate_partner"] * 4 + ["workplace_contact", "stranger", "online_only"]
        StalkingEpisode.objects.bulk_create(
            (
                StalkingEpisode(
                    case_id=p.case_id,
                    victim=p,
                    prior_relationship=self.rng.choice(relationships),
                    updated_at=now,
                    updated_by_id=coordinator,
                )
                for p in parties
            ),
            batch_size=5_000,
        )
        self.state["busy_case"] = cases[1].reference  # led by the cast's clinician, a perpetrator case
        self.state["typical_case"] = cases[2].reference

    def _person_id(self, n: int) -> int:
        from casework.people.models import Person

        if not hasattr(self, "_person_ids"):
            self._person_ids = list(Person.objects.order_by("id").values_list("id", flat=True))
        return self._person_ids[n % len(self._person_ids)]

    def incidents(self) -> None:
        from casework.cases.models import Case, CaseParty, Incident

        users = self.state["users"]
        behaviours = ["following", "loitering", "phone", "text", "email", "social_media", "letters_or_gifts"]
        channels = ["in_person", "phone", "text", "email", "social_media", "post"]
        victims = dict(CaseParty.objects.filter(role="victim").values_list("case_id", "id"))
        cases = list(Case.objects.order_by("id").values_list("id", "reference"))
        batch: list[Incident] = []
        made = 0
        for case_id, reference in cases:
            count = BUSY_INCIDENTS if reference == self.state["busy_case"] else self.rng.randint(40, 150)
            for _ in range(count):
                day = timezone.localdate() - dt.timedelta(days=self.rng.randint(1, 900))
                batch.append(
                    Incident(
                        case_id=case_id,
                        occurred_on=day,
                        behaviour=self.rng.choice(behaviours),
                        channel=self.rng.choice(channels),
                        victim_id=victims.get(case_id),
                        source=self.rng.choice(["victim", "police", "probation"]),
                        severity=self.rng.choice([1, 2, 2, 3, 3, 4, 5]),
                        description="Contact reported by the person stalked; logged by the police.",
                        recorded_by_id=users["coordinator"]["id"],
                        recorded_at=at(day, 15),
                    )
                )
            if len(batch) >= 50_000:
                made += len(Incident.objects.bulk_create(batch, batch_size=10_000))
                batch = []
                print(f"    incidents: {made:,}", flush=True)
        made += len(Incident.objects.bulk_create(batch, batch_size=10_000))
        self.state["incidents"] = made

    def search(self) -> None:
        from django.core.management import call_command

        call_command("reindex_search", verbosity=0)

    def audit(self) -> None:
        """Events written by the audit benchmark's bulk path (benchmarks/audit/run.py ``seed``: COPY,
        hashes by the service's own ``chain.compute_hash``, round robin over the chain's partitions,
        heads moved and sealed), about the seeded cases: ``verify_audit`` proves them.

        Resumable: each batch commits on its own, and the stage counts what the database already
        holds against the number it was asked for (the count before its first batch is recorded), so
        a run cut short seeds only the rest rather than its whole count again on top."""
        from django.db import connection

        spec = importlib.util.spec_from_file_location("audit_bench", ROOT / "benchmarks" / "audit" / "run.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)

        def events_now() -> int:
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM audit_auditevent")
                return int(cursor.fetchone()[0])

        if "audit_base" not in self.state:
            self.state["audit_base"] = events_now()
            self.save()
        target = self.state["audit_base"] + self.audit_events
        batch = 500_000
        while (have := events_now()) < target:
            if have > self.state["audit_base"]:
                print(f"    audit events: {have - self.state['audit_base']:,} there before; going on", flush=True)
            module.seed(min(batch, target - have))
            print(f"    audit events: {min(events_now(), target) - self.state['audit_base']:,}", flush=True)

    def billing(self) -> None:
        """Finance's ledger at scale: a contract for every agency that refers, one tariff per
        service, an approved billable event for each case's assessment (priced from the tariff as the
        service prices them), and one case in ten invoiced in fives through the invoicing services
        themselves (numbered, issued, made available in the portal; a third of them paid)."""
        from decimal import Decimal

        from casework.accounts.models import User
        from casework.billing.choices import BillableService, EventSource, EventStatus, PriceSource, VatTreatment
        from casework.billing.models import BillableEvent, Contract, Tariff
        from casework.billing.services import invoices
        from casework.cases.models import CaseReferral

        finance = User.objects.get(pk=self.state["users"]["finance"]["id"])
        today = timezone.localdate()
        started = today - dt.timedelta(days=4 * 365)
        price = Decimal("1450.00")
        tariff = Tariff.objects.create(
            service=BillableService.ASSESSMENT_COMMUNITY,
            price=price,
            vat_treatment=VatTreatment.EXEMPT,
            effective_from=started,
            created_by=finance,
            updated_by=finance,
        )
        organisations = [self.state["agency_organisation"], *self.state["organisations"]]
        contracts = {
            pk: Contract.objects.create(
                organisation_id=pk,
                reference=f"LOAD-{n:03d}",
                starts_on=started,
                ends_on=today + dt.timedelta(days=365),
                created_by=finance,
                updated_by=finance,
            )
            for n, pk in enumerate(organisations)
        }
        links = CaseReferral.objects.filter(opened_case=True).values_list(
            "case_id", "referral_id", "referral__referring_organisation_id", "case__opened_on"
        )
        events = BillableEvent.objects.bulk_create(
            (
                BillableEvent(
                    source_kind=EventSource.ASSESSMENT,
                    source_id=case_id,
                    case_id=case_id,
                    referral_id=referral_id,
                    organisation_id=organisation_id,
                    contract=contracts[organisation_id],
                    service=BillableService.ASSESSMENT_COMMUNITY,
                    occurred_on=opened_on,
                    price_source=PriceSource.TARIFF,
                    tariff=tariff,
                    unit_price=price,
                    net_amount=price,
                    vat_amount=Decimal("0.00"),
                    status=EventStatus.APPROVED,
                    raised_by=finance,
                    reviewed_by=finance,
                    reviewed_at=timezone.now(),
                )
                for case_id, referral_id, organisation_id, opened_on in links.order_by("case_id")
                if organisation_id in contracts
            ),
            batch_size=5_000,
        )
        by_contract: dict[int, list[int]] = {}
        for event in events[: len(events) // 10]:
            by_contract.setdefault(event.contract_id, []).append(event.pk)
        made = 0
        for contract_id, ids in sorted(by_contract.items()):
            contract = Contract.objects.get(pk=contract_id)
            for start in range(0, len(ids), 5):
                invoice = invoices.invoice_create(contract=contract, event_ids=ids[start : start + 5], by=finance)
                invoice = invoices.invoice_issue(
                    invoice=invoice, by=finance, issued_on=today - dt.timedelta(days=self.rng.randint(0, 120))
                )
                invoice = invoices.invoice_publish(invoice=invoice, by=finance)
                if made % 3 == 0:
                    invoices.payment_record(
                        invoice=invoice, amount=invoice.total, received_on=today, reference="BACS", by=finance
                    )
                made += 1
        self.state["invoices"] = made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("state", type=Path)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--audit-events", type=int, default=None, help="default: 5,000,000 × scale")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    Seeder(args.state, args.scale, args.seed, args.audit_events).run()


if __name__ == "__main__":
    main()
