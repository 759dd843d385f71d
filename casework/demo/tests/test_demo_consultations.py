"""Demo consultations: every consultation case has the request from the agency that referred it,
one or two meetings with attendees and minutes, advice where the meetings are old enough; advice
letters issued through the reports engine to the asking agency and on the disclosure register; exactly
one consultation became a referral, carrying its history without the minutes; nothing more the
second time."""

from __future__ import annotations

import random

import pytest
from faker import Faker

from casework.cases.choices import CaseKind
from casework.cases.models import Case
from casework.consultations.models import ConsultationMeeting, ConsultationRequest
from casework.core.testing import kept_for_the_module
from casework.demo import consultations as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS
from casework.reports.models import DisclosureEntry, IssuedReport


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
    assert names.index("cases") < names.index("consultations") < names.index("search")


def test_every_consultation_case_has_its_request_and_meetings(seeded):
    cases = list(Case.objects.filter(kind=CaseKind.CONSULTATION))
    assert cases
    for case in cases:
        found = ConsultationRequest.objects.get(case=case)
        assert found.officer_name and found.question and found.received_on <= case.opened_on
        held = list(ConsultationMeeting.objects.filter(case=case))
        assert 1 <= len(held) <= 2
        assert all(m.attendees and m.minutes and m.held_on >= case.opened_on for m in held)
        if found.advice_summary:
            assert found.advice_given_on > max(m.held_on for m in held)
    assert ConsultationRequest.objects.exclude(advice_summary="").exists()
    assert not ConsultationRequest.objects.exclude(case__kind=CaseKind.CONSULTATION).exists()


def test_advice_letters_were_issued_to_the_asking_agency_and_are_on_the_register(seeded):
    letters = list(
        IssuedReport.objects.filter(report__request__report_type="consultation").select_related(
            "report__request__case", "recipient"
        )
    )
    assert len(letters) == demo.LETTERS
    for issued in letters:
        found = ConsultationRequest.objects.get(case=issued.report.request.case)
        assert found.advice_summary and issued.recipient_id == found.agency_id
        assert issued.pdf_sha256 and issued.report.request.status == "issued"
        entry = DisclosureEntry.objects.get(issued_report=issued)
        assert entry.recipient_id == found.agency_id and entry.legal_basis == "referral"


def test_one_consultation_became_a_referral_without_the_minutes(seeded):
    (found,) = ConsultationRequest.objects.filter(became_referral__isnull=False).select_related("became_referral")
    referral = found.became_referral
    assert referral.referring_organisation_id == found.agency_id and referral.referrer_name == found.officer_name
    assert found.case.reference in referral.behaviour_summary and found.advice_summary in referral.behaviour_summary
    minutes = ConsultationMeeting.objects.filter(case=found.case).values_list("minutes", flat=True)
    assert all(text not in referral.behaviour_summary for text in minutes)


def test_seeding_again_adds_nothing(seeded):
    before = (ConsultationRequest.objects.count(), ConsultationMeeting.objects.count())
    demo.seed(DemoContext(faker=Faker("en_GB"), rng=random.Random(1)))
    assert (ConsultationRequest.objects.count(), ConsultationMeeting.objects.count()) == before
