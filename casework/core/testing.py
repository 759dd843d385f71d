"""Helpers for the tests of every app (imported only by tests).

Query counts are compared at two sizes of data, never asserted as absolute numbers: an absolute
number breaks whenever a harmless query is added (a session save, a permission look-up) and says
nothing about the defect that matters, a query per row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext


def _listing(queries: Sequence[dict]) -> str:
    return "\n".join(f"  {number}. {query['sql']}" for number, query in enumerate(queries, start=1))


def assert_queries_flat(
    run: Callable[[], Any], *, grow: Callable[[], Any], warm: bool = True, using: str = DEFAULT_DB_ALIAS
) -> int:
    """``run`` (a page fetch, a query) takes as many queries after ``grow`` has added data as before.

    ``run`` is called once first to warm what is cached per process or per session (``warm``),
    then counted, then ``grow`` adds more of the data ``run`` reads, then ``run`` is counted
    again. Returns the count, for a test that also wants to see it is small.
    """
    if warm:
        run()
    small = count_queries(run, using=using)
    grow()
    large = count_queries(run, using=using)
    return assert_same_count(small, large)


def count_queries(run: Callable[[], Any], *, using: str = DEFAULT_DB_ALIAS) -> list[dict]:
    """The queries ``run`` makes, kept (for comparing two sizes of data with ``assert_same_count``).

    The connection's log is emptied first: it holds only the last few thousand queries, and a long
    run of requests (a module that counts every page) would otherwise count in a full log."""
    connection = connections[using]
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        run()
    return list(queries.captured_queries)


def assert_same_count(small: Sequence[dict], large: Sequence[dict]) -> int:
    """The same number of queries at the larger size as at the smaller; returns the count."""
    if len(large) != len(small):
        raise AssertionError(
            f"The number of queries grew with the data: {len(small)} before, {len(large)} after.\n"
            f"Before:\n{_listing(small)}\nAfter:\n{_listing(large)}"
        )
    return len(small)


def assert_page_queries_flat(
    client, url: str, *, grow: Callable[[], Any], data: dict | None = None, status: int = 200, **kwargs: Any
) -> int:
    """``assert_queries_flat`` for a GET of ``url`` that must answer ``status``."""

    def fetch() -> None:
        response = client.get(url, data or {})
        assert response.status_code == status, (url, response.status_code)

    return assert_queries_flat(fetch, grow=grow, **kwargs)


@contextmanager
def kept_for_the_module(django_db_blocker, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Data made inside this block is built once and shared by a module's tests, then thrown away.

    For a module-scoped fixture (with ``django_db_setup`` and ``django_db_blocker``)::

        @pytest.fixture(scope="module")
        def demo_once(django_db_setup, django_db_blocker):
            with kept_for_the_module(django_db_blocker):
                with django_db_blocker.unblock():
                    demo = build_the_demo()
                yield demo

    An outer transaction is opened before the data is made and rolled back when the module is done,
    so nothing reaches the next module. Each test's own transaction (pytest-django's ``db``) is a
    savepoint inside it and is rolled back after the test, so a test that changes the shared data
    cannot change what the next test sees. Works the same on SQLite and PostgreSQL, and with
    pytest-xdist (each worker has its own database and builds the data at most once per module).
    """
    with django_db_blocker.unblock():
        outer = transaction.atomic(using=using)
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True, using=using)
            outer.__exit__(None, None, None)


def markup_shape(markup: str) -> list[tuple]:
    """Every element of ``markup`` with its attributes, text and tail (runs of white space made one
    space): two renderings with the same shape show the same thing (tables written out by hand
    against the nhsuk-frontend macro they replace)."""
    import re

    from lxml import html

    def text(value: str | None) -> str:
        return re.sub(r"\s+", " ", value or "").strip()

    return [
        (element.tag, sorted(element.attrib.items()), text(element.text), text(element.tail))
        for element in html.fromstring(markup).iter()
    ]
