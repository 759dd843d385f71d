"""`verify_audit` also checks what the chain alone cannot: that the append-only triggers are
installed as the migration made them, and (given a head kept off the server) that the chain was not
rolled back. Runs on whichever database the suite uses; each case is written for both."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from casework.audit import append_only, chain
from casework.audit.models import Action, AuditEvent, ChainHead
from casework.audit.services import record
from casework.audit.tests.factories import write_events
from casework.audit.tests.tampering import execute, restore_triggers, triggers_lifted


def verify_audit(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def events(db):
    return write_events(6, action=Action.VIEW, object_type="accounts.user", object_id=1)


@pytest.fixture
def ddl():
    """Run statements that change the triggers; put the migration's triggers back afterwards."""

    def run(*statements: str) -> None:
        if connection.vendor == "postgresql":
            execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement in statements:
            execute(statement)

    yield run
    _reinstall()


def _reinstall() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("DROP TRIGGER IF EXISTS audit_extra ON audit_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_update_delete ON audit_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_truncate ON audit_auditevent")
            cursor.execute(append_only_migration().POSTGRES_UP, None)
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_extra")
    restore_triggers()


def append_only_migration():
    import importlib

    return importlib.import_module("casework.audit.migrations.0002_append_only_triggers")


def the_head() -> str:
    head = ChainHead.objects.get(pk=1)
    return f"{head.sequence}:{head.entry_hash}"


# --- The triggers ------------------------------------------------------------------------------------


def test_an_intact_trail_with_its_triggers_passes(events):
    code, out, err = verify_audit()
    assert code == 0, err
    assert "Append-only triggers installed and unaltered." in out
    assert append_only.problems() == []


def expected_triggers() -> list[str]:
    return sorted(append_only.POSTGRES_TRIGGERS if connection.vendor == "postgresql" else append_only.SQLITE_TRIGGERS)


@pytest.mark.parametrize("which", [0, 1])
def test_a_dropped_trigger_fails_naming_it(events, ddl, which):
    name = expected_triggers()[which]
    ddl(f"DROP TRIGGER {name} ON audit_auditevent" if connection.vendor == "postgresql" else f"DROP TRIGGER {name}")
    code, out, err = verify_audit()
    assert code == 1
    assert f"trigger {name} is missing" in err
    assert "Chain head" not in out
    # The chain itself is still intact: only the trigger check sees this.
    assert chain.verify_database().intact


