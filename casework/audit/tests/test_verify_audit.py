"""`manage.py verify_audit` proves the chain: 0 when intact, 1 naming the first broken event for
each kind of tampering. Runs on whichever database the suite uses (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from casework.audit import chain
from casework.audit.models import Action, AuditEvent, ChainHead
from casework.audit.services import record
from casework.audit.tests.factories import write_events
from casework.audit.tests.tampering import execute, triggers_lifted


def verify_audit() -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", stdout=out, stderr=err)
    except SystemExit as exit_:
        return int(exit_.code), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def events(cast):
    """Six events, as a day's work leaves them: views, a change, a sign-in."""
    written = write_events(3, actor=cast.clinician, obj=cast.agency)
    written.append(
        record(
            action=Action.UPDATE,
            actor=cast.clinical_lead,
            obj=cast.clinician,
            changes={"job_title": {"old": "Nurse", "new": "Senior nurse"}},
        )
    )
    written += write_events(2, actor=cast.coordinator, obj=cast.organisation, reason="Triage")
    return {event.sequence: event for event in written}


def seq(events, n: int) -> int:
    """The sequence of the n-th event written by the fixture (the chain may not start at 1)."""
    return sorted(events)[n - 1]


def test_intact_chain_exits_0_and_prints_the_head(events):
    code, out, err = verify_audit()
    assert code == 0, err
    head = ChainHead.objects.get(pk=1)
    assert f"{head.sequence} events verified" in out
    assert f"Chain head: #{head.sequence} {head.entry_hash}" in out


def test_empty_trail_is_intact(db):
    code, out, _ = verify_audit()
    assert code == 0
    assert "0 events verified" in out


def test_altered_event_is_named(events):
    third = events[seq(events, 3)]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["nothing to see", third.id])
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{third.sequence} (id {third.id})" in err
    assert "altered" in err


def test_altered_changes_are_caught(events):
    fourth = events[seq(events, 4)]
    with triggers_lifted():
        AuditEvent.objects.filter(pk=fourth.pk).update(changes={"job_title": {"old": "Nurse", "new": "Consultant"}})
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{fourth.sequence} (id {fourth.id})" in err


def test_altered_hash_fields_are_caught(events):
    """Rewriting an event's own hash (without the key) breaks it, or the link after it."""
    second = events[seq(events, 2)]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET reason = 'x', entry_hash = %s WHERE id = %s", ["f" * 64, second.id])
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{second.sequence} (id {second.id})" in err


def test_deleted_event_is_named(events):
    third = events[seq(events, 3)]
    fourth = events[seq(events, 4)]
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [third.id])
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{third.sequence}" in err
    assert "missing" in err and "deleted" in err
    assert f"next event found is #{fourth.sequence}, id {fourth.id}" in err


def test_deleted_event_with_the_rest_renumbered_is_named(events):
    """Closing the gap by renumbering the later events does not hide the deletion."""
    third = events[seq(events, 3)]
    fourth = events[seq(events, 4)]
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE id = %s", [third.id])
        execute("UPDATE audit_auditevent SET sequence = sequence + 1000 WHERE sequence > %s", [third.sequence])
        execute("UPDATE audit_auditevent SET sequence = sequence - 1001 WHERE sequence > 1000")
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{third.sequence} (id {fourth.id})" in err


def _forge(events, *, sequence: int, previous_hash: str) -> AuditEvent:
    """An event written straight into the table by someone without the key."""
    template = events[seq(events, 1)]
    forged = AuditEvent(
        sequence=sequence,
        occurred_at=template.occurred_at,
        actor=template.actor,
        actor_role=template.actor_role,
        action=Action.VIEW,
        object_type=template.object_type,
        object_id=template.object_id,
        object_label=template.object_label,
        reason="",
        changes={},
        ip_address=None,
        request_id="",
        previous_hash=previous_hash,
    )
    forged.entry_hash = chain.compute_hash(forged, previous_hash, key="a guessed key")
    forged.save(force_insert=True)
    return forged


def test_event_inserted_in_the_middle_is_named(events):
    third = events[seq(events, 3)]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET sequence = sequence + 1000 WHERE sequence > %s", [third.sequence])
        execute("UPDATE audit_auditevent SET sequence = sequence - 999 WHERE sequence > 1000")
        forged = _forge(events, sequence=third.sequence + 1, previous_hash=third.entry_hash)
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{forged.sequence} (id {forged.id})" in err
    assert "inserted" in err


def test_event_inserted_with_a_forged_sequence_before_the_chain_is_named(events):
    with triggers_lifted():
        forged = _forge(events, sequence=0, previous_hash=chain.GENESIS_HASH)
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #0 (id {forged.id})" in err
    assert "inserted or reordered" in err


def test_event_appended_past_the_head_is_named(events):
    head = ChainHead.objects.get(pk=1)
    with triggers_lifted():
        forged = _forge(events, sequence=head.sequence + 1, previous_hash=head.entry_hash)
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{forged.sequence} (id {forged.id})" in err
    assert "beyond the newest event the chain head records" in err


