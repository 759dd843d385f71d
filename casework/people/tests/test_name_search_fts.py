"""Name search on SQLite served by the FTS5 trigram index of people migration 0006 (ADR 0025).

The index must find exactly what the substring path (``icontains``) finds, whatever the case, the
punctuation or the input, stay in step with every way a name is written (including bulk paths that
send no signals, because the triggers are in the database), and be what the list's query reads.

One difference, on purpose: the index folds the case of non-ASCII letters ("ZOË" finds "Zoë"),
as PostgreSQL's ``UPPER`` does; SQLite's ``LIKE`` folds ASCII letters only, so the old path did not.
"""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from casework.people import queries
from casework.people.models import NameKind, Person, PersonName
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 name index is SQLite's (PostgreSQL has pg_trgm, migration 0005)"
)

MIGRATION = importlib.import_module("casework.people.migrations.0006_name_search_sqlite")

NAMES = [
    # given, family, middle, preferred
    ("Sarah", "Smith", "", ""),
    ("John", "Smithson", "Peter", ""),
    ("Anna", "Goldsmith", "", "Annie"),
    ("Siobhan", "O'Brien", "", ""),
    ("Emma", "Smith-Jones", "Louise Mary", ""),
    ("Zoë", "Kowalski", "", ""),
    ("Łukasz", "Nowak", "", "Łukie"),
    ("Mary Ann", "de la Cruz", "", ""),
    ("Priya", "Andrews", "Smita", ""),
    ("Olu", "Nearly", "", 'The "Smi" one'),
    ("Ro*bin", "Orr", "", "100% Rob_"),
]

# Whatever the person list may be asked: case, mid-name substrings, punctuation, previous names and
# aliases, several words, short words (the substring path), and nothing at all.
WORDS = [
    "smith", "SMITH", "Smi", "mit", "ith-jo", "h-J", "o'b", "O'BRIEN", "brien", "'Br", "ann", "Annie", "peter",
    "ouise", "ary", "de la", "Mary Ann", "a Cr", "zoë", "Zoë", "Zoe", "Lukasz", "ukasz", "Łukasz", "Łuk", "Nowak", "blacksmith",
    "BLACK", "johnny", "otte", "Ross", "zzz", "an", "sm", "Ł", "ë", "100%", "% R", "ob_", "b_", "R*B",
    "sarah smith", "smith sarah", "smith zzz",
]  # fmt: skip

# What a user might type that FTS5 would read as syntax if it were not quoted.
HOSTILE = [
    '"', '""', '"smi', 'smi"', '"Smi"', "AND", "OR", "NOT", "NEAR", "NEAR(smi,", "smi*", "*smi", "^smi", "^Nea",
    "names:smi", "{names}:smi", "-smi", "+smi", "(smi)", "smi)", "'", "';DROP", "a AND b", "smith OR jones",
    "smi NOT smith", "NEAR(smith", "\\", "%", "_", "%%%", "smi%th", "Ro*", "*bin",
]  # fmt: skip


@pytest.fixture
def index(cast):
    persons = [
        create_person(
            by=cast.coordinator, given_name=given, family_name=family, middle_names=middle, preferred_name=preferred
        )
        for given, family, middle, preferred in NAMES
    ]
    PersonName.objects.create(person=persons[1], kind=NameKind.PREVIOUS, given_name="", family_name="Blacksmith")
    PersonName.objects.create(person=persons[7], kind=NameKind.ALIAS, given_name="Johnny", family_name="Rotten")
    PersonName.objects.create(person=persons[9], kind=NameKind.ALIAS, given_name="Ross", family_name="")
    return persons


def _found(user, text: str) -> set[str]:
    return {p.reference for p in queries.persons_for_list(user, text)}


def _substring_path(user, text: str, monkeypatch) -> set[str]:
    """What the list found before the index: every word through ``icontains``."""
    with monkeypatch.context() as patch:
        patch.setattr(queries, "FTS_MIN_LENGTH", 10**6)
        return _found(user, text)


def _by_python(persons, word: str) -> set[str]:
    word = word.upper()
    found = set()
    for person in Person.objects.filter(pk__in=[p.pk for p in persons]).prefetch_related("other_names"):
        names = [person.given_name, person.family_name, person.middle_names, person.preferred_name]
        names += [n for other in person.other_names.all() for n in (other.given_name, other.family_name)]
        if any(word in name.upper() for name in names):
            found.add(person.reference)
    return found


def test_the_index_finds_what_the_substring_search_finds(cast, index, monkeypatch):
    for text in WORDS:  # one world for every word (a world per word took minutes)
        found = _found(cast.clinical_lead, text)
        assert found == _substring_path(cast.clinical_lead, text, monkeypatch), text
        assert found == set.intersection(*[_by_python(index, word) for word in text.split()[:5]]), text


def test_the_index_folds_the_case_of_non_ascii_letters_as_postgresql_does(cast, index, monkeypatch):
    """The one difference from the old path: SQLite's LIKE folds only A–Z, so it missed these."""
    for text in ["ZOË", "łukasz", "łuk", "łUKIE", "zOË kOWALSKI"]:
        found = _found(cast.clinical_lead, text)
        assert found and found == set.intersection(*[_by_python(index, word) for word in text.split()]), text
        assert _substring_path(cast.clinical_lead, text, monkeypatch) == set(), text


