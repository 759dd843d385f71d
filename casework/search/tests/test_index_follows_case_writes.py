"""Case services keep the search index current: no reindex is needed to find what they wrote."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.cases.choices import Behaviour, Channel, DatePrecision, Source
from casework.cases.services import records
from casework.cases.tests.factories import make_case
from casework.people.services import person_update
from casework.people.tests.factories import create_person
from casework.search.queries import search


def _found(user, words: str) -> set[str]:
    return {result.reference for result in search(user, words).object_list}


def test_an_incident_added_through_the_service_is_found_at_once(cast):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, coordinator=cast.coordinator)
    assert case.reference not in _found(cast.clinician, "Zanzibarcafe")
    records.incident_add(
        case=case,
        by=cast.clinician,
        occurred_on=timezone.localdate() - dt.timedelta(days=3),
        precision=DatePrecision.DAY,
        behaviour=Behaviour.TEXT,
        channel=Channel.TEXT,
        source=Source.VICTIM,
        severity=2,
        description="Waited outside the Zanzibarcafe at closing time.",
    )
    assert case.reference in _found(cast.clinician, "Zanzibarcafe")


def test_a_subjects_new_name_is_found_at_once(cast):
    subject = create_person(by=cast.coordinator, given_name="Orla", family_name="Before")
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, subject=subject, coordinator=cast.coordinator)
    person_update(person=subject, by=cast.coordinator, family_name="Quintavalle")
    assert case.reference in _found(cast.clinical_lead, "Quintavalle")
