"""Key rotation: data written under key A, keys changed to [B, A], rotate_keys, then [B] alone
reads everything; an interrupted rotation completes when run again."""

from __future__ import annotations

from unittest import mock

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from casework.people import crypto, services
from casework.people.keycheck import ensure_key_check
from casework.people.management.commands.rotate_keys import encrypted_columns
from casework.people.models import KeyCheck, Person, PersonAddress, PersonEmail, PersonMerge, PersonPhone
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db

KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _tokens() -> list[str]:
    """Every encrypted value in the database, as stored."""
    found = []
    with connection.cursor() as cursor:
        for model, columns in encrypted_columns():
            for column in columns:
                cursor.execute(f"SELECT {column} FROM {model._meta.db_table}")  # noqa: S608
                found += [row[0] for row in cursor.fetchall() if row[0]]
    return found


def _plain() -> list:
    persons = [(p.nhs_number, p.pnc_id, p.workplace) for p in Person.objects.order_by("pk")]
    addresses = [(a.address, a.postcode) for a in PersonAddress.objects.order_by("pk")]
    phones = [p.number for p in PersonPhone.objects.order_by("pk")]
    emails = [e.address for e in PersonEmail.objects.order_by("pk")]
    merges = [m.snapshot for m in PersonMerge.objects.order_by("pk")]
    return [persons, addresses, phones, emails, merges]


@pytest.fixture
def data_under_key_a(settings, cast):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_A]
    # A database written under key A from the start, its key check value included.
    KeyCheck.objects.all().delete()
    ensure_key_check()
    for number, nhs in enumerate(["9434765919", "6541003238", "9990000018", "9990000026", "9990000034"]):
        person = create_person(
            by=cast.coordinator,
            given_name=f"Rota{number}",
            nhs_number=nhs,
            pnc_id="01/0171310W",
            workplace=f"Workplace {number}",
        )
        services.detail_add(
            person=person,
            model=PersonAddress,
            by=cast.coordinator,
            address=f"{number} Rotation Road",
            postcode="LS1 4AP",
        )
        services.detail_add(person=person, model=PersonPhone, by=cast.coordinator, number=f"020 7946 010{number}")
        services.detail_add(person=person, model=PersonEmail, by=cast.coordinator, address=f"rota{number}@example.org")
    first, second = Person.objects.order_by("pk")[:2]
    services.person_merge(source=second, target=first, by=cast.clinical_lead, reason="Same person")
    expected = _plain()
    assert all(Fernet(KEY_A.encode()).decrypt(t.encode()) for t in _tokens())
    return expected


def test_rotation_moves_everything_to_the_newest_key(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    assert not any(crypto.is_current(t) for t in _tokens())
    call_command("rotate_keys", "--batch-size", "2", stdout=mock.MagicMock())
    assert all(crypto.is_current(t) for t in _tokens())
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert _plain() == data_under_key_a


def test_without_rotation_the_old_key_is_still_needed(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(crypto.DecryptionError):
        _plain()


def test_new_writes_use_the_newest_key_while_old_keys_still_decrypt(settings, cast, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    person = create_person(by=cast.coordinator, given_name="Newer", workplace="New workplace")
    assert _plain()[0][0] == data_under_key_a[0][0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT workplace FROM people_person WHERE id = %s", [person.pk])
        token = cursor.fetchone()[0]
    assert crypto.is_current(token)


def test_an_interrupted_rotation_completes_when_run_again(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    total = len(_tokens())
    call_command("rotate_keys", "--batch-size", "2", "--limit", "3", stdout=mock.MagicMock())
    assert sum(crypto.is_current(t) for t in _tokens()) == 3
    call_command("rotate_keys", "--batch-size", "2", stdout=mock.MagicMock())
    assert sum(crypto.is_current(t) for t in _tokens()) == total
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert _plain() == data_under_key_a


def test_a_crash_mid_batch_rolls_that_batch_back_and_a_rerun_finishes(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    real_rotate = crypto.rotate
    calls = {"n": 0}

    def failing_rotate(token):
        calls["n"] += 1
        if calls["n"] == 8:  # the first batch (2 persons, 3 values each) has committed
            raise RuntimeError("power cut")
        return real_rotate(token)

    with mock.patch.object(crypto, "rotate", failing_rotate), pytest.raises(RuntimeError):
        call_command("rotate_keys", "--batch-size", "2", stdout=mock.MagicMock())
    done = sum(crypto.is_current(t) for t in _tokens())
    assert done == 6  # the first batch committed; the failing batch rolled back
    call_command("rotate_keys", stdout=mock.MagicMock())
    assert all(crypto.is_current(t) for t in _tokens())
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B]
    assert _plain() == data_under_key_a


def test_a_second_run_has_nothing_to_do(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    call_command("rotate_keys", stdout=mock.MagicMock())
    before = _tokens()
    out = mock.MagicMock()
    call_command("rotate_keys", stdout=out)
    assert _tokens() == before  # untouched: tokens are randomised, so any rewrite would differ
    assert "Done: 0 values re-encrypted" in "".join(str(c) for c in out.write.call_args_list)


def test_dry_run_changes_nothing(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B, KEY_A]
    before = _tokens()
    call_command("rotate_keys", "--dry-run", stdout=mock.MagicMock())
    assert _tokens() == before


def test_a_value_no_key_decrypts_is_reported_by_id_without_plaintext(settings, data_under_key_a):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [KEY_B]
    with pytest.raises(CommandError) as error:
        call_command("rotate_keys", stdout=mock.MagicMock())
    assert "could not be decrypted" in str(error.value)
    assert "people_person.nhs_number id" in str(error.value)
    assert "Rotation Road" not in str(error.value)


def test_reindex_rebuilds_blind_indexes_after_the_blind_index_key_changes(settings, cast, data_under_key_a):
    from casework.people.queries import persons_search, persons_visible_to

    settings.CASEWORK_BLIND_INDEX_KEY = "a-new-blind-index-key"
    scope = persons_visible_to(cast.coordinator)
    assert list(persons_search(cast.coordinator, scope, "9990000018")) == []
    call_command("rotate_keys", "--reindex", stdout=mock.MagicMock())
    assert [p.given_name for p in persons_search(cast.coordinator, scope, "9990000018")] == ["Rota2"]
    assert [p.given_name for p in persons_search(cast.coordinator, scope, "rota3@example.org")] == ["Rota3"]
