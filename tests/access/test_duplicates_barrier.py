"""The duplicate check, loaded after the person page (ADR 0025), lists only persons the user may
see: never one across an information barrier from their side."""

from __future__ import annotations

from django.urls import reverse

from casework.cases.tests.test_information_barrier import NEW_IDENTITY
from casework.people.tests.factories import create_person


def _duplicates(person) -> str:
    return reverse("people:duplicates", args=[person.reference])


def test_a_person_across_a_barrier_is_never_a_candidate(cast, pair, client_for):
    # A record named like the victim's (her new identity), which the lead on her stalker's team may see.
    lookalike = create_person(
        by=cast.coordinator,
        given_name=NEW_IDENTITY["new_given_name"],
        family_name=NEW_IDENTITY["new_family_name"],
        sex="female",
    )
    behind = client_for(pair.lead_on_team).get(_duplicates(lookalike), {"fragment": "1"})
    assert behind.status_code == 200
    assert pair.victim.reference not in behind.content.decode()
    assert NEW_IDENTITY["new_given_name"] not in behind.content.decode().replace(lookalike.full_name, "")
    # A lead on neither side keeps the person index and is shown the likely duplicate.
    neither = client_for(cast.clinical_lead).get(_duplicates(lookalike), {"fragment": "1"}).content.decode()
    assert pair.victim.reference in neither
