"""The SQL each database runs: writing the PostgreSQL vector, counting hits, one page of hits,
and highlighted snippets for that page.

Everything the user typed reaches the database as a bound parameter: the FTS5 MATCH expression
and the tsquery text are built by ``text.Query`` from words alone (letters and digits), quoted
again for good measure, and never formatted into SQL. The scope (which records the user may
see) arrives as SQL compiled by Django from the referrals and cases apps' own querysets, with
its own parameters. The only text formatted into these statements is fixed here: table and
column names, the highlight marks and the scope's compiled SQL.
"""

# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction

from casework.search.text import ELLIPSIS, MARK_END, MARK_START, Query, index_words

TABLE = "search_searchdocument"
# The document row in count and page queries goes by the table's own (quoted) name, which is what
# the scope condition compiled by Django refers to.
DOC = f'"{TABLE}"'
FTS = "search_fts"
# The parts a user may search: everyone the record's heading and details; clinical content only
# for those who may read it.
OPEN_COLUMNS = ("heading", "details")
ALL_COLUMNS = ("heading", "details", "clinical")
OPEN_WEIGHTS = "AB"

# bm25 weights per column (heading, details, clinical): a hit on a name or reference counts most.
BM25 = "bm25(search_fts, 10.0, 4.0, 1.0)"
SNIPPET_TOKENS = 24
# ts_headline: the whole heading (it is short); up to two fragments of the longer parts.
HEADLINE_HEADING = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=true'
HEADLINE_BODY = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=30, MinWords=12, MaxFragments=2, '
    f'FragmentDelimiter=" {ELLIPSIS} "'
)


@dataclass(frozen=True)
class Hit:
    id: int
    record_type: str
    record_id: int
    reference: str


@dataclass(frozen=True)
class Snippets:
    heading: str
    details: str
    clinical: str


@dataclass(frozen=True)
class Scope:
    """``sql`` is a condition on the document row (``search_searchdocument``); ``params`` its
    parameters."""

    sql: str
    params: Sequence


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- Writing (PostgreSQL's vector; SQLite's triggers need nothing) -------------------------------


VECTOR_SQL = (
    f"UPDATE {TABLE} AS d SET vector = "
    "setweight(to_tsvector('simple', v.h), 'A') || setweight(to_tsvector('simple', v.d), 'B') "
    "|| setweight(to_tsvector('simple', v.c), 'C') "
    "FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[]) AS v(id, h, d, c) WHERE d.id = v.id"
)


def write_vectors(rows: Sequence[tuple[int, str, str, str]]) -> None:
    """(document id, heading, details, clinical) for each document: PostgreSQL's vector, built
    from the same words SQLite's tokenizer makes. One statement, however many rows."""
    if not rows or not is_postgresql():
        return
    ids, headings, details, clinical = zip(*rows)
    with connection.cursor() as cursor:
        cursor.execute(
            VECTOR_SQL,
            [
                list(ids),
                [index_words(t) for t in headings],
                [index_words(t) for t in details],
                [index_words(t) for t in clinical],
            ],
        )


