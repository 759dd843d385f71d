"""The database itself refuses to change or remove audit events, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from casework.audit.models import Action, AuditEvent
from casework.audit.tests.factories import write_events
from casework.audit.tests.tampering import execute


@pytest.fixture
def event(db):
    return write_events(2, action=Action.VIEW, object_type="accounts.user", object_id=1)[0]


def refused(statement, params=()):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        execute(statement, params)


def test_the_database_refuses_update(event):
    refused("UPDATE audit_auditevent SET reason = 'changed' WHERE id = %s", [event.id])
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_database_refuses_delete(event):
    refused("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
    assert AuditEvent.objects.count() == 2


def test_the_database_refuses_emptying_the_table(event):
    """PostgreSQL's TRUNCATE (a statement trigger); SQLite has no TRUNCATE, and empties a table
    with an unqualified DELETE (its 'truncate optimisation'), which its row trigger refuses."""
    if connection.vendor == "postgresql":
        # Run the deferred foreign-key checks of this test's own inserts first, or PostgreSQL
        # refuses the TRUNCATE for that reason instead of the trigger's.
        execute("SET CONSTRAINTS ALL IMMEDIATE")
        refused("TRUNCATE audit_auditevent")
    else:
        refused("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 2


def test_the_orm_cannot_change_or_delete_an_event_either(event):
    event.reason = "changed"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(object_label="changed")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.reason, stored.object_label) == ("", event.object_label)


def test_appending_is_still_allowed(event):
    write_events(1, action=Action.VIEW, object_type="accounts.user", object_id=1)
    assert AuditEvent.objects.count() == 3