# Each alteration, as it is done on PostgreSQL and on SQLite, and what verify_audit says about it.
ALTERATIONS = {
    "narrowed to one column": (
        [
            "DROP TRIGGER audit_no_update_delete ON audit_auditevent",
            "CREATE TRIGGER audit_no_update_delete BEFORE DELETE OR UPDATE OF reason ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        ],
        "trigger audit_no_update_delete has been altered",
        [
            "DROP TRIGGER audit_no_update",
            "CREATE TRIGGER audit_no_update BEFORE UPDATE OF reason ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused'); END;",
        ],
        "trigger audit_no_update has been altered",
    ),
    "a condition that never holds": (
        [
            "DROP TRIGGER audit_no_truncate ON audit_auditevent",
            "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_auditevent "
            "FOR EACH STATEMENT WHEN (false) EXECUTE FUNCTION audit_refuse_change()",
        ],
        "trigger audit_no_truncate has been altered",
        [
            "DROP TRIGGER audit_no_delete",
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent WHEN 0 "
            "BEGIN SELECT RAISE(ABORT, 'audit events are append-only: DELETE refused'); END;",
        ],
        "trigger audit_no_delete has been altered",
    ),
    # PostgreSQL can switch a trigger off without dropping it; SQLite cannot (dropping it is the
    # case above), so there the nearest thing is a trigger whose action no longer refuses.
    "disabled": (
        ["ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_update_delete"],
        "trigger audit_no_update_delete is disabled",
        [
            "DROP TRIGGER audit_no_update",
            "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit_auditevent BEGIN SELECT 1; END;",
        ],
        "trigger audit_no_update has been altered",
    ),
    # SQLite triggers carry their action inline: an altered action is an altered trigger.
    "the refusing action replaced": (
        [
            "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
            "BEGIN RETURN OLD; END; $$ LANGUAGE plpgsql"
        ],
        "function audit_refuse_change() that the triggers call has been altered",
        [
            "DROP TRIGGER audit_no_delete",
            "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit_auditevent BEGIN SELECT RAISE(IGNORE); END;",
        ],
        "trigger audit_no_delete has been altered",
    ),
    "one the application did not install": (
        [
            "CREATE TRIGGER audit_extra BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()"
        ],
        "trigger audit_extra on audit_auditevent is not one the application installed",
        ["CREATE TRIGGER audit_extra BEFORE INSERT ON audit_auditevent BEGIN SELECT RAISE(IGNORE); END;"],
        "trigger audit_extra on audit_auditevent is not one the application installed",
    ),
}


@pytest.mark.parametrize("alteration", sorted(ALTERATIONS))
def test_an_altered_trigger_fails_naming_it(events, ddl, alteration):
    postgres, postgres_says, sqlite, sqlite_says = ALTERATIONS[alteration]
    statements, says = (postgres, postgres_says) if connection.vendor == "postgresql" else (sqlite, sqlite_says)
    ddl(*statements)
    code, out, err = verify_audit()
    assert code == 1
    assert says in err
    assert "Chain head" not in out


def test_a_narrowed_trigger_really_lets_changes_through(events, ddl):
    """Why the check matters: the chain still verifies while an unprotected column can be changed."""
    postgres, _, sqlite, _ = ALTERATIONS["narrowed to one column"]
    ddl(*(postgres if connection.vendor == "postgresql" else sqlite))
    execute("UPDATE audit_auditevent SET object_label = 'changed' WHERE id = %s", [events[0].id])
    assert AuditEvent.objects.get(pk=events[0].pk).object_label == "changed"


def test_the_expected_definitions_are_what_the_migration_installs(db):
    """The check compares with its own copy of the definitions; it must match the migration."""
    migration = append_only_migration()
    sqlite_made = {statement.split()[2]: statement for statement in migration.SQLITE_UP}
    assert {name: append_only.normalise(sql) for name, sql in sqlite_made.items()} == {
        name: append_only.normalise(sql) for name, sql in append_only.SQLITE_TRIGGERS.items()
    }
    assert append_only.normalise(append_only.POSTGRES_FUNCTION_BODY) in append_only.normalise(migration.POSTGRES_UP)


# --- A head recorded off the server ---------------------------------------------------------------------


def test_print_head_prints_only_the_head_and_it_is_accepted_back(events):
    code, out, err = verify_audit("--print-head")
    assert code == 0, err
    assert out.strip() == the_head()
    code, out, err = verify_audit("--expect-head", out.strip())
    assert code == 0, err
    assert "still holds event" in out


def test_an_older_head_recorded_earlier_is_still_held(events):
    earlier = events[2]
    code, _, err = verify_audit("--expect-head", f"{earlier.sequence}:{earlier.entry_hash}")
    assert code == 0, err


def test_print_head_prints_nothing_when_verification_fails(events, ddl):
    ddl(
        f"DROP TRIGGER {expected_triggers()[0]} ON audit_auditevent"
        if connection.vendor == "postgresql"
        else f"DROP TRIGGER {expected_triggers()[0]}"
    )
    code, out, _ = verify_audit("--print-head")
    assert code == 1 and out == ""


def rolled_back_to(event: AuditEvent) -> None:
    """What restoring an old backup does: the newest events gone, the head (a sealed copy from
    that time) back at ``event``. The chain is intact and the seal is good."""
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE sequence > %s", [event.sequence])
        ChainHead.objects.filter(pk=1).update(
            sequence=event.sequence,
            entry_hash=event.entry_hash,
            seal=chain.head_seal(event.sequence, event.entry_hash),
        )


def test_a_rolled_back_chain_passes_alone_but_fails_against_the_head_kept_elsewhere(events):
    kept = the_head()
    newest = events[-1]
    rolled_back_to(events[3])
    assert verify_audit()[0] == 0  # the blind spot the expected head closes
    code, out, err = verify_audit("--expect-head", kept)
    assert code == 1
    assert f"it ends at event #{events[3].sequence}, before event #{newest.sequence} recorded off the server" in err
    assert "Chain head" not in out


def test_a_chain_rolled_back_and_written_again_fails_against_the_head_kept_elsewhere(events):
    kept = the_head()
    rolled_back_to(events[3])
    for _ in range(4):  # as many events again, and more: the chain is now longer than the kept head
        record(action=Action.VIEW, object_type="accounts.user", object_id=2)
    assert verify_audit()[0] == 0
    code, _, err = verify_audit("--expect-head", kept)
    assert code == 1
    assert f"event #{events[-1].sequence} does not have the hash recorded off the server" in err


@pytest.mark.parametrize("value", ["", "12", "12:xyz", "abc:" + "0" * 64, "12:" + "0" * 63])
def test_a_malformed_expected_head_is_refused(db, value):
    with pytest.raises(CommandError, match="--expect-head must be SEQ:HASH"):
        call_command("verify_audit", "--expect-head", value, stdout=io.StringIO(), stderr=io.StringIO())
