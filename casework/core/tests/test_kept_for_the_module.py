"""Data built once for a module (``kept_for_the_module``) is shared by its tests, changes made by
one test do not reach the next, and the data is gone when the module is done."""

from __future__ import annotations

import pytest

from casework.accounts.tests.factories import OrganisationFactory
from casework.core.testing import kept_for_the_module
from casework.organisations.models import Organisation

SHARED = "Shared for the module"


@pytest.fixture(scope="module")
def shared_once(django_db_setup, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            organisation = OrganisationFactory(name=SHARED)
        yield organisation.pk


@pytest.fixture
def shared(shared_once, db):
    return Organisation.objects.get(pk=shared_once)


@pytest.mark.parametrize("turn", [1, 2, 3])
def test_each_test_sees_the_shared_data_as_built_whatever_the_one_before_did(shared, turn):
    assert shared.name == SHARED
    assert not Organisation.objects.filter(name__startswith="Made in turn").exists()
    Organisation.objects.filter(pk=shared.pk).update(name=f"Changed in turn {turn}")
    OrganisationFactory(name=f"Made in turn {turn}")


def test_what_was_kept_is_rolled_back_at_the_end(db, django_db_blocker):
    with kept_for_the_module(django_db_blocker):
        OrganisationFactory(name="Made for a module")
        assert Organisation.objects.filter(name="Made for a module").exists()
    assert not Organisation.objects.filter(name="Made for a module").exists()
