"""Every registered record type × every role × every relationship state, for reading and for
changing, against the table in ``access_matrix.csv``.

For each state a world is built (``world.py``) with one record of every registered type and one
user of each role standing to it in that state. For each record and user the test asks the one
home (``casework.access.policy``) three questions — is the record in ``visible()``, does
``can_read`` say yes, does ``can_change`` — and compares them with the table. ``visible`` and
``can_read`` must agree. A type registered with the access rules but missing from the table (or
from the world) fails the build, so no record type joins without its rows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from casework.access import policy, registry
from tests.access.world import ROLES, STATES, build_world

TABLE = Path(__file__).with_name("access_matrix.csv")


def load_table() -> dict[tuple[str, str], dict[str, str]]:
    with TABLE.open(newline="") as handle:
        rows = list(csv.DictReader(line for line in handle if not line.startswith("#")))
    return {(row["record_type"], row["state"]): row for row in rows}


def test_every_registered_type_has_a_row_for_every_state():
    table = load_table()
    registered = {kind.label for kind in registry.all_kinds()}
    missing = sorted(f"{label} / {state}" for label in registered for state in STATES if (label, state) not in table)
    stale = sorted({label for label, _ in table} - registered)
    assert not missing, f"Registered types without rows in {TABLE.name}: {missing}"
    assert not stale, f"Rows in {TABLE.name} for types nobody registers: {stale}"


def test_the_table_has_a_column_for_every_role():
    with TABLE.open(newline="") as handle:
        header = next(csv.reader(line for line in handle if not line.startswith("#")))
    assert header == ["record_type", "state", *ROLES]


def _answer(user, obj) -> str:
    model = type(obj)
    in_visible = policy.visible(user, model).filter(pk=obj.pk).exists()
    reads = policy.can_read(user, obj)
    assert in_visible == reads, f"visible() and can_read disagree for {model._meta.label_lower}"
    changes = policy.can_change(user, obj)
    assert not (changes and not reads), "can_change without can_read"
    return "rw" if changes else "r" if reads else "-"


@pytest.mark.parametrize("state", STATES)
def test_each_role_reads_and_changes_as_the_table_says(db, state):
    world = build_world(state)
    table = load_table()
    registered = {kind.label for kind in registry.all_kinds()}
    assert registered <= set(world.records), f"No record made for {sorted(registered - set(world.records))}"
    failures = []
    for label in sorted(registered):
        obj = world.records[label]
        assert obj is not None, f"The world made no {label}"
        expected = table[(label, state)]
        for role in ROLES:
            got = _answer(world.users[role], obj)
            if got != expected[role].strip():
                failures.append(f"{label} {state} {role}: expected {expected[role]}, got {got}")
    assert not failures, "\n".join(failures)
