"""Factories for the person index. Synthetic values only: NHS numbers from the 999 test range,
telephone numbers from Ofcom's drama ranges, example.org email addresses."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.people import services
from casework.people.models import CareTeamRole, Person, PersonCareTeam

# Valid under Modulus 11 (checked in test_identifiers).
NHS_NUMBERS = ["9434765919", "6541003238", "9990000018", "9990000026", "9990000034"]


def create_person(*, by=None, is_sealed: bool = False, **fields) -> Person:
    """A person made through the service (so blind indexes and match keys exist)."""
    by = by or UserFactory(role=Role.REFERRALS_COORDINATOR)
    defaults = {"given_name": "Jo", "family_name": "Bloggs", "date_of_birth": dt.date(1985, 4, 12), "sex": "female"}
    defaults.update(fields)
    return services.person_create(by=by, is_sealed=is_sealed, **defaults)


class CareTeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonCareTeam

    user = factory.SubFactory(UserFactory, role=Role.CLINICIAN)
    role = CareTeamRole.CLINICIAN
    added_at = factory.LazyFunction(timezone.now)
    added_by = factory.SubFactory(UserFactory, role=Role.CLINICAL_LEAD)
