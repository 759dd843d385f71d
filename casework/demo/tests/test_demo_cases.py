"""The demo cases: about 100, realistic proportions, a barrier pair, idempotent."""

from __future__ import annotations

import random

import pytest
from django.db import models
from django.utils import timezone
from faker import Faker

from casework.access.barrier import cases_across_barrier_from
from casework.cases.choices import CaseKind, Relationship
from casework.cases.models import Case, Incident, LegalOrder, StalkingEpisode
from casework.core.testing import kept_for_the_module
from casework.demo import cases as demo
from casework.demo.context import DemoContext
from casework.demo.tests.conftest import private_copy


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts as accounts_demo
    from casework.demo import case_notes as case_notes_demo
    from casework.demo import organisations as organisations_demo

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(7)
            context = DemoContext(faker=faker, rng=random.Random(7))
            organisations_demo.seed(context)
            accounts_demo.seed(context)
            demo.seed(context)
            case_notes_demo.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return private_copy(seeded_once)


def test_the_demo_makes_about_a_hundred_cases_with_realistic_proportions(seeded):
    cases = Case.objects.count()
    assert 95 <= cases <= 100
    episodes = list(StalkingEpisode.objects.values_list("prior_relationship", flat=True))
    share = {r: episodes.count(r) / len(episodes) for r in Relationship}
    assert 0.18 <= share[Relationship.EX_INTIMATE_PARTNER] <= 0.42
    assert 0.12 <= share[Relationship.PROFESSIONAL_CONTACT] <= 0.34
    assert 0.04 <= share[Relationship.WORKPLACE_CONTACT] <= 0.2
    assert 0.06 <= share[Relationship.STRANGER] <= 0.24
    with_threats = Case.objects.filter(incidents__behaviour="threats").distinct().count() / cases
    with_violence = Case.objects.filter(incidents__behaviour="violence").distinct().count() / cases
    assert 0.45 <= with_threats <= 0.75
    assert 0.2 <= with_violence <= 0.5
    assert Incident.objects.count() > cases * 5
    assert LegalOrder.objects.exists()
    assert Case.objects.filter(mappa__isnull=False).exists()
    assert Case.objects.filter(status="closed").exists() and Case.objects.filter(status="on_hold").exists()


def test_some_demo_cases_are_escalating(seeded):
    from casework.cases import escalation, queries
    from casework.cases.views.detail import as_of

    flagged = 0
    for case in Case.objects.all():
        points = escalation.points_from(queries.incident_points(case))
        spans = escalation.order_spans(queries.orders_of(case))
        flagged += escalation.assess(points, spans, as_of(case)).escalating
    assert 5 <= flagged <= 60


def test_a_victim_and_the_person_stalking_her_are_both_clients_with_different_clinicians(seeded):
    victim_case = (
        Case.objects.filter(kind=CaseKind.VICTIM)
        .filter(
            pk__in=cases_across_barrier_from(Case.objects.filter(kind=CaseKind.PERPETRATOR).values("pk")).values("pk")
        )
        .first()
    )
    assert victim_case is not None
    other_side = cases_across_barrier_from([victim_case.pk]).get()
    assert not set(victim_case.team.values_list("user_id", flat=True)) & set(
        other_side.team.values_list("user_id", flat=True)
    )
    victim_case.subject.refresh_from_db()
    assert victim_case.subject.is_sealed


def test_the_demo_is_idempotent(seeded):
    before = (Case.objects.count(), Incident.objects.count())
    demo.seed(seeded)
    assert (Case.objects.count(), Incident.objects.count()) == before


def test_the_demo_story_agrees_with_itself(seeded):
    """Issue 11.9: a community order "issued by the Parole Board", a suspended sentence on a
    consultation case for someone not convicted. Every order fits the legal position of the person
    who stalks and comes from the body that makes it; every hearing fits too; a parole hearing
    only where there are licence conditions."""
    from casework.cases.choices import HearingKind, OrderKind
    from casework.cases.models import Hearing

    wrong = []
    for order in LegalOrder.objects.select_related("case"):
        status = demo.legal_status_of(order.case)
        if order.kind not in demo.ORDERS_BY_STATUS[status]:
            wrong.append(f"{order.case.reference}: {order.kind} for someone {status}")
        # (An order carried from a referral has no issuer until someone records it.)
        if order.issued_by and order.issued_by not in demo.issuers_of(order.kind, status):
            wrong.append(f"{order.case.reference}: {order.kind} issued by {order.issued_by}")
        if order.case.kind == CaseKind.VICTIM and order.kind not in demo.PROTECTIVE_ORDERS:
            wrong.append(f"{order.case.reference}: a victim case holding a {order.kind}")
    for hearing in Hearing.objects.select_related("case"):
        status = demo.legal_status_of(hearing.case)
        allowed = set(demo.HEARINGS_BY_STATUS[status])
        if hearing.case.orders.filter(kind=OrderKind.LICENCE_CONDITIONS).exists():
            allowed.add(HearingKind.PAROLE)
        if hearing.kind not in allowed or (hearing.venue and hearing.venue not in demo.VENUES[hearing.kind]):
            wrong.append(f"{hearing.case.reference}: a {hearing.kind} hearing at {hearing.venue} for someone {status}")
    assert LegalOrder.objects.exists()
    assert wrong == []


def test_every_demo_case_has_notes_some_significant_some_with_addenda(seeded):
    from casework.cases.models import CaseNote, CaseNoteAddendum

    assert not Case.objects.filter(notes__isnull=True).exists()
    notes = CaseNote.objects.count()
    assert notes >= Case.objects.count() * 3
    assert 0.05 <= CaseNote.objects.filter(significant=True).count() / notes <= 0.3
    assert CaseNoteAddendum.objects.exists()
    # Written by the case's own team, on or after the contact, long past the grace period.
    for note in CaseNote.objects.select_related("case")[:200]:
        assert note.case.team.filter(user_id=note.author_id).exists()
        assert note.created_at.date() >= note.contact_on
    assert CaseNote.objects.filter(editable_until__lt=timezone.now()).count() > notes * 0.9
    assert not CaseNote.objects.filter(contact_on__lt=models.F("case__opened_on")).exists()
    assert not CaseNote.objects.filter(contact_on__gt=timezone.localdate()).exists()


def test_the_demo_notes_are_added_once(seeded):
    from casework.cases.models import CaseNote
    from casework.demo import case_notes as case_notes_demo

    before = CaseNote.objects.count()
    case_notes_demo.seed(seeded)
    assert CaseNote.objects.count() == before
