"""A small world for the case tests.

``world.case`` is a perpetrator case opened by ``cast.clinical_lead`` with ``cast.clinician`` as
lead clinician; its subject is ``world.subject`` and its victim ``world.victim`` (named in the
referral as "Vicky Named"). ``cast.other_clinician`` is on no team.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from casework.cases.tests.factories import make_case, ready_referral
from casework.people.tests.factories import create_person


@pytest.fixture(autouse=True)
def documents_in_tmp(settings, tmp_path):
    """Uploaded documents go to a temporary directory, never to var/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "documents")},
        },
    }
    return tmp_path / "documents"


@dataclass
class World:
    case: object
    referral: object
    subject: object
    victim: object

    @property
    def victim_party(self):
        return self.case.parties.get(person=self.victim)


@pytest.fixture
def world(cast) -> World:
    subject = create_person(by=cast.coordinator, given_name="Stan", family_name="Perpetrator")
    victim = create_person(by=cast.coordinator, given_name="Victoria", family_name="Recordname", sex="female")
    referral = ready_referral(
        subject=subject,
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        victims=[(victim, "Vicky Named", "Former partner")],
    )
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    return World(case=case, referral=referral, subject=subject, victim=victim)
