"""Factories for cases. Cases are opened through the service (so the team, parties, audit and
barrier behave as in life); incidents, orders and the rest are made directly for speed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.cases.choices import Behaviour, CaseKind, Channel, DatePrecision, OrderKind, Source
from casework.cases.models import Hearing, Incident, LegalOrder
from casework.cases.services.opening import case_open
from casework.core.roles import Role
from casework.people import services as people_services
from casework.people.tests.factories import create_person
from casework.referrals.choices import PartyRole, Status, SubjectRole
from casework.referrals.tests.factories import ReferralFactory


def ready_referral(
    *,
    subject=None,
    lead_clinician=None,
    second_assessor=None,
    victims=(),
    others=(),
    subject_role: str = SubjectRole.PERPETRATOR,
    status: str = Status.ALLOCATED,
    coordinator=None,
    **fields,
):
    """An accepted or allocated referral whose subject is linked to ``subject`` (made if not given)
    and whose named parties are linked to the persons given: ``victims`` and ``others`` are lists
    of (person, name as given, relationship)."""
    coordinator = coordinator or UserFactory(role=Role.REFERRALS_COORDINATOR)
    subject = subject or create_person(by=coordinator, given_name="Sam", family_name="Subject")
    parties = [{"role": PartyRole.VICTIM, "name": name, "relationship_to_subject": rel} for _, name, rel in victims]
    parties += [
        {"role": PartyRole.FAMILY_MEMBER, "name": name, "relationship_to_subject": rel} for _, name, rel in others
    ]
    referral = ReferralFactory(
        status=status,
        subject_role=subject_role,
        lead_clinician=lead_clinician,
        second_assessor=second_assessor,
        subject_given_name=subject.given_name,
        subject_family_name=subject.family_name,
        parties=parties,
        **fields,
    )
    people_services.referral_link(referral=referral, named_party=None, person=subject, by=coordinator)
    named = list(referral.named_parties.order_by("id"))
    for party, (person, _, _) in zip(named, [*victims, *others], strict=True):
        people_services.referral_link(referral=referral, named_party=party, person=person, by=coordinator)
    return referral


def make_case(*, lead, by, kind: str = CaseKind.PERPETRATOR, referral=None, **referral_fields):
    """A case opened by ``by`` (a clinical lead) with ``lead`` as lead clinician."""
    referral = referral or ready_referral(lead_clinician=lead, **referral_fields)
    return case_open(referral=referral, kind=kind, lead_clinician=lead, by=by)


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident
        skip_postgeneration_save = True

    occurred_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    precision = DatePrecision.DAY
    behaviour = Behaviour.TEXT
    channel = Channel.TEXT
    source = Source.VICTIM
    severity = 2
    description = "Sent twelve messages in an hour asking to meet."
    recorded_by = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    recorded_at = factory.LazyFunction(timezone.now)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalOrder
        skip_postgeneration_save = True

    kind = OrderKind.RESTRAINING
    issued_by = "Northshire Magistrates' Court"
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=60))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=300))
    no_contact = True
    recorded_by = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    recorded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def protects(self, create, extracted, **kwargs):
        if create and extracted:
            self.protects.set(extracted)


class HearingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hearing

    kind = "sentencing"
    hearing_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=10))
    venue = "Westvale Crown Court"
    recorded_by = factory.SubFactory(UserFactory, role=Role.REFERRALS_COORDINATOR)
    recorded_at = factory.LazyFunction(timezone.now)


@dataclass
class BarrierPair:
    vera_referral: Any
    vera_case: Any
    stan_referral: Any
    stan_case: Any
    victim_clinician: Any  # Vera's lead clinician (on no team of Stan's)


def barrier_pair(cast) -> BarrierPair:
    """Vera's victim case and Stan's perpetrator case (she is his victim), each opened from a
    referral of ``cast.organisation``: an information barrier stands between them. Who sent which
    referral (and so which side an agency account is on) is the caller's to set."""
    from casework.accounts.tests.factories import TrainingRecordFactory

    victim_clinician = UserFactory(role=Role.CLINICIAN)
    TrainingRecordFactory(user=victim_clinician)
    stan = create_person(by=cast.coordinator, given_name="Stan", family_name="Farside", sex="male")
    vera = create_person(by=cast.coordinator, given_name="Vera", family_name="Farside", sex="female")
    vera_referral = ready_referral(
        subject=vera,
        lead_clinician=victim_clinician,
        coordinator=cast.coordinator,
        subject_role=SubjectRole.VICTIM,
        referring_organisation=cast.organisation,
    )
    vera_case = case_open(
        referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=victim_clinician, by=cast.clinical_lead
    )
    stan_referral = ready_referral(
        subject=stan,
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        referring_organisation=cast.organisation,
        victims=[(vera, "Vee", "Former partner")],
    )
    stan_case = case_open(
        referral=stan_referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=cast.clinical_lead
    )
    return BarrierPair(vera_referral, vera_case, stan_referral, stan_case, victim_clinician)
