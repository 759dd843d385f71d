"""Demo billing: contracts for most agencies (one ending within 60 days), a price for every
service, quotes in each state, older quotes at the old price; nothing more the second time."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from faker import Faker

from casework.billing.choices import BillableService, QuoteStatus
from casework.billing.models import Contract, Quote, QuoteLine, Tariff
from casework.billing.queries import contracts_ending_soon
from casework.core.testing import kept_for_the_module
from casework.demo import billing as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS
from casework.organisations.models import Organisation


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, organisations, referrals

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(16)
            context = DemoContext(faker=faker, rng=random.Random(16))
            for builder in (organisations, accounts, referrals, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_builder_runs_after_referrals_and_before_search():
    names = [name for name, _ in BUILDERS]
    assert names.index("referrals") < names.index("billing") < names.index("search")


def test_most_agencies_have_a_contract_and_one_ends_soon(seeded):
    from django.utils import timezone

    from casework.accounts.models import User
    from casework.core.roles import Role

    agencies = Organisation.objects.filter(is_active=True).count()
    assert Contract.objects.count() > agencies / 2
    finance = User.objects.get(role=Role.FINANCE_OFFICER)
    assert contracts_ending_soon(finance, timezone.localdate()).exists()


def test_every_service_has_a_price(seeded):
    assert set(Tariff.objects.values_list("service", flat=True)) == set(BillableService.values)


def test_there_are_quotes_in_each_state(seeded):
    states = set(Quote.objects.values_list("status", flat=True))
    assert states == set(QuoteStatus.values)
    assert all(q.purchase_order for q in Quote.objects.filter(status=QuoteStatus.ACCEPTED))
    assert all(q.rejection_reason for q in Quote.objects.filter(status=QuoteStatus.REJECTED))


def test_quote_totals_add_up(seeded):
    for quote in Quote.objects.prefetch_related("lines"):
        assert quote.total == sum((line.amount for line in quote.lines.all()), Decimal("0.00"))


def test_older_quotes_keep_the_old_price(seeded):
    prices = set(
        QuoteLine.objects.filter(service=BillableService.ASSESSMENT_COMMUNITY).values_list("unit_price", flat=True)
    )
    assert prices  # the demo quotes community assessments at one price or the other
    assert prices <= {Decimal("1295.00"), Decimal("1350.00")}


def test_nothing_more_the_second_time(seeded):
    before = (Contract.objects.count(), Quote.objects.count(), Tariff.objects.count())
    demo.seed(DemoContext(faker=Faker("en_GB"), rng=random.Random(1)))
    assert (Contract.objects.count(), Quote.objects.count(), Tariff.objects.count()) == before
