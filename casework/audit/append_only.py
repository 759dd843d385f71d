"""The database triggers that make the audit table append-only, as migration 0002 installs them,
and a check that the installed ones are still exactly those.

Someone with database rights could drop a trigger, disable it, narrow it (``UPDATE OF`` one column,
a ``WHEN`` condition) or replace the function it calls with one that lets the change through; the
hash chain would still verify until they used the gap. ``problems()`` compares what the database
reports with the definitions below and names every difference; ``verify_audit`` fails on any.
"""

from __future__ import annotations

import re

from django.db import connection as default_connection

TABLE = "audit_auditevent"

# SQLite keeps each trigger's CREATE statement as written (migration 0002's SQLITE_UP).
SQLITE_TRIGGERS = {
    "audit_no_update": (
        f"CREATE TRIGGER audit_no_update BEFORE UPDATE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END"
    ),
    "audit_no_delete": (
        f"CREATE TRIGGER audit_no_delete BEFORE DELETE ON {TABLE} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END"
    ),
}

# PostgreSQL, as pg_get_triggerdef() gives them back (the table's schema taken out).
POSTGRES_TRIGGERS = {
    "audit_no_update_delete": (
        f"CREATE TRIGGER audit_no_update_delete BEFORE DELETE OR UPDATE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
    ),
    "audit_no_truncate": (
        f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()"
    ),
}
POSTGRES_FUNCTION = "audit_refuse_change"
POSTGRES_FUNCTION_BODY = (
    "BEGIN RAISE EXCEPTION 'audit events are append-only: % refused on %', TG_OP, TG_TABLE_NAME; END;"
)
# pg_trigger.tgenabled: O fires in ordinary sessions, A always; D is disabled and R fires only
# on replicas, so either lets ordinary sessions change events.
POSTGRES_ENABLED = {"O", "A"}
POSTGRES_ENABLED_WORDS = {"D": "disabled", "R": "set to fire only in replica sessions"}


def normalise(sql: str) -> str:
    """Whitespace collapsed, identifier quotes and a trailing semicolon removed."""
    sql = re.sub(r'["`\[\]]', "", sql or "")
    return " ".join(sql.split()).rstrip(";").strip()


def problems(connection=None) -> list[str]:
    """What is wrong with the append-only triggers, one sentence each; empty if nothing is."""
    connection = connection or default_connection
    if connection.vendor == "sqlite":
        return _sqlite_problems(connection)
    if connection.vendor == "postgresql":
        return _postgres_problems(connection)
    return [f"the append-only triggers cannot be checked on {connection.vendor}"]


def _compare(installed: dict[str, str], expected: dict[str, str]) -> list[str]:
    found = []
    for name, definition in expected.items():
        if name not in installed:
            found.append(f"trigger {name} is missing: the database no longer refuses changes it refused")
        elif normalise(installed[name]) != normalise(definition):
            found.append(f"trigger {name} has been altered: it is now {normalise(installed[name])!r}")
    for name in sorted(set(installed) - set(expected)):
        found.append(f"trigger {name} on {TABLE} is not one the application installed")
    return found


def _sqlite_problems(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
        installed = {name: sql for name, sql in cursor.fetchall()}
    return _compare(installed, SQLITE_TRIGGERS)


def _postgres_problems(connection) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.tgname, pg_get_triggerdef(t.oid), t.tgenabled, n.nspname
              FROM pg_trigger t
              JOIN pg_class c ON c.oid = t.tgrelid
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE c.oid = to_regclass(%s) AND NOT t.tgisinternal
            """,
            [TABLE],
        )
        rows = cursor.fetchall()
        cursor.execute(
            """
            SELECT p.prosrc, l.lanname, p.prosecdef
              FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
             WHERE p.oid = to_regprocedure(%s)
            """,
            [f"{POSTGRES_FUNCTION}()"],
        )
        function = cursor.fetchone()
    installed = {}
    found = []
    for name, definition, enabled, schema in rows:
        installed[name] = definition.replace(f" ON {schema}.{TABLE} ", f" ON {TABLE} ")
        if name in POSTGRES_TRIGGERS and enabled not in POSTGRES_ENABLED:
            found.append(f"trigger {name} is {POSTGRES_ENABLED_WORDS.get(enabled, 'not enabled')}")
    found = _compare(installed, POSTGRES_TRIGGERS) + found
    if function is None:
        found.append(f"function {POSTGRES_FUNCTION}() that the triggers call is missing")
    else:
        body, language, security_definer = function
        if language != "plpgsql" or normalise(body) != normalise(POSTGRES_FUNCTION_BODY) or security_definer:
            found.append(
                f"function {POSTGRES_FUNCTION}() that the triggers call has been altered: "
                "it may no longer refuse the change"
            )
    return found
