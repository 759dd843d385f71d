"""The backup manifest records every audit chain partition's head (ADR 0024), and a restore whose
heads differ in any partition is refused, while a manifest from before partitions still compares."""

from __future__ import annotations

import pytest
from django.db import connection

from casework.audit.models import ChainHead
from casework.backups.backup import _describe, heads_differ

pytestmark = pytest.mark.django_db


def test_the_manifest_holds_every_partitions_head():
    ChainHead.objects.filter(pk=5).update(sequence=7, entry_hash="e" * 64)
    with connection.cursor() as cursor:
        head = _describe(cursor, ["audit_chainhead"]).audit_head
    assert set(head["partitions"]) == {str(pk) for pk in ChainHead.objects.values_list("pk", flat=True)}
    assert len(head["partitions"]) > 1
    assert head["partitions"]["5"] == {"sequence": 7, "entry_hash": "e" * 64}
    one = ChainHead.objects.get(pk=1)
    assert (head["sequence"], head["entry_hash"]) == (one.sequence, one.entry_hash)


def test_a_restore_whose_heads_differ_in_any_partition_is_refused():
    with connection.cursor() as cursor:
        head = _describe(cursor, ["audit_chainhead"]).audit_head
    assert not heads_differ(head, head)
    moved = {**head, "partitions": {**head["partitions"], "5": {"sequence": 99, "entry_hash": "f" * 64}}}
    assert heads_differ(head, moved)


def test_a_manifest_from_before_partitions_compares_partition_one_only():
    with connection.cursor() as cursor:
        head = _describe(cursor, ["audit_chainhead"]).audit_head
    older = {"sequence": head["sequence"], "entry_hash": head["entry_hash"]}
    assert not heads_differ(older, head)
    assert heads_differ({**older, "sequence": head["sequence"] + 1}, head)
