"""Name search on the person list (ADR 0025): on PostgreSQL the exact query Django makes for a
word of a name (``UPPER(column::text) LIKE UPPER('%word%')``) is served by the ``pg_trgm`` indexes
of migration 0005; on every database the results are what a substring search gives."""

from __future__ import annotations

import pytest
from django.db import connection

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
        # And the lookup the person list reads its ids from (as a subquery beyond the cap).
        sql, params = queries._named("smith").query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "people_person_family_trgm" in plan and "people_personname_family_trgm" in plan, plan


@pytest.mark.parametrize("cap", [1, 1000])
def test_the_results_are_the_same_whether_the_ids_are_read_first_or_not(cast, index, monkeypatch, cap):
    """On PostgreSQL the ids a word names are read first unless there are more than the cap; either
    way the list finds exactly what a substring search finds."""
    monkeypatch.setattr(queries, "NAMED_IDS_READ_FIRST", cap)
    found = {p.reference for p in queries.persons_for_list(cast.clinical_lead, "smith")}
    assert found == _expected(index, "smith")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice is PostgreSQL's")
def test_the_page_query_gets_the_named_ids_not_a_union_to_join_row_by_row(cast, index, monkeypatch):
    """Given as a UNION subquery, PostgreSQL walked the name index in order and joined every row
    against the whole set: 20 s for a common surname at national scale (docs/benchmarks/load.md)."""
    sql = str(queries.persons_for_list(cast.clinical_lead, "smith").query)
    assert "UNION" not in sql.upper()
    monkeypatch.setattr(queries, "NAMED_IDS_READ_FIRST", 1)
    assert "UNION" in str(queries.persons_for_list(cast.clinical_lead, "smith").query).upper()


def test_a_search_lists_in_the_same_order_as_the_whole_list(cast, index):
    """Family name, given name, id: the search's order (written so that no index serves it on
    PostgreSQL) is exactly the whole list's."""
    found = list(queries.persons_for_list(cast.clinical_lead, "smith"))
    assert (
        [p.pk for p in found]
        == [p.pk for p in sorted(found, key=lambda p: (p.family_name, p.given_name, p.pk))]
        == [p.pk for p in queries.persons_for_list(cast.clinical_lead).filter(pk__in=[p.pk for p in found])]
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the parameters and plan are PostgreSQL's")
def test_the_named_ids_are_one_parameter_and_the_page_is_not_read_in_name_index_order(cast, index):
    """With the ids as thousands of parameters and the order served by the name index, PostgreSQL
    walked every person in name order testing each against the whole list (issue 19)."""
    rows = queries.persons_for_list(cast.clinical_lead, "smith")
    sql, params = rows[:20].query.sql_with_params()
    assert "= ANY(" in sql and sum(isinstance(p, list) for p in params) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "person_name_idx" not in plan, plan
