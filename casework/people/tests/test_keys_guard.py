"""The service holds the keys its database was written with, or refuses to run.

- a key check value (encrypted with the field keys, with its blind index) is written at migrate;
  with other field, blind-index or audit keys the service refuses to start (system check,
  gunicorn's WSGI module, the worker) and /healthz answers 503;
- the demo never generates a new key beside a database that holds data made with the old one;
- a blind-index rebuild keeps look-ups by NHS number, email and phone working throughout.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.urls import reverse

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.tests.scratch import ROOT, Scratch, clone, template
from casework.people import keycheck, services
from casework.people.models import KeyCheck, PersonEmail, PersonPhone
from casework.people.queries import persons_for_list
from casework.people.tests.factories import create_person

OTHER_FIELD_KEY = Fernet.generate_key().decode()
NEW_BLIND_KEY = "a-new-blind-index-key-for-the-rebuild-0123456789-abcdefghijkl"


@pytest.fixture
def written(db, cast):
    """A person with an NHS number, email and phone, written under the suite's keys."""
    person = create_person(by=cast.coordinator, given_name="Keya", nhs_number="9434765919")
    services.detail_add(person=person, model=PersonEmail, by=cast.coordinator, address="keya@example.org")
    services.detail_add(person=person, model=PersonPhone, by=cast.coordinator, number="020 7946 0101")
    record(action=Action.VIEW, obj=person)
    return person


def test_the_key_check_value_is_written_at_migrate_and_the_right_keys_pass(written):
    assert KeyCheck.objects.get().encrypted == keycheck.KNOWN_PLAINTEXT
    assert keycheck.key_problems() == []


def test_other_field_keys_are_reported_and_healthz_answers_503(written, settings, client):
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [OTHER_FIELD_KEY]
    assert keycheck.key_problems() == [keycheck.FIELD_KEYS_MESSAGE]
    response = client.get(reverse("core:healthz"))
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "failed": {"keys": "the keys in force cannot read this database"},
    }


def test_an_old_database_without_a_key_check_is_tested_on_its_data(written, settings):
    KeyCheck.objects.all().delete()
    assert keycheck.key_problems() == []
    settings.CASEWORK_FIELD_ENCRYPTION_KEYS = [OTHER_FIELD_KEY]
    assert keycheck.key_problems() == [keycheck.FIELD_KEYS_MESSAGE]
    keycheck.ensure_key_check()
    assert not KeyCheck.objects.exists(), "no key check is written with keys that cannot read the data"


def test_another_blind_index_key_or_audit_key_is_reported(written, settings):
    old_blind_key = settings.CASEWORK_BLIND_INDEX_KEY
    settings.CASEWORK_BLIND_INDEX_KEY = NEW_BLIND_KEY
    assert keycheck.key_problems() == [keycheck.BLIND_KEY_MESSAGE]
    settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY = old_blind_key  # mid-rebuild: accepted
    assert keycheck.key_problems() == []
    settings.AUDIT_HMAC_KEY = "another-audit-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    assert keycheck.key_problems() == [keycheck.AUDIT_KEY_MESSAGE]


def _found(user, text: str, person) -> bool:
    return persons_for_list(user, text).filter(pk=person.pk).exists()


def test_a_blind_index_rebuild_keeps_look_ups_working_throughout(cast, settings):
    persons = []
    for number, nhs in enumerate(["9434765919", "6541003238", "9990000018", "9990000026"]):
        person = create_person(by=cast.coordinator, given_name=f"Index{number}", nhs_number=nhs)
        services.detail_add(person=person, model=PersonEmail, by=cast.coordinator, address=f"index{number}@example.org")
        services.detail_add(person=person, model=PersonPhone, by=cast.coordinator, number=f"020 7946 020{number}")
        persons.append((person, nhs, f"index{number}@example.org", f"020 7946 020{number}"))
    old_key = settings.CASEWORK_BLIND_INDEX_KEY

    def everyone_found() -> bool:
        return all(
            _found(cast.coordinator, nhs, person)
            and _found(cast.coordinator, email, person)
            and _found(cast.coordinator, phone, person)
            for person, nhs, email, phone in persons
        )

    # Step 1: the new key in force, the old one kept as the previous key; nothing rebuilt yet.
    settings.CASEWORK_BLIND_INDEX_KEY = NEW_BLIND_KEY
    settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY = old_key
    assert everyone_found()
    assert keycheck.key_problems() == []
    # Step 2: the rebuild, interrupted half way: some rows under each key.
    call_command("rotate_keys", "--reindex", "--limit", "5", "--batch-size", "2", stdout=open("/dev/null", "w"))
    assert everyone_found(), "look-ups find everyone mid-rebuild"
    settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY = None
    assert not everyone_found(), "(without the previous key, rows not yet rebuilt would be missed)"
    assert keycheck.key_problems() == [keycheck.BLIND_KEY_MESSAGE], "and the service would refuse to start"
    settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY = old_key
    # Step 3: the rebuild finishes; the previous key is removed.
    call_command("rotate_keys", "--reindex", stdout=open("/dev/null", "w"))
    assert everyone_found()
    settings.CASEWORK_BLIND_INDEX_PREVIOUS_KEY = None
    assert everyone_found()
    assert keycheck.key_problems() == []


