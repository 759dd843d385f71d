"""Lift the append-only triggers for a moment, as an attacker with database access would, so
that tests can tamper with the audit table. Restores them afterwards."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

TRIGGERS = importlib.import_module("casework.audit.migrations.0002_append_only_triggers")


@contextmanager
def triggers_lifted():
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Run the deferred foreign-key checks of rows written in this test's transaction now:
            # PostgreSQL refuses ALTER TABLE while they are pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        else:
            for statement in TRIGGERS.SQLITE_DOWN:
                cursor.execute(statement)
    try:
        yield
    finally:
        restore_triggers()


def restore_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for statement in TRIGGERS.SQLITE_DOWN + TRIGGERS.SQLITE_UP:
                cursor.execute(statement)


def execute(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