def test_what_is_typed_is_text_never_fts5_syntax(cast, index, monkeypatch):
    for text in HOSTILE:
        found = _found(cast.clinical_lead, text)  # never an FTS5 syntax error
        assert found == _substring_path(cast.clinical_lead, text, monkeypatch), text
    # And the quote and the operators are matched as text where a name holds them.
    assert _found(cast.clinical_lead, '"Smi"') == {index[9].reference}
    assert _found(cast.clinical_lead, "Ro*") == {index[10].reference}


def test_a_quoted_phrase_is_literal():
    assert queries.fts_phrase('a"b AND c*') == '"a""b AND c*"'


def test_the_list_query_reads_the_fts_table_for_a_word_of_three_letters(cast, index):
    sql, params = queries.persons_for_list(cast.clinical_lead, "smith").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "people_name_fts VIRTUAL TABLE" in plan, plan
    short, params = queries.persons_for_list(cast.clinical_lead, "sm").query.sql_with_params()
    assert "people_name_fts" not in short


def test_every_trigger_is_still_there_after_all_migrations(db):
    """Django remakes a SQLite table for many schema changes and the triggers go with the old
    table: a later migration of people_person or people_personname must create them again."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'people_name_fts_%'")
        assert {row[0] for row in cursor.fetchall()} == set(MIGRATION.TRIGGERS)


def test_changes_to_a_person_are_found_at_once(cast, index):
    lead = cast.clinical_lead
    sarah = index[0]
    sarah.family_name = "Fairweather"
    sarah.save()
    assert sarah.reference in _found(lead, "airwea")
    assert sarah.reference not in _found(lead, "smith")
    Person.objects.filter(pk=sarah.pk).update(preferred_name="Sadie", given_name="Sara")  # no signals
    assert _found(lead, "sadie") == {sarah.reference}
    assert sarah.reference in _found(lead, "airwea")
    assert sarah.reference not in _found(lead, "sarah")
    Person.objects.filter(pk=sarah.pk).update(date_of_birth=None)  # not a name: the row is untouched
    assert _found(lead, "sadie") == {sarah.reference}


def test_previous_names_and_aliases_are_found_as_they_change(cast, index):
    lead = cast.clinical_lead
    john, mary = index[1], index[7]
    other = john.other_names.get()
    other.family_name = "Whitesmith"
    other.save()
    assert _found(lead, "whitesm") == {john.reference}
    assert john.reference not in _found(lead, "blacksm")
    PersonName.objects.filter(pk=other.pk).update(person=mary)  # moved, as a merge moves them
    assert _found(lead, "whitesm") == {mary.reference}
    assert _found(lead, "smithson") == {john.reference}
    PersonName.objects.filter(pk=other.pk).delete()
    assert _found(lead, "whitesm") == set()
    assert _found(lead, "johnny") == {mary.reference}


def test_a_deleted_person_leaves_the_index(cast, index):
    person = index[2]
    row = person.pk
    PersonName.objects.create(person=person, kind=NameKind.ALIAS, family_name="Quillfeather")
    Person.objects.filter(pk=row).delete()
    assert _found(cast.clinical_lead, "quillfeath") == set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM people_name_fts WHERE rowid = %s", [row])
        assert cursor.fetchone()[0] == 0


def test_persons_made_in_bulk_without_signals_are_found(cast):
    """The load seed, merges and the demo write with bulk_create: the triggers index them."""
    made = Person.objects.bulk_create(
        [
            Person(
                reference=f"PER-2026-9{number:05d}",
                given_name="Bulk",
                family_name=f"Vandersteen{number}",
                created_by=cast.coordinator,
            )
            for number in range(3)
        ]
    )
    PersonName.objects.bulk_create([PersonName(person=made[0], kind=NameKind.PREVIOUS, family_name="Oakenshield")])
    assert _found(cast.clinical_lead, "andersteen") == {p.reference for p in made}
    assert _found(cast.clinical_lead, "oakensh") == {made[0].reference}


class _Editor:
    """Enough of a schema editor for the migration's functions, inside the test's transaction."""

    def __init__(self):
        self.connection = connection

    def execute(self, sql, params=None):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


def test_the_migration_indexes_the_persons_there_already_and_rolls_back(cast, index, monkeypatch):
    MIGRATION.backwards(None, _Editor())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE 'people_name_fts%'")
        assert cursor.fetchone()[0] == 0
    MIGRATION.forwards(None, _Editor())
    for text in ("smith", "blacksmith", "johnny", "o'brien"):
        assert _found(cast.clinical_lead, text) == _substring_path(cast.clinical_lead, text, monkeypatch) != set()


def test_an_old_sqlite_is_refused_clearly(db, monkeypatch):
    monkeypatch.setattr(MIGRATION, "MIN_SQLITE", (99, 0, 0))
    with pytest.raises(RuntimeError, match="trigram tokenizer"):
        MIGRATION.forwards(None, _Editor())