# --- Refusing to start, in real processes ------------------------------------------------------------


@pytest.fixture
def database_with_people(tmp_path_factory, tmp_path):
    scratch = clone(template(tmp_path_factory, "migrated"), tmp_path, "keys")
    scratch.python(
        "from casework.accounts.models import User\n"
        "from casework.people.services import person_create\n"
        "user = User.objects.create_user('coordinator@nsc.example.nhs.uk', full_name='Cora', role='referrals_coordinator')\n"
        "person_create(by=user, given_name='Keya', family_name='Guard', nhs_number='9434765919')\n"
    )
    yield scratch
    scratch.drop()


def test_the_service_refuses_to_start_with_field_keys_that_cannot_read_its_data(database_with_people):
    wrong = {"FIELD_ENCRYPTION_KEYS": OTHER_FIELD_KEY}
    check = database_with_people.manage("check", check=False, **wrong)
    assert check.returncode != 0
    assert "casework.E010" in check.stderr and "FIELD_ENCRYPTION_KEYS cannot decrypt" in check.stderr
    assert OTHER_FIELD_KEY not in check.stderr + check.stdout
    wsgi = database_with_people.python("import casework.wsgi", check=False, **wrong)
    assert wsgi.returncode != 0 and "Refusing to start" in wsgi.stderr
    worker = database_with_people.manage("db_worker", "--batch", check=False, **wrong)
    assert worker.returncode != 0 and "FIELD_ENCRYPTION_KEYS cannot decrypt" in worker.stderr
    # With its own keys it starts.
    assert database_with_people.manage("check").returncode == 0
    assert database_with_people.python("import casework.wsgi").returncode == 0


def test_the_demo_never_makes_a_new_key_beside_a_database_holding_data(tmp_path):
    """SQLite in var/, as ``make run`` has it (whichever database the suite runs on)."""
    demo = Scratch(tmp_path / "var")
    demo.var_dir.mkdir()
    demo.manage("check")  # before the database exists, the key files are simply made
    assert (demo.var_dir / "field_key").exists()
    demo.manage("migrate", "--noinput")
    demo.python(
        "from casework.accounts.models import User\n"
        "from casework.people.services import person_create\n"
        "user = User.objects.create_user('coordinator@nsc.example.nhs.uk', full_name='Cora', role='referrals_coordinator')\n"
        "person_create(by=user, given_name='Keya', family_name='Guard', nhs_number='9434765919')\n"
    )
    for name in ("field_key", "blind_index_key", "audit_hmac_key"):
        kept = (demo.var_dir / name).read_text()
        (demo.var_dir / name).unlink()
        result = demo.manage("check", check=False)
        assert result.returncode != 0
        assert f"The key file {demo.var_dir / name} is missing" in result.stderr
        assert "already holds encrypted data" in result.stderr
        assert not (demo.var_dir / name).exists(), "no new key was written"
        (demo.var_dir / name).write_text(kept)
    assert demo.manage("check").returncode == 0
    # SECRET_KEY protects nothing stored (a new one signs everyone out), so it is made afresh.
    (demo.var_dir / "secret_key").unlink()
    assert demo.manage("check").returncode == 0 and (demo.var_dir / "secret_key").exists()


def test_the_deploy_check_refuses_malformed_weak_and_repeated_keys():
    from casework.core.tests.test_settings import PRODUCTION, run_manage

    bad = run_manage(
        "check", "--deploy", **{**PRODUCTION, "FIELD_ENCRYPTION_KEYS": "not-a-valid-key", "BLIND_INDEX_KEY": "x"}
    )
    assert bad.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS key 1 is not a valid Fernet key" in bad.stderr
    assert "BLIND_INDEX_KEY is 1 characters long" in bad.stderr
    weak = run_manage(
        "check", "--deploy", **{**PRODUCTION, "BLIND_INDEX_KEY": "ab" * 20, "FIELD_ENCRYPTION_KEYS": "A" * 43 + "="}
    )
    assert "BLIND_INDEX_KEY uses only 2 different characters" in weak.stderr
    assert "FIELD_ENCRYPTION_KEYS key 1 is a valid Fernet key but not a random one" in weak.stderr
    repeated = run_manage("check", "--deploy", **{**PRODUCTION, "BLIND_INDEX_KEY": PRODUCTION["AUDIT_HMAC_KEY"]})
    assert "AUDIT_HMAC_KEY and BLIND_INDEX_KEY are the same" in repeated.stderr
    for result in (bad, weak, repeated):
        assert "not-a-valid-key" not in result.stderr and PRODUCTION["AUDIT_HMAC_KEY"] not in result.stderr


def test_the_wsgi_module_imports_on_a_database_that_is_not_there_yet(tmp_path):
    """A fresh deployment's first start, before migrate: nothing to check, nothing refused."""
    env = Scratch(tmp_path / "var").env()
    (tmp_path / "var").mkdir()
    result = subprocess.run(
        [sys.executable, "-c", "import casework.wsgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
