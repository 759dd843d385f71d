"""The benchmark's SQLite candidate index: its tables, name frequencies and the block-size cap.

Not collected by ``make test`` (testpaths are casework/ and tests/); run it with
``pytest benchmarks/matching`` after changing the index or the blocking keys.
"""

import sqlite3

from sqlite_index import CandidateIndex

from casework.people.matching import PersonRecord, prepare


def test_index_tables_and_frequencies():
    connection = sqlite3.connect(":memory:")
    index = CandidateIndex(connection, max_block=3)
    index.create_schema()
    people = [PersonRecord(f"S{n}", "John", "Smith", f"19{50 + n}-01-0{1 + n % 9}") for n in range(5)]
    index.add(people)
    assert index.count() == 5
    assert connection.execute(
        "SELECT count FROM name_frequency WHERE field='family_name' AND value='smith'"
    ).fetchone() == (5,)
    keys = connection.execute("SELECT DISTINCT key FROM person_key").fetchall()
    assert ("fg:SNAT:john",) in keys
    # The shared family-and-given-name key holds 5 people, more than max_block=3: skipped.
    query = prepare(PersonRecord("Q", "John", "Smith", "2001-05-05"))
    assert index.candidate_ids(query) == set()
    query = prepare(PersonRecord("Q", "John", "Smith", "1950-01-01"))
    assert index.candidate_ids(query) == {1}
