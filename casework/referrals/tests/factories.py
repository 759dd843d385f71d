"""Factories for referrals, shared by the staff and portal tests.

``ReferralFactory`` makes a submitted referral (status received, with a reference) from the
given organisation; pass ``services=[...]`` and ``parties=[{...}]`` to add requested services
and named parties. ``DraftReferralFactory`` makes a portal draft (no reference).
"""

from __future__ import annotations

import datetime as dt
import hashlib

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.core.roles import Role
from casework.referrals.choices import (
    Channel,
    DocumentKind,
    LegalStatus,
    Offence,
    PartyRole,
    Service,
    Setting,
    Status,
    SubjectRole,
)
from casework.referrals.models import Letter, NamedParty, Referral, ReferralDocument, RequestedService, Transition


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Referral
        skip_postgeneration_save = True

    reference = factory.Sequence(lambda n: f"REF-2026-{n + 90000:05d}")
    status = Status.RECEIVED
    received_via = Channel.EMAIL
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=3))
    referring_organisation = factory.SubFactory(OrganisationFactory)
    referrer_name = "DC Jo Example"
    referrer_job_title = "Detective Constable"
    referrer_email = "jo.example@police.example.org"
    referrer_phone = "01632 960000"
    subject_role = SubjectRole.PERPETRATOR
    subject_given_name = factory.Faker("first_name", locale="en_GB")
    subject_family_name = factory.Faker("last_name", locale="en_GB")
    subject_date_of_birth = dt.date(1985, 4, 12)
    behaviour_summary = "Repeated unwanted messages and following after the end of a relationship."
    behaviour_duration = "8 months"
    stalking_significant = True
    legal_status = LegalStatus.CHARGED
    offences = factory.LazyFunction(lambda: [Offence.PHA_S2A.value])
    orders_in_force = factory.LazyFunction(list)
    assessment_setting = Setting.COMMUNITY
    created_by = factory.SubFactory(UserFactory, role=Role.REFERRALS_COORDINATOR)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if not create:
            return
        chosen = [Service.STALKER_ASSESSMENT] if extracted is None else extracted
        RequestedService.objects.bulk_create(RequestedService(referral=self, service=s) for s in chosen)

    @factory.post_generation
    def parties(self, create, extracted, **kwargs):
        if not create or not extracted:
            return
        NamedParty.objects.bulk_create(NamedParty(referral=self, **p) for p in extracted)


class DraftReferralFactory(ReferralFactory):
    reference = ""
    status = Status.DRAFT
    received_via = Channel.PORTAL
    received_at = None


class NamedPartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NamedParty

    referral = factory.SubFactory(ReferralFactory)
    role = PartyRole.VICTIM
    name = factory.Faker("name", locale="en_GB")
    relationship_to_subject = "Former partner"


class TransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Transition

    referral = factory.SubFactory(ReferralFactory)
    from_status = Status.RECEIVED
    to_status = Status.SCREENING
    by = factory.SubFactory(UserFactory, role=Role.REFERRALS_COORDINATOR)
    at = factory.LazyFunction(timezone.now)


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ReferralDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferralDocument
        exclude = ("content",)

    content = PDF_BYTES
    referral = factory.SubFactory(ReferralFactory)
    kind = DocumentKind.LETTER_OF_INSTRUCTION
    original_name = "instruction.pdf"
    content_type = "application/pdf"
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="upload"))
    uploaded_by = factory.SubFactory(UserFactory, role=Role.REFERRALS_COORDINATOR)


class LetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Letter

    referral = factory.SubFactory(ReferralFactory)
    kind = Letter.Kind.INFORMATION_REQUEST
    body_html = "<p>Please send the police summary.</p>"
    issued_by = factory.SubFactory(UserFactory, role=Role.REFERRALS_COORDINATOR)
    issued_at = factory.LazyFunction(timezone.now)
