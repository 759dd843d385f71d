"""The demo assessments: made through the services at believable dates, signatures that hold, a
stalker type that agrees with the case's prior relationship and with the case, reassessments whose
judgements moved, plans with overdue actions, and a typology close to the published mix."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.assessments import services
from casework.assessments.choices import AssessmentStatus
from casework.assessments.models import Assessment, PlanAction
from casework.cases.choices import Relationship, StalkerType
from casework.cases.models import StalkingEpisode
from casework.core.testing import kept_for_the_module
from casework.demo import assessments as demo
from casework.demo.context import DemoContext


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(11)
            context = DemoContext(faker=faker, rng=random.Random(11))
            for builder in (organisations, accounts, cases, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_most_perpetrator_cases_are_assessed_and_most_assessments_signed(seeded):
    by_status = {
        s: Assessment.objects.filter(status=s, definition__code="srp-structured").count()
        for s in AssessmentStatus.values
    }
    assert by_status[AssessmentStatus.SIGNED] >= 20
    assert by_status[AssessmentStatus.DRAFT] >= 3
    assert Assessment.objects.filter(definition__code="s-dash").exists()


def test_every_signed_assessment_still_matches_its_signature(seeded):
    for assessment in Assessment.objects.filter(status=AssessmentStatus.SIGNED):
        assert services.signature_holds(assessment), assessment.pk
        assert assessment.signed_by_id != assessment.assessor_id


def test_the_stalker_type_agrees_with_the_relationship_and_the_case(seeded):
    signed = Assessment.objects.filter(status=AssessmentStatus.SIGNED, definition__code="srp-structured")
    for assessment in signed.select_related("case"):
        stalker_type = assessment.answers["stalker_type"]["value"]
        episode = StalkingEpisode.objects.filter(case=assessment.case).order_by("id").first()
        if episode and episode.prior_relationship == Relationship.EX_INTIMATE_PARTNER:
            assert stalker_type == StalkerType.REJECTED
        if stalker_type == StalkerType.PREDATORY:
            assert episode is None or episode.prior_relationship == Relationship.STRANGER
        latest = signed.filter(case=assessment.case).order_by("-signed_at").first()
        assert assessment.case.stalker_type == latest.answers["stalker_type"]["value"]


def test_reassessments_are_later_and_some_judgements_move(seeded):
    reassessed = Assessment.objects.filter(previous__isnull=False, status=AssessmentStatus.SIGNED)
    assert reassessed.exists()
    moved = 0
    for second in reassessed:
        assert second.signed_at > second.previous.signed_at
        before = dict(second.previous.judgements.values_list("outcome", "level"))
        moved += sum(
            1 for outcome, level in second.judgements.values_list("outcome", "level") if before[outcome] != level
        )
    assert moved > 0


def test_plans_have_actions_and_some_are_overdue(seeded):
    assert PlanAction.objects.filter(status="planned", due_on__lt=timezone.localdate()).exists()
    assert PlanAction.objects.filter(due_on__gte=timezone.localdate()).exists()


def test_the_typology_is_close_to_the_published_mix(seeded):
    signed = [
        a.answers["stalker_type"]["value"]
        for a in Assessment.objects.filter(
            status=AssessmentStatus.SIGNED, definition__code="srp-structured", previous__isnull=True
        )
    ]
    share = {t: signed.count(t) / len(signed) for t in StalkerType.values}
    # Mullen et al. 1999: rejected 36%, intimacy-seeking 34%, incompetent 15%, resentful 11%, predatory 4%.
    assert 0.15 <= share[StalkerType.REJECTED] <= 0.55
    assert 0.15 <= share[StalkerType.INTIMACY_SEEKING] <= 0.55
    assert share[StalkerType.PREDATORY] <= 0.15


def test_a_victim_case_has_a_signed_needs_and_safety_assessment_that_follows_its_story(seeded):
    from casework.cases.choices import CaseKind
    from casework.cases.models import Incident

    needs = Assessment.objects.filter(definition__code="victim-needs-safety").select_related("case")
    assert needs.count() == 1
    assessment = needs.get()
    assert assessment.case.kind == CaseKind.VICTIM and assessment.is_signed
    assert services.signature_holds(assessment) and assessment.signed_by_id != assessment.assessor_id
    assert assessment.review_due_on and assessment.review_due_on > timezone.localdate()
    screen = Assessment.objects.get(case=assessment.case, definition__code="s-dash")
    assert screen.created_at < assessment.created_at
    day = timezone.localtime(assessment.created_at).date()
    seen = set(
        Incident.objects.filter(case=assessment.case, occurred_on__lte=day).values_list("behaviour", flat=True)
    ) | set(StalkingEpisode.objects.filter(case=assessment.case).first().behaviours)
    assert (assessment.answers["threats_made"]["value"] == "yes") == ("threats" in seen)
    assert (assessment.answers["following"]["value"] == "yes") == ("following" in seen)
    danger = assessment.judgements.get(outcome="current_danger").level
    assert danger in ("low", "moderate", "high")
    if seen & {"violence", "sexual_violence"}:
        assert danger == "high"
    assert not Assessment.objects.filter(case__kind=CaseKind.VICTIM, definition__code="srp-structured").exists()


def test_the_demo_assessments_are_idempotent(seeded):
    count = Assessment.objects.count()
    demo.seed(seeded)
    assert Assessment.objects.count() == count
