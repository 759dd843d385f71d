"""An event is written in the same transaction as the change it records: a rolled-back change
leaves no event, and a failing audit write undoes the change."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from casework.accounts import services as accounts
from casework.accounts.models import User
from casework.audit.models import Action, AuditEvent, ChainHead
from casework.audit.tests.factories import write_events
from casework.audit.tests.tampering import execute


def head() -> tuple[int, str]:
    row = ChainHead.objects.filter(pk=1).first()
    return (row.sequence, row.entry_hash) if row else (0, "")


@contextmanager
def audit_inserts_fail():
    """Make the database refuse to add audit events (a full disk, a lost connection …)."""
    if connection.vendor == "postgresql":
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        execute(
            "CREATE FUNCTION test_refuse_insert() RETURNS trigger AS $$ BEGIN "
            "RAISE EXCEPTION 'audit write failed'; END; $$ LANGUAGE plpgsql"
        )
        execute(
            "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_auditevent "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_insert()"
        )
    else:
        execute(
            "CREATE TRIGGER test_refuse_insert BEFORE INSERT ON audit_auditevent "
            "BEGIN SELECT RAISE(ABORT, 'audit write failed'); END"
        )
    try:
        yield
    finally:
        execute(
            "DROP TRIGGER test_refuse_insert" + (" ON audit_auditevent" if connection.vendor == "postgresql" else "")
        )
        if connection.vendor == "postgresql":
            execute("DROP FUNCTION test_refuse_insert()")


def test_a_rolled_back_change_leaves_no_event(cast):
    write_events(2, action=Action.VIEW, object_type="accounts.user", object_id=cast.clinician.pk)
    before_head, before_count = head(), AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        accounts.user_update(user=cast.clinician, by=cast.sysadmin, job_title="Consultant psychologist")
        assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(cast.clinician.pk)).exists()
        raise RuntimeError("the rest of the business action failed")
    assert AuditEvent.objects.count() == before_count
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()
    assert head() == before_head
    assert User.objects.get(pk=cast.clinician.pk).job_title == ""


def test_the_chain_carries_on_without_a_gap_after_a_rollback(cast):
    from casework.audit.chain import verify_database

    write_events(1, object_type="accounts.user", object_id=1)
    with pytest.raises(RuntimeError), transaction.atomic():
        write_events(3, object_type="accounts.user", object_id=1)
        raise RuntimeError
    write_events(1, object_type="accounts.user", object_id=1)
    sequences = list(AuditEvent.objects.values_list("sequence", flat=True))
    assert sequences == list(range(sequences[0], sequences[0] + 2))
    assert verify_database().intact


def test_a_failing_audit_write_rolls_back_the_change(cast):
    before_head = head()
    with audit_inserts_fail():
        with pytest.raises(DatabaseError, match="audit write failed"):
            accounts.user_update(user=cast.clinician, by=cast.sysadmin, job_title="Consultant psychologist")
    assert User.objects.get(pk=cast.clinician.pk).job_title == ""
    assert head() == before_head