def rebuild() -> None:
    """SQLite: rebuild the FTS5 index from the documents (repairs any drift)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')")


# --- Reading ----------------------------------------------------------------------------------


@contextmanager
def _reading() -> Iterator:
    """A cursor for the scoped statements. On PostgreSQL, just-in-time compilation is switched off
    for them (``SET LOCAL``, this transaction only): the scope's nested subqueries make the planner's
    cost estimate high enough to trigger JIT, which then spends over a second compiling a
    statement that runs in a few milliseconds."""
    if is_postgresql():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            yield cursor
    else:
        with connection.cursor() as cursor:
            yield cursor


def _sqlite_match(query: Query, clinical: bool) -> str:
    return query.fts5(None if clinical else OPEN_COLUMNS)


def _tsquery(query: Query, clinical: bool) -> str:
    return query.tsquery("" if clinical else OPEN_WEIGHTS)


def count(query: Query, *, clinical: bool, scope: Scope) -> int:
    if is_postgresql():
        sql = f"SELECT COUNT(*) FROM {TABLE}, to_tsquery('simple', %s) q WHERE {DOC}.vector @@ q AND ({scope.sql})"
        params = [_tsquery(query, clinical), *scope.params]
    else:
        sql = (
            f"SELECT COUNT(*) FROM {FTS} JOIN {TABLE} ON {DOC}.id = {FTS}.rowid WHERE {FTS} MATCH %s AND ({scope.sql})"
        )
        params = [_sqlite_match(query, clinical), *scope.params]
    with _reading() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def page(query: Query, *, clinical: bool, scope: Scope, limit: int, offset: int) -> tuple[list[Hit], int | None]:
    """Hits, best first (ties: the newest record first), and how many there are in all (counted in
    the same statement; None when the page is empty, which says nothing about the total)."""
    if is_postgresql():
        sql = (
            f"SELECT {DOC}.id, {DOC}.record_type, {DOC}.record_id, {DOC}.reference, COUNT(*) OVER () "
            f"FROM {TABLE}, to_tsquery('simple', %s) q WHERE {DOC}.vector @@ q AND ({scope.sql}) "
            f"ORDER BY ts_rank({DOC}.vector, q, 1) DESC, {DOC}.id DESC LIMIT %s OFFSET %s"
        )
        params = [_tsquery(query, clinical), *scope.params, limit, offset]
    else:
        # bm25() is only available beside the MATCH, so the matches and their scores come first.
        sql = (
            f"WITH m AS (SELECT rowid AS id, {BM25} AS score FROM {FTS} WHERE {FTS} MATCH %s) "
            f"SELECT {DOC}.id, {DOC}.record_type, {DOC}.record_id, {DOC}.reference, COUNT(*) OVER () "
            f"FROM m JOIN {TABLE} ON {DOC}.id = m.id WHERE ({scope.sql}) "
            f"ORDER BY m.score, {DOC}.id DESC LIMIT %s OFFSET %s"
        )
        params = [_sqlite_match(query, clinical), *scope.params, limit, offset]
    with _reading() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [Hit(*row[:4]) for row in rows], (rows[0][4] if rows else None)


def snippets(query: Query, *, clinical: bool, ids: Sequence[int]) -> dict[int, Snippets]:
    """Highlighted snippets of each part of the documents ``ids``, the marks being ``MARK_START``
    and ``MARK_END`` (``text.highlighted`` turns them into HTML). The clinical part is never
    read for a user who may not read clinical content."""
    if not ids:
        return {}
    placeholders = ", ".join(["%s"] * len(ids))
    params: list[str | int]
    if is_postgresql():
        clinical_sql = "ts_headline('simple', d.clinical, q, %s)" if clinical else "''"
        sql = (
            "SELECT d.id, ts_headline('simple', d.heading, q, %s), ts_headline('simple', d.details, q, %s), "
            f"{clinical_sql} FROM {TABLE} d, to_tsquery('simple', %s) q WHERE d.id IN ({placeholders})"
        )
        params = [
            HEADLINE_HEADING,
            HEADLINE_BODY,
            *([HEADLINE_BODY] if clinical else []),
            query.tsquery(highlight=True),
            *ids,
        ]
    else:
        marks = f"'{MARK_START}', '{MARK_END}', '{ELLIPSIS}', {SNIPPET_TOKENS}"
        clinical_sql = f"snippet({FTS}, 2, {marks})" if clinical else "''"
        sql = (
            f"SELECT rowid, snippet({FTS}, 0, {marks}), snippet({FTS}, 1, {marks}), {clinical_sql} "
            f"FROM {FTS} WHERE {FTS} MATCH %s AND rowid IN ({placeholders})"
        )
        params = [_sqlite_match(query, clinical), *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Snippets(row[1] or "", row[2] or "", row[3] or "") for row in cursor.fetchall()}
