"""The load benchmark's seeding (benchmarks/load/seed.py, ``make bench-load``) keeps the service's
invariants, so the pages it drives read data as the service itself would have written it; and a
second run resumes rather than seeding again."""

from __future__ import annotations

import importlib.util
import io
import json
from pathlib import Path

import pytest
from django.db import connection

from casework.billing.choices import EventStatus, InvoiceStatus
from casework.billing.models import BillableEvent, Invoice, InvoiceLine
from casework.cases.models import Case
from casework.people.candidates import match_keys_for, with_details
from casework.people.models import Person, PersonMatchKey
from casework.search.models import SearchDocument

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def load_seed_module():
    spec = importlib.util.spec_from_file_location("load_seed", ROOT / "benchmarks" / "load" / "seed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_load_seed_encrypts_indexes_and_resumes(tmp_path):
    seed = load_seed_module()
    state_file = tmp_path / "state.json"
    seed.Seeder(state_file, 0.0001, 1, audit_events=0).run()
    state = json.loads(state_file.read_text())
    assert state["done"] == ["cast", "persons", "referrals", "cases", "incidents", "search", "billing"]

    # Identifiers are encrypted at rest, with the blind index the model computes beside them.
    person = Person.objects.exclude(nhs_number="").first()
    assert person is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nhs_number FROM people_person WHERE id = %s", [person.pk])
        stored = cursor.fetchone()[0]
    assert person.nhs_number not in stored
    expected = Person(nhs_number=person.nhs_number)
    expected.refresh_blind_indexes()
    assert person.nhs_number_bidx == expected.nhs_number_bidx
    # The matching engine's blocking keys are those the service would store.
    stored_keys = set(PersonMatchKey.objects.filter(person=person).values_list("key_hash", flat=True))
    assert stored_keys == set(match_keys_for(with_details(Person.objects.filter(pk=person.pk)).get()))

    # Every case is in the search index, and the busy case has its 1,500 incidents.
    assert SearchDocument.objects.filter(record_type="case").count() == Case.objects.count()
    assert Case.objects.get(reference=state["busy_case"]).incidents.count() == seed.BUSY_INCIDENTS

    # Invoices were made by the invoicing services: numbered in order, each event on one line, priced.
    invoices = list(Invoice.objects.order_by("number"))
    assert len(invoices) == state["invoices"] > 0
    assert all(i.status == InvoiceStatus.ISSUED and i.number.startswith("INV-") and i.pdf for i in invoices)
    assert InvoiceLine.objects.count() == BillableEvent.objects.filter(status=EventStatus.INVOICED).count()
    assert sum(i.total for i in invoices) == sum(line.net_amount for line in InvoiceLine.objects.all())

    # A second run finds every stage done and adds nothing.
    persons = Person.objects.count()
    seed.Seeder(state_file, 0.0001, 1, audit_events=0).run()
    assert Person.objects.count() == persons


def test_a_state_file_seeded_at_another_scale_is_refused(tmp_path):
    seed = load_seed_module()
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps({"scale": 1.0, "done": []}))
    with pytest.raises(SystemExit, match="scale 1.0"):
        seed.Seeder(state_file, 0.5, 1, audit_events=0)


def load_audit_bench_module():
    spec = importlib.util.spec_from_file_location("audit_bench", ROOT / "benchmarks" / "audit" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.django_db(transaction=True)
def test_the_audit_stage_cut_short_seeds_only_the_rest_and_the_chain_verifies(tmp_path, audit_log_flushable):
    if connection.vendor != "postgresql":
        pytest.skip("the audit bulk path writes with PostgreSQL's COPY")
    from django.core.management import call_command

    from casework.audit.models import AuditEvent
    from casework.audit.services import record

    record(action="view", object_type="cases.case", object_id="1", object_label="NSC-2026-00001")
    seed = load_seed_module()
    state_file = tmp_path / "state.json"
    seeder = seed.Seeder(state_file, 0.0001, 1, audit_events=30)
    seeder.state["audit_base"] = AuditEvent.objects.count()  # as the first run records it
    seeder.save()
    # The first run committed one batch of 12 and was stopped.
    load_audit_bench_module().seed(12)
    # An event the site appended meanwhile (a page viewed while seeding) counts towards the total.
    record(action="view", object_type="cases.case", object_id="2", object_label="NSC-2026-00002")

    seed.Seeder(state_file, 0.0001, 1, audit_events=30).audit()

    assert AuditEvent.objects.count() == 1 + 30
    call_command("verify_audit", stdout=io.StringIO())