def test_event_appended_with_the_head_moved_to_match_is_named(events):
    head = ChainHead.objects.get(pk=1)
    with triggers_lifted():
        forged = _forge(events, sequence=head.sequence + 1, previous_hash=head.entry_hash)
        ChainHead.objects.filter(pk=1).update(sequence=forged.sequence, entry_hash=forged.entry_hash)
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{forged.sequence} (id {forged.id})" in err


def test_reordered_events_are_named(events):
    third, fourth = events[seq(events, 3)], events[seq(events, 4)]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET sequence = 999999 WHERE id = %s", [third.id])
        execute("UPDATE audit_auditevent SET sequence = %s WHERE id = %s", [third.sequence, fourth.id])
        execute("UPDATE audit_auditevent SET sequence = %s WHERE id = %s", [fourth.sequence, third.id])
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{third.sequence} (id {fourth.id})" in err
    assert "reordered" in err


def test_truncated_newest_events_are_named(events):
    fifth = events[seq(events, 5)]
    sixth = events[seq(events, 6)]
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE sequence >= %s", [fifth.sequence])
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{fifth.sequence}:" in err
    assert f"events #{fifth.sequence} to #{sixth.sequence} are missing" in err
    assert "newest events were deleted" in err


def test_truncation_with_the_head_rewound_is_caught_by_the_seal(events):
    fourth = events[seq(events, 4)]
    with triggers_lifted():
        execute("DELETE FROM audit_auditevent WHERE sequence > %s", [fourth.sequence])
        ChainHead.objects.filter(pk=1).update(sequence=fourth.sequence, entry_hash=fourth.entry_hash)
    code, _, err = verify_audit()
    assert code == 1
    assert "Audit chain broken at the chain head" in err
    assert "rewound" in err


def test_head_rewound_over_intact_events_is_caught(events):
    """Moving only the head back leaves events past it, which are named."""
    fourth, fifth = events[seq(events, 4)], events[seq(events, 5)]
    ChainHead.objects.filter(pk=1).update(
        sequence=fourth.sequence,
        entry_hash=fourth.entry_hash,
        seal=chain.head_seal(fourth.sequence, fourth.entry_hash),
    )
    code, _, err = verify_audit()
    assert code == 1
    assert f"event #{fifth.sequence} (id {fifth.id})" in err


def test_wrong_key_fails_at_the_first_event(events):
    first = AuditEvent.objects.order_by("sequence").first()
    with override_settings(AUDIT_HMAC_KEY="not the key the chain was written with"):
        code, _, err = verify_audit()
    assert code == 1
    assert f"event #{first.sequence} (id {first.id})" in err


def test_wrong_key_fails_an_empty_chain_at_the_head(db):
    ChainHead.objects.update_or_create(
        pk=1,
        defaults={"sequence": 0, "entry_hash": chain.GENESIS_HASH, "seal": chain.head_seal(0, chain.GENESIS_HASH)},
    )
    with override_settings(AUDIT_HMAC_KEY="not the key the chain was written with"):
        code, _, err = verify_audit()
    assert code == 1
    assert "chain head" in err


def test_first_break_is_the_one_named(events):
    """With two tamperings, the earlier one is reported."""
    second, fifth = events[seq(events, 2)], events[seq(events, 5)]
    with triggers_lifted():
        execute("UPDATE audit_auditevent SET reason = 'a' WHERE id IN (%s, %s)", [second.id, fifth.id])
    code, _, err = verify_audit()
    assert code == 1
    assert re.search(rf"event #{second.sequence} \(id {second.id}\)", err)
    assert f"#{fifth.sequence} " not in err


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "2001:0DB8:0000:0000:0000:0000:0000:0001",
        "::ffff:192.0.2.1",
        "fe80::1",
    ],
)
def test_addresses_and_values_survive_the_round_trip(db, address):
    """What is hashed is what the database gives back: addresses, dates, decimals, unicode."""
    import datetime as dt
    import decimal

    request = RequestFactory().get("/", REMOTE_ADDR=address)
    request.request_id = "abcdef0123456789"
    record(
        action=Action.UPDATE,
        request=request,
        object_type="accounts.user",
        object_id=7,
        object_label="user 7",
        reason="Überprüfung – ‘quotes’ ✓",
        changes={
            "born": {"old": dt.date(1980, 1, 2), "new": None},
            "fee": {"old": decimal.Decimal("12.50"), "new": 1.5},
            "seen_at": {"old": None, "new": dt.datetime(2026, 3, 29, 1, 30, tzinfo=dt.UTC)},
            "tags": {"old": ("a", "b"), "new": ["c"]},
        },
    )
    code, _, err = verify_audit()
    assert code == 0, err


def test_unparseable_address_is_not_stored(db):
    request = RequestFactory().get("/", REMOTE_ADDR="not-an-address")
    event = record(action=Action.VIEW, request=request, object_type="accounts.user", object_id=1)
    assert event.ip_address is None
    assert verify_audit()[0] == 0
