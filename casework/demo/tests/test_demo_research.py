"""Demo research: two clients opted out, an issued extract in the log (rows, hash, opt-outs left
out), one approved and one waiting; nothing more the second time."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from casework.core.testing import kept_for_the_module
from casework.demo import research as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS
from casework.people.models import Person
from casework.research.models import ExtractStatus, ResearchExtract


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations, people, referrals

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(22)
            context = DemoContext(faker=faker, rng=random.Random(22))
            for builder in (organisations, accounts, referrals, people, cases, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_builder_runs_after_cases_and_before_search():
    names = [name for name, _ in BUILDERS]
    assert names.index("cases") < names.index("research") < names.index("search")


def test_two_people_have_opted_out(seeded):
    opted_out = Person.objects.filter(national_data_opt_out=True)
    assert opted_out.count() == 2
    assert all(p.national_data_opt_out_recorded_by_id for p in opted_out)


def test_the_log_has_an_issued_extract_that_left_the_opt_outs_out(seeded):
    issued = ResearchExtract.objects.get(status=ExtractStatus.ISSUED)
    assert issued.row_count and len(issued.file_sha256) == 64
    assert issued.opted_out_excluded >= 2
    assert ResearchExtract.objects.filter(status=ExtractStatus.APPROVED).count() == 1
    assert ResearchExtract.objects.filter(status=ExtractStatus.REQUESTED).count() == 1


def test_nothing_more_the_second_time(seeded):
    demo.seed(seeded)
    assert ResearchExtract.objects.count() == 3
    assert Person.objects.filter(national_data_opt_out=True).count() == 2
