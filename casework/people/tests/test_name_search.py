"""Name search on the person list (ADR 0025): on PostgreSQL the exact query Django makes for a
word of a name (``UPPER(column::text) LIKE UPPER('%word%')``) is served by the ``pg_trgm`` indexes
of migration 0005; on every database the results are what a substring search gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Count, Window

from casework.core.pagination import TOTAL
from casework.people import queries
from casework.people.models import NameKind, Person, PersonName
from casework.people.tests.factories import create_person

NAMES = [
    ("Sarah", "Smith", "", ""),
    ("John", "Smithson", "Peter", ""),
    ("Anna", "Goldsmith", "", "Annie"),
    ("Mark", "Jones", "", ""),
    ("Priya", "Patel", "Smita", ""),
    ("Olu", "Adeyemi", "", "Smitty"),
]


@pytest.fixture
def index(cast):
    persons = [
        create_person(
            by=cast.coordinator, given_name=given, family_name=family, middle_names=middle, preferred_name=preferred
        )
        for given, family, middle, preferred in NAMES
    ]
    # A previous name is found too.
    PersonName.objects.create(person=persons[3], kind=NameKind.PREVIOUS, given_name="", family_name="Blacksmith")
    return persons


def _expected(persons, word: str) -> set[str]:
    word = word.upper()
    found = set()
    for person in persons:
        names = [person.given_name, person.family_name, person.middle_names, person.preferred_name]
        names += [n for other in person.other_names.all() for n in (other.given_name, other.family_name)]
        if any(word in name.upper() for name in names):
            found.add(person.reference)
    return found


@pytest.mark.parametrize("text", ["smith", "SMIT", "mit", "an", "sm", "blacksmith", "zzz", "smith sarah"])
def test_the_list_finds_names_by_substring_whatever_the_index(cast, index, text):
    found = {p.reference for p in queries.persons_for_list(cast.clinical_lead, text)}
    expected = set.intersection(*[_expected(index, word) for word in text.split()])
    assert found == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes are PostgreSQL's")
def test_the_name_search_uses_the_trigram_indexes(cast, index):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'people_%%_trgm'")
        assert len(cursor.fetchall()) == 6
        # The planner prefers a scan of a handful of rows; with it discouraged, the index must serve
        # exactly the SQL Django makes (no rewriting of the query in this change).
        cursor.execute("SET LOCAL enable_seqscan = off")
        # Nor may it walk the name index in order and filter (what it chose on a tiny table in CI).
        cursor.execute("SET LOCAL enable_indexscan = off")
        for field in ("given_name", "family_name", "middle_names", "preferred_name"):
            sql, params = Person.objects.filter(**{f"{field}__icontains": "smith"}).values("pk").query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "_trgm" in plan, plan
        sql, params = PersonName.objects.filter(family_name__icontains="smith").values("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        assert "people_personname_family_trgm" in "\n".join(row[0] for row in cursor.fetchall())
        # And the condition the person list filters by: both tables' indexes.
        sql, params = Person.objects.filter(queries._named("smith")).values("pk").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "people_person_family_trgm" in plan and "people_personname_family_trgm" in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL is PostgreSQL's")
def test_the_page_query_names_the_other_names_as_an_array_not_a_union(cast, index):
    """Read first as a UNION and passed back as thousands of ids, each matching person was fetched
    by id twice (to count, then to page): the most of the list's time at national scale (issue 19).
    The other names' persons are ``id = ANY(ARRAY(...))``, which can be one arm of a BitmapOr."""
    sql = str(queries.persons_for_list(cast.clinical_lead, "smith").query).upper()
    assert "UNION" not in sql and "= ANY(ARRAY(" in sql


def test_a_search_lists_in_the_same_order_as_the_whole_list(cast, index):
    """Family name, given name, id: the search's order (written so that no index serves it on
    PostgreSQL) is exactly the whole list's."""
    found = list(queries.persons_for_list(cast.clinical_lead, "smith"))
    assert (
        [p.pk for p in found]
        == [p.pk for p in sorted(found, key=lambda p: (p.family_name, p.given_name, p.pk))]
        == [p.pk for p in queries.persons_for_list(cast.clinical_lead).filter(pk__in=[p.pk for p in found])]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the plan is PostgreSQL's")
def test_the_page_and_its_count_read_the_matches_once_from_the_trigram_indexes(cast, index):
    """The list's one query for a search (the page and ``COUNT(*) OVER ()``, as ``paginate_counted``
    asks it) reads the matching persons in one bitmap scan of the trigram indexes, and never walks
    the name index in order testing every person (20 s at national scale: issue 19)."""
    # Enough persons that "not merged" is no way in; a tiny table is otherwise read whole.
    Person.objects.bulk_create(
        Person(
            reference=f"PER-2026-9{n:05d}", given_name="Filler", family_name=f"Jones{n}", created_by=cast.coordinator
        )
        for n in range(3000)
    )
    rows = queries.persons_for_list(cast.clinical_lead, "smith").annotate(**{TOTAL: Window(Count("*"))})[:25]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE people_person")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_name_idx" not in plan, plan
    assert "Bitmap Heap Scan on people_person" in plan and "BitmapOr" in plan, plan
    assert "people_person_family_trgm" in plan and "people_person_pkey" in plan, plan
