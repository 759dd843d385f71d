"""A candidate index on SQLite (plain DB-API), for timing look-ups of one new person among many
(``lookup.py``). Benchmark only: the service keeps its keys in ``PersonMatchKey`` and looks
candidates up in ``casework.people.candidates``; this index does the same on bare SQLite so that
an index of a million persons can be built and timed without Django.

Tables (keys from :func:`casework.people.matching.blocking.index_keys`):

``match_person``    the details that are compared, one row per person
``person_key``      (key TEXT, person_id INTEGER), indexed on (key, person_id)
``name_frequency``  how many persons carry each given and family name (term frequencies)

A look-up prepares the new person, reads the ids stored under each of its query keys (keys
shared by more than ``max_block`` persons are skipped as uninformative), fetches those rows,
scores them and returns the ranked candidates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from casework.people.matching.blocking import index_keys, query_keys
from casework.people.matching.matcher import REVIEW_THRESHOLD, MatchResult, rank_candidates
from casework.people.matching.normalise import PersonRecord, PreparedPerson, prepare
from casework.people.matching.scoring import DEFAULT_PARAMETERS, Parameters, prior_for

PERSON_COLUMNS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "pnc_id",
    "address",
    "postcode",
    "phone",
    "email",
    "other_id",
)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS match_person (
    person_id INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL,
    {", ".join(f"{column} TEXT NOT NULL DEFAULT ''" for column in PERSON_COLUMNS)}
);
CREATE TABLE IF NOT EXISTS person_key (key TEXT NOT NULL, person_id INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS name_frequency (
    field TEXT NOT NULL, value TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (field, value)
) WITHOUT ROWID;
"""
KEY_INDEX = "CREATE INDEX IF NOT EXISTS person_key_key ON person_key (key, person_id)"


class CandidateIndex:
    """Persons and their blocking keys in SQLite; :meth:`lookup` ranks candidates for a new person."""

    def __init__(
        self,
        connection: sqlite3.Connection,
        *,
        parameters: Parameters = DEFAULT_PARAMETERS,
        max_block: int = 2000,
        duplicate_rate: float = 0.2,
    ):
        self.connection = connection
        self.parameters = parameters
        self.max_block = max_block
        self.duplicate_rate = duplicate_rate
        self._count: int | None = None

    # -- building ------------------------------------------------------------------------------

    def create_schema(self, *, with_key_index: bool = True) -> None:
        self.connection.executescript(SCHEMA)
        if with_key_index:
            self.connection.execute(KEY_INDEX)

    def create_key_index(self) -> None:
        """Build the key index (faster once after a bulk load than row by row)."""
        self.connection.execute(KEY_INDEX)
        self.connection.execute("ANALYZE")

    def add(self, records: Iterable[PersonRecord], *, batch_size: int = 20_000) -> int:
        """Store persons and their keys; returns how many were added."""
        added = 0
        batch: list[PersonRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                added += self._add_batch(batch)
                batch = []
        if batch:
            added += self._add_batch(batch)
        self._count = None
        return added

    def _add_batch(self, records: list[PersonRecord]) -> int:
        cursor = self.connection.cursor()
        row = cursor.execute("SELECT COALESCE(MAX(person_id), 0) FROM match_person").fetchone()
        next_id = row[0] + 1
        person_rows = []
        key_rows = []
        frequencies: dict[tuple[str, str], int] = {}
        for offset, record in enumerate(records):
            person_id = next_id + offset
            person = prepare(record)
            person_rows.append(
                (person_id, record.record_id, *(getattr(record, column) or "" for column in PERSON_COLUMNS))
            )
            key_rows.extend((key, person_id) for key in index_keys(person))
            if person.given:
                frequencies[("given_name", person.given)] = frequencies.get(("given_name", person.given), 0) + 1
            if person.family:
                frequencies[("family_name", person.family)] = frequencies.get(("family_name", person.family), 0) + 1
        placeholders = ", ".join("?" * (2 + len(PERSON_COLUMNS)))
        cursor.executemany(
            f"INSERT INTO match_person (person_id, record_id, {', '.join(PERSON_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608 - fixed column names
            person_rows,
        )
        cursor.executemany("INSERT INTO person_key (key, person_id) VALUES (?, ?)", key_rows)
        cursor.executemany(
            "INSERT INTO name_frequency (field, value, count) VALUES (?, ?, ?) "
            "ON CONFLICT (field, value) DO UPDATE SET count = count + excluded.count",
            [(field, value, count) for (field, value), count in frequencies.items()],
        )
        self.connection.commit()
        return len(records)

    def count(self) -> int:
        if self._count is None:
            self._count = self.connection.execute("SELECT COUNT(*) FROM match_person").fetchone()[0]
        return self._count

    # -- looking up ----------------------------------------------------------------------------

    def candidate_ids(self, person: PreparedPerson) -> set[int]:
        ids: set[int] = set()
        cursor = self.connection.cursor()
        for key in sorted(query_keys(person)):
            rows = cursor.execute(
                "SELECT person_id FROM person_key WHERE key = ? LIMIT ?", (key, self.max_block + 1)
            ).fetchall()
            if len(rows) > self.max_block:
                continue
            ids.update(row[0] for row in rows)
        return ids

    def fetch(self, person_ids: Iterable[int]) -> Iterator[PreparedPerson]:
        ids = list(person_ids)
        columns = ", ".join(("record_id", *PERSON_COLUMNS))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            rows = self.connection.execute(
                f"SELECT {columns} FROM match_person WHERE person_id IN ({', '.join('?' * len(chunk))})",  # noqa: S608
                chunk,
            ).fetchall()
            for row in rows:
                yield prepare(PersonRecord(row[0], *row[1:]))

    def _parameters_for(self, person: PreparedPerson) -> Parameters:
        total = self.count()
        frequencies: dict[str, dict[str, float]] = {}
        floors: dict[str, float] = {}
        for field, value in (("given_name", person.given), ("family_name", person.family)):
            if not value or not total:
                continue
            row = self.connection.execute(
                "SELECT count FROM name_frequency WHERE field = ? AND value = ?", (field, value)
            ).fetchone()
            if row:
                frequencies[field] = {value: row[0] / total}
                floors[field] = max(1.0 / total, 1.0 / 50_000)
        base = self.parameters
        return Parameters(base.m, base.u, prior_for(total, self.duplicate_rate), frequencies, floors)

    def lookup(
        self,
        record: PersonRecord,
        *,
        limit: int = 10,
        include_different: bool = False,
        minimum_probability: float = REVIEW_THRESHOLD,
    ) -> list[MatchResult]:
        """Existing persons who may be the new ``record``, best first, each with score and reasons."""
        person = prepare(record)
        candidates = self.fetch(self.candidate_ids(person))
        return rank_candidates(
            person,
            candidates,
            self._parameters_for(person),
            include_different=include_different,
            minimum_probability=minimum_probability,
            limit=limit,
        )
