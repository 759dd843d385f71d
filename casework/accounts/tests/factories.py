from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User
from casework.core.roles import Instrument, Profession, Role
from casework.organisations.models import Organisation, OrganisationKind

TEST_PASSWORD = "correct horse battery staple 42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Test Constabulary {n}")
    kind = OrganisationKind.POLICE_FORCE
    ods_code = factory.Sequence(lambda n: f"T{n:04d}")
    email = factory.Sequence(lambda n: f"referrals{n}@police.example.org")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@nsc.example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    role = Role.CLINICIAN
    profession = factory.LazyAttribute(
        lambda o: Profession.PSYCHOLOGIST if o.role in (Role.CLINICIAN, Role.CLINICAL_LEAD) else ""
    )
    organisation = factory.LazyAttribute(lambda o: OrganisationFactory() if o.role == Role.AGENCY_REFERRER else None)

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or TEST_PASSWORD)
        if create:
            self.save(update_fields=["password"])


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    user = factory.SubFactory(UserFactory)
    instrument = Instrument.SRP
    trained_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365 * 2))
