"""My work's sections read their first rows and the count of all in one query
(``core.work.first_rows_and_count``), and answer as the two queries did."""

from __future__ import annotations

import pytest

from casework.accounts.tests.factories import OrganisationFactory
from casework.core.testing import assert_queries_flat, count_queries
from casework.core.work import first_rows_and_count
from casework.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def _two_queries(queryset, limit):
    return list(queryset[:limit]), queryset.count()


@pytest.mark.parametrize("made", [0, 1, 3, 4, 9])
def test_the_rows_and_count_are_those_the_count_and_the_slice_give(made):
    OrganisationFactory.create_batch(made)
    for queryset in (
        Organisation.objects.order_by("name", "pk"),
        Organisation.objects.filter(name__gt="").order_by("-pk"),
        Organisation.objects.order_by("pk").distinct(),  # counted apart
        Organisation.objects.order_by("pk").values("pk", "name"),  # counted apart
        Organisation.objects.order_by("pk")[:2],  # already cut: counted apart
    ):
        assert first_rows_and_count(queryset, 3) == _two_queries(queryset, 3)


def test_one_query_however_many_rows():
    OrganisationFactory.create_batch(2)
    queryset = Organisation.objects.order_by("name", "pk")
    assert len(count_queries(lambda: first_rows_and_count(queryset, 3))) == 1
    assert len(count_queries(lambda: _two_queries(queryset, 3))) == 2
    assert_queries_flat(lambda: first_rows_and_count(queryset, 3), grow=lambda: OrganisationFactory.create_batch(20))


def test_nothing_to_show_is_still_counted_as_none():
    assert first_rows_and_count(Organisation.objects.filter(name="No such organisation").order_by("pk")) == ([], 0)


def test_a_counted_page_of_a_distinct_query_counts_the_distinct_rows(rf):
    """The window counts rows before DISTINCT makes them distinct, so a distinct query is paged and
    counted apart (``pagination.counts_in_one``) and its total is that of ``paginate``."""
    from casework.accounts.tests.factories import UserFactory
    from casework.core.pagination import paginate, paginate_counted

    organisation = OrganisationFactory()
    UserFactory.create_batch(3, organisation=organisation, role="agency_referrer")
    OrganisationFactory.create_batch(2)
    queryset = Organisation.objects.filter(users__isnull=False).order_by("pk").distinct()
    request = rf.get("/", {"page": "1"})
    counted = paginate_counted(request, queryset, per_page=2)
    assert counted.paginator.count == paginate(request, queryset, per_page=2).paginator.count == 1
    assert list(counted) == [organisation]
