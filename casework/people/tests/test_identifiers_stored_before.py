"""Persons stored before issue 10 (one identifiers module, jellyfish NYSIIS) are still found.

The blind indexes are keyed hashes of the canonical forms in ``casework.core.identifiers``: those
forms did not change, which the literal values below pin (a change would need
``rotate_keys --reindex`` and a release note). The matching keys did change (NYSIIS codes from
jellyfish, telephone numbers in E.164): a person keeps being found by identifier with the old keys,
and ``rotate_keys --reindex`` rebuilds them.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from casework.people import candidates, crypto, services
from casework.people.matching.normalise import PersonRecord
from casework.people.models import (
    BIDX_EMAIL,
    BIDX_NHS,
    BIDX_PHONE,
    BIDX_PNC,
    BIDX_POSTCODE,
    BIDX_PRISON,
    PersonAddress,
    PersonEmail,
    PersonMatchKey,
    PersonPhone,
)
from casework.people.queries import persons_search, persons_visible_to
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def wolstenholme(cast):
    person = create_person(
        by=cast.coordinator,
        given_name="Christopher",
        family_name="Wolstenholme",
        date_of_birth="1971-05-04",
        nhs_number="943 476 5919",
        pnc_id="2001/171310W",
        prison_number="a1234bc",
    )
    services.detail_add(
        person=person, model=PersonAddress, by=cast.coordinator, address="4 Mill Lane, York", postcode="yo17hh"
    )
    services.detail_add(person=person, model=PersonPhone, by=cast.coordinator, number="020 7946 0123")
    services.detail_add(person=person, model=PersonEmail, by=cast.coordinator, address="C.Wolstenholme@Example.org")
    return person


def test_blind_indexes_are_computed_over_the_same_canonical_forms_as_before(wolstenholme):
    person = wolstenholme
    address, phone, email = person.addresses.get(), person.phones.get(), person.emails.get()
    assert person.nhs_number_bidx == crypto.blind_index(BIDX_NHS, "9434765919")
    assert person.pnc_id_bidx == crypto.blind_index(BIDX_PNC, "01/0171310W")
    assert person.prison_number_bidx == crypto.blind_index(BIDX_PRISON, "A1234BC")
    assert address.postcode_bidx == crypto.blind_index(BIDX_POSTCODE, "YO1 7HH")
    assert phone.number_bidx == crypto.blind_index(BIDX_PHONE, "+442079460123")
    assert email.address_bidx == crypto.blind_index(BIDX_EMAIL, "c.wolstenholme@example.org")
    out = StringIO()
    call_command("rotate_keys", "--reindex", stdout=out)
    assert "Done: 0 rows had new blind indexes" in out.getvalue()


def _old_match_keys(person) -> None:
    """The person's matching keys as the code before issue 10 wrote them: the hand-written NYSIIS
    cut codes at 8 letters, and telephone numbers were national digits."""
    old = {
        "n:9434765919",
        "p:01/0171310W",
        "o:A1234BC",
        "pc:YO17HH",
        "d:19710405",
        "e:c.wolstenholme@example.org",
        "t:02079460123",
        "fy:WALSTANA:1971",
        "fg:WALSTANA:christopher",
    }
    PersonMatchKey.objects.filter(person=person).delete()
    PersonMatchKey.objects.bulk_create(
        PersonMatchKey(
            person=person,
            key_hash=crypto.blind_index(candidates.BIDX_MATCH_KEY, key),
            from_contact_details=key[:2] in ("pc", "e:", "t:"),
        )
        for key in old
    )


def test_a_person_stored_before_is_found_by_identifier_and_rotate_keys_reindex_rebuilds_the_match_keys(
    cast, wolstenholme
):
    person = wolstenholme
    _old_match_keys(person)
    scope = persons_visible_to(cast.coordinator)
    # Identifier searches go through the blind indexes, which did not change.
    for typed in ("9434765919", "01/0171310W", "A1234BC", "020 7946 0123", "c.wolstenholme@example.org"):
        assert list(persons_search(cast.coordinator, scope, typed)) == [person], typed
    # Candidates by NHS number are found through the unchanged "n:" key ...
    by_nhs = PersonRecord("new", given_name="Chris", family_name="Wolstenholme", nhs_number="9434765919")
    assert [c.person for c in candidates.candidates_for(cast.coordinator, by_nhs)] == [person]
    # ... but a look-up by name, year and telephone number needs the new NYSIIS and E.164 keys.
    by_name_and_phone = PersonRecord(
        "new",
        given_name="Christopher",
        family_name="Wolstenholme",
        date_of_birth="1971-08-09",
        phone="+44 20 7946 0123",
    )
    assert candidates.candidates_for(cast.coordinator, by_name_and_phone) == []

    call_command("rotate_keys", "--reindex", stdout=StringIO())

    stored = set(PersonMatchKey.objects.filter(person=person).values_list("key_hash", flat=True))
    assert stored == set(candidates.match_keys_for(person))
    assert [c.person for c in candidates.candidates_for(cast.coordinator, by_name_and_phone)] == [person]
