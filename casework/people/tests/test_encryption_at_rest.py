"""Contact details and identifiers are ciphertext in the database and plaintext in Python."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from casework.people import crypto, services
from casework.people.models import Person, PersonAddress, PersonEmail, PersonPhone
from casework.people.queries import persons_search, persons_visible_to
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db

CANARY_ADDRESS = "17 Canary Wharf Lane, Testington"
CANARY_POSTCODE = "LS1 4AP"
CANARY_EMAIL = "Canary.Person@Example.org"
CANARY_PHONE = "020 7946 0123"
CANARY_WORKPLACE = "Canary Biscuits Ltd"


def _raw_row(model, pk) -> str:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table} WHERE id = %s", [pk])  # noqa: S608 (table name from _meta)
        return " ".join(str(value) for value in cursor.fetchone())


@pytest.fixture
def person(cast):
    person = create_person(
        by=cast.coordinator,
        nhs_number="943 476 5919",
        pnc_id="01/0171310W",
        prison_number="A1234BC",
        workplace=CANARY_WORKPLACE,
    )
    services.detail_add(
        person=person, model=PersonAddress, by=cast.coordinator, address=CANARY_ADDRESS, postcode=CANARY_POSTCODE
    )
    services.detail_add(person=person, model=PersonPhone, by=cast.coordinator, number=CANARY_PHONE)
    services.detail_add(person=person, model=PersonEmail, by=cast.coordinator, address=CANARY_EMAIL)
    return person


def test_the_columns_hold_ciphertext_not_plaintext(person):
    person_row = _raw_row(Person, person.pk)
    for plaintext in ("9434765919", "943 476 5919", "0171310W", "A1234BC", CANARY_WORKPLACE):
        assert plaintext not in person_row
    address = person.addresses.get()
    address_row = _raw_row(PersonAddress, address.pk)
    assert "Canary" not in address_row and "LS1" not in address_row
    phone_row = _raw_row(PersonPhone, person.phones.get().pk)
    assert "7946" not in phone_row
    email_row = _raw_row(PersonEmail, person.emails.get().pk)
    assert "canary" not in email_row.lower()
    assert "gAAAAA" in person_row  # a Fernet token


def test_python_reads_plaintext(person):
    fresh = Person.objects.get(pk=person.pk)
    assert fresh.nhs_number == "9434765919"
    assert fresh.nhs_number_display == "943 476 5919"
    assert fresh.pnc_id == "01/0171310W"
    assert fresh.workplace == CANARY_WORKPLACE
    assert fresh.phones.get().number == "+442079460123"
    assert fresh.addresses.get().postcode == "LS1 4AP"


def test_the_blind_index_is_not_the_plaintext(person):
    fresh = Person.objects.get(pk=person.pk)
    assert len(fresh.nhs_number_bidx) == 64
    assert "9434765919" not in fresh.nhs_number_bidx
    assert fresh.nhs_number_bidx == crypto.blind_index("nhs", "9434765919")
    assert fresh.nhs_number_bidx != crypto.blind_index("phone", "9434765919")  # kinds are separated


@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919"])
def test_look_up_by_nhs_number_finds_the_person(cast, person, typed):
    found = persons_search(cast.coordinator, persons_visible_to(cast.coordinator), typed)
    assert list(found) == [person]


@pytest.mark.parametrize("typed", ["canary.person@example.org", "  CANARY.PERSON@EXAMPLE.ORG "])
def test_look_up_by_email_finds_the_person(cast, person, typed):
    found = persons_search(cast.coordinator, persons_visible_to(cast.coordinator), typed)
    assert list(found) == [person]


@pytest.mark.parametrize("typed", ["02079460123", "+44 20 7946 0123", "020 7946 0123"])
def test_look_up_by_phone_finds_the_person(cast, person, typed):
    found = persons_search(cast.coordinator, persons_visible_to(cast.coordinator), typed)
    assert list(found) == [person]


def test_look_up_by_pnc_id_and_postcode(cast, person):
    scope = persons_visible_to(cast.coordinator)
    assert list(persons_search(cast.coordinator, scope, "2001/171310W")) == [person]
    assert list(persons_search(cast.coordinator, scope, "ls14ap")) == [person]


def test_a_different_number_finds_nobody(cast, person):
    assert list(persons_search(cast.coordinator, persons_visible_to(cast.coordinator), "6541003238")) == []


def test_encrypted_fields_refuse_comparison_by_value(person):
    with pytest.raises(FieldError):
        list(Person.objects.filter(nhs_number="9434765919"))
    assert Person.objects.filter(pk=person.pk).exclude(nhs_number="").count() == 1
