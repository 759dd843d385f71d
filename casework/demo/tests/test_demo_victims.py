"""Demo safety plans: every open victim case has a plan agreed after it opened, naming the officers
of its own agencies and never allowing the clinic's name; older cases have a second version; every
message agrees with the plan it was sent under (channel, and for a text the agreed days and hours);
nothing more the second time."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case
from casework.core.testing import kept_for_the_module
from casework.demo import victims as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS
from casework.victims import contact
from casework.victims.models import SafetyPlanVersion, VictimMessage


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations, people, referrals

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(15)
            context = DemoContext(faker=faker, rng=random.Random(15))
            for builder in (organisations, accounts, referrals, people, cases, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_builder_runs_before_search():
    names = [name for name, _ in BUILDERS]
    assert names.index("victims") < names.index("search")


def test_every_open_victim_case_has_a_plan_agreed_after_it_opened(seeded):
    cases = list(Case.objects.filter(kind=CaseKind.VICTIM, status=CaseStatus.OPEN))
    assert cases
    for case in cases:
        versions = list(SafetyPlanVersion.objects.filter(case=case).order_by("number"))
        assert versions and versions[0].agreed_on >= case.opened_on
        assert all(not v.may_name_clinic for v in versions)
        assert [v.number for v in versions] == list(range(1, len(versions) + 1))
        assert all(v.review_on > v.agreed_on for v in versions)
    assert SafetyPlanVersion.objects.filter(number=2).exists()
    assert not SafetyPlanVersion.objects.exclude(case__kind=CaseKind.VICTIM).exists()


def test_every_message_agrees_with_the_plan_it_was_sent_under(seeded):
    messages = list(VictimMessage.objects.select_related("plan"))
    assert {m.channel for m in messages} == {"letter", "sms"}
    for message in messages:
        assert contact.refusal(message.plan, channel=message.channel, text=message.text, at=message.sent_at) is None
        assert message.sent_at.date() <= timezone.localdate()
        assert timezone.localtime(message.sent_at).date() >= message.plan.agreed_on


def test_seeding_again_adds_nothing(seeded):
    before = (SafetyPlanVersion.objects.count(), VictimMessage.objects.count())
    demo.seed(DemoContext(faker=Faker("en_GB"), rng=random.Random(1)))
    assert (SafetyPlanVersion.objects.count(), VictimMessage.objects.count()) == before
