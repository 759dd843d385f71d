"""The query-count helper compares two sizes of data, and fails when queries grow with the data."""

from __future__ import annotations

import pytest

from casework.accounts.tests.factories import OrganisationFactory
from casework.core.testing import assert_queries_flat
from casework.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_fixed_number_of_queries_passes_and_is_returned():
    OrganisationFactory()

    def one_query() -> None:
        list(Organisation.objects.all())

    assert assert_queries_flat(one_query, grow=lambda: OrganisationFactory.create_batch(5)) == 1


def test_a_query_per_row_fails():
    OrganisationFactory()

    def a_query_per_row() -> None:
        for organisation in Organisation.objects.all():
            Organisation.objects.filter(pk=organisation.pk).exists()

    with pytest.raises(AssertionError, match="The number of queries grew with the data: 2 before, 7 after"):
        assert_queries_flat(a_query_per_row, grow=lambda: OrganisationFactory.create_batch(5))
