"""The demo treatment enrolments: under each legal basis, on an order of the matching kind, with
the supervising agency and officer; outcome measures; some discharged with follow-ups, one due."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.core.testing import kept_for_the_module
from casework.demo import treatment_enrolment as demo
from casework.demo.context import DemoContext
from casework.treatment.choices import ORDER_KINDS_FOR_BASIS, LegalBasis
from casework.treatment.models import Enrolment, FollowUp, OutcomeMeasure


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations, people, referrals

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(14)
            context = DemoContext(faker=faker, rng=random.Random(14))
            for builder in (organisations, accounts, referrals, people, cases, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_enrolments_under_each_legal_basis_rest_on_an_order_of_the_matching_kind(seeded):
    voluntary = Enrolment.objects.get(legal_basis=LegalBasis.VOLUNTARY)
    assert Enrolment.objects.filter(case=voluntary.case, starts_on__lt=voluntary.starts_on).exclude(status="active")
    enrolments = list(Enrolment.objects.exclude(pk=voluntary.pk).select_related("order", "case", "supervising_agency"))
    assert {e.legal_basis for e in enrolments} >= {
        LegalBasis.COMMUNITY_ORDER,
        LegalBasis.BAIL_CONDITION,
        LegalBasis.LICENCE_CONDITION,
    }
    for enrolment in enrolments:
        assert enrolment.case.kind == "perpetrator"
        assert enrolment.order.case_id == enrolment.case_id
        assert enrolment.order.kind in ORDER_KINDS_FOR_BASIS[LegalBasis(enrolment.legal_basis)]
        assert enrolment.supervising_agency is not None and enrolment.supervising_officer_name
    assert OutcomeMeasure.objects.filter(stage="start").values("enrolment").distinct().count() == len(enrolments)


def test_some_are_discharged_with_follow_ups_one_due_and_one_recorded(seeded):
    today = timezone.localdate()
    discharged = Enrolment.objects.exclude(status="active")
    assert set(discharged.values_list("status", flat=True)) >= {"completed", "disengaged", "breached"}
    assert FollowUp.objects.count() == discharged.count() * 3
    due = FollowUp.objects.filter(done_on__isnull=True, due_on__lte=today + dt.timedelta(days=14))
    assert due.exists()
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    assert Enrolment.objects.filter(status="active").count() >= 3


def test_running_it_again_adds_nothing(seeded):
    before = (Enrolment.objects.count(), FollowUp.objects.count())
    demo.seed(seeded)
    assert (Enrolment.objects.count(), FollowUp.objects.count()) == before
