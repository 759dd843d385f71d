"""Demo invoicing: the events the demo's clinical work raised are priced and reviewed, and invoices
are issued: paid, part-paid, overdue, outstanding, one with a credit note; nothing more the second
time."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.billing.choices import EventStatus, PaymentState
from casework.billing.models import BillableEvent, CreditNote, Invoice
from casework.core.testing import kept_for_the_module
from casework.demo import billing as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import (
        accounts,
        assessments,
        cases,
        organisations,
        people,
        referrals,
        treatment_diary,
        treatment_enrolment,
    )

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(16)
            context = DemoContext(faker=faker, rng=random.Random(16))
            for builder in (
                organisations,
                accounts,
                referrals,
                people,
                cases,
                assessments,
                treatment_enrolment,
                treatment_diary,
            ):
                builder.seed(context)
            demo.seed(context)
            demo.seed_invoices(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_invoices_builder_runs_after_billing_and_the_clinical_work():
    names = [name for name, _ in BUILDERS]
    assert names.index("treatment_diary") < names.index("billing") < names.index("billing_invoices")
    assert names.index("billing_invoices") < names.index("search")


def test_completed_work_raised_events_and_finance_reviewed_them(seeded):
    statuses = set(BillableEvent.objects.values_list("status", flat=True))
    assert {EventStatus.INVOICED, EventStatus.WRITTEN_OFF} <= statuses


def test_invoices_are_paid_part_paid_and_overdue_with_a_credit_note(seeded):
    today = timezone.localdate()
    states = {invoice.payment_state(today) for invoice in Invoice.objects.all()}
    assert {PaymentState.PAID, PaymentState.PART_PAID, PaymentState.OVERDUE} <= states
    assert CreditNote.objects.exists()
    assert all(invoice.number.startswith("INV-") for invoice in Invoice.objects.all())


def test_nothing_more_the_second_time(seeded):
    before = (Invoice.objects.count(), BillableEvent.objects.count())
    demo.seed_invoices(DemoContext(faker=Faker("en_GB"), rng=random.Random(1)))
    assert (Invoice.objects.count(), BillableEvent.objects.count()) == before
