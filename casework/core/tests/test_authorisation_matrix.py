"""The authorisation matrix: every URL, for every member of the cast, answers as the table says.

The table is ``authorisation_matrix.csv`` beside this file: one row per URL name, one column per
member of the cast. A URL that is not in the table fails the build, so nobody can add a page
without deciding who may use it. Only GET is walked here; each app's own tests cover POSTs.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from conftest import CAST_ROLES

TABLE = Path(__file__).with_name("authorisation_matrix.csv")


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            yield from url_names(pattern, f"{namespace}{ns}:" if ns else namespace)
        elif pattern.name:
            yield f"{namespace}{pattern.name}", pattern


def load_table() -> dict[str, dict[str, str]]:
    with TABLE.open(newline="") as handle:
        rows = [row for row in csv.DictReader(line for line in handle if not line.startswith("#"))]
    return {row["url_name"]: row for row in rows}


def test_every_url_is_in_the_table():
    names = {name for name, _ in url_names()}
    table = load_table()
    missing = sorted(names - set(table))
    stale = sorted(set(table) - names)
    assert not missing, f"URLs missing from {TABLE.name}: {missing}"
    assert not stale, f"Rows in {TABLE.name} for URLs that no longer exist: {stale}"


def test_the_table_has_a_column_for_every_member_of_the_cast():
    with TABLE.open(newline="") as handle:
        header = next(csv.reader(line for line in handle if not line.startswith("#")))
    assert header == ["url_name", *CAST_ROLES]


@pytest.fixture
def world(cast):
    """One record of each kind the URLs take, owned so that the table's expectations hold."""
    from casework.core.tests.matrix_world import build_world

    return build_world(cast)


def _cases() -> list[tuple[str, str]]:
    return [(name, role) for name in sorted(load_table()) for role in CAST_ROLES]


@pytest.mark.parametrize("url_name", sorted(load_table()))
def test_each_role_gets_the_expected_answer(url_name, cast, world, client_for):
    row = load_table()[url_name]
    kwargs = world.kwargs_for(url_name)
    url = reverse(url_name, kwargs=kwargs or None)
    failures = []
    for role in CAST_ROLES:
        expected = row[role].strip()
        user = None if role == "anonymous" else cast.by_name(role)
        response = client_for(user).get(url)
        if str(response.status_code) != expected:
            failures.append(f"{role}: expected {expected}, got {response.status_code}")
    assert not failures, f"{url_name} ({url}): " + "; ".join(failures)
