"""What an audit event holds: who, role, what record, action, reason, when (UTC), from where."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from casework.accounts import services as accounts
from casework.accounts.tests.factories import TEST_PASSWORD
from casework.audit.models import Action, AuditEvent
from casework.audit.services import (
    WITHHELD,
    diff,
    for_trail,
    record,
    record_create,
    record_view,
    records_value,
    snapshot,
    trail_value,
)


@pytest.fixture
def request_from(cast):
    def make(user, address="192.0.2.10", request_id="0123456789abcdef"):
        request = RequestFactory().get("/somewhere/", REMOTE_ADDR=address)
        request.user = user
        request.request_id = request_id
        return request

    return make


def test_a_view_records_who_role_what_when_and_where(cast, request_from):
    event = record_view(request_from(cast.clinical_lead), cast.clinician)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor == cast.clinical_lead
    assert stored.actor_role == "clinical_lead"
    assert stored.action == Action.VIEW
    assert (stored.object_type, stored.object_id) == ("accounts.user", str(cast.clinician.pk))
    assert stored.ip_address == "192.0.2.10"
    assert stored.request_id == "0123456789abcdef"
    assert stored.occurred_at.utcoffset() == dt.timedelta(0)
    assert abs((stored.occurred_at - dt.datetime.now(dt.UTC)).total_seconds()) < 60


def test_labels_are_references_not_names(cast, request_from):
    event = record_view(request_from(cast.clinical_lead), cast.clinician)
    assert event.object_label == f"user {cast.clinician.pk}"
    assert cast.clinician.full_name not in event.object_label
    assert cast.clinician.email not in event.object_label


def test_a_reason_is_kept(cast):
    event = record(action=Action.EXPORT, actor=cast.clinical_lead, obj=cast.clinician, reason="Court order 123")
    assert AuditEvent.objects.get(pk=event.pk).reason == "Court order 123"


def test_an_update_records_changed_fields_old_and_new_and_no_secrets(cast):
    accounts.user_update(user=cast.clinician, by=cast.sysadmin, job_title="Consultant", phone="01632 960 001")
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(cast.clinician.pk))
    assert event.actor == cast.sysadmin
    assert event.changes == {
        "job_title": {"old": "", "new": "Consultant"},
        "phone": {"old": "", "new": "01632 960 001"},
    }


def test_an_update_that_changes_nothing_records_nothing(cast):
    accounts.user_update(user=cast.clinician, by=cast.sysadmin, job_title="")
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_create_records_every_field_as_new(cast):
    event = record_create(request=None, actor=cast.sysadmin, obj=cast.finance, fields=["email", "role", "password"])
    assert event.changes == {
        "email": {"old": None, "new": cast.finance.email},
        "role": {"old": None, "new": "finance_officer"},
    }


def test_snapshot_diff_and_record_leave_out_secrets(cast):
    values = snapshot(cast.clinician, ["email", "password", "last_login"])
    assert set(values) == {"email", "last_login"}
    assert diff({"password": "a", "api_key": "b", "totp_secret": "c"}, {}, model=type(cast.clinician)) == {}
    event = record(
        action=Action.UPDATE,
        actor=cast.sysadmin,
        obj=cast.clinician,
        changes={"password": {"old": "x", "new": "y"}, "key_worker": {"old": 1, "new": 2}},
    )
    assert event.changes == {"key_worker": {"old": 1, "new": 2}}


def test_diff_lists_only_changed_fields():
    assert diff(
        {"sequence": 1, "action": "view"}, {"sequence": 1, "action": "update", "occurred_at": None}, model=AuditEvent
    ) == {"action": {"old": "view", "new": "update"}}


def test_structured_values_are_kept_and_free_text_only_as_changed():
    changes = diff(
        {"action": "view", "sequence": 2, "occurred_at": "2026-11-01T10:00:00", "actor": 4, "reason": "old words"},
        {
            "action": "update",
            "sequence": 3,
            "occurred_at": "2026-11-02T10:00:00",
            "actor": 5,
            "reason": "He waited outside her new flat",
        },
        model=AuditEvent,
    )
    assert changes == {
        "action": {"old": "view", "new": "update"},
        "sequence": {"old": 2, "new": 3},
        "occurred_at": {"old": "2026-11-01T10:00:00", "new": "2026-11-02T10:00:00"},
        "actor": {"old": 4, "new": 5},
        "reason": {"old": WITHHELD, "new": WITHHELD},
    }


def test_unknown_fields_and_a_missing_model_are_withheld_and_models_may_list_exceptions(monkeypatch):
    assert records_value(AuditEvent, "no_such_field") is False
    assert diff({"anything": "a"}, {"anything": "b"}, model=None) == {"anything": {"old": WITHHELD, "new": WITHHELD}}
    assert trail_value(AuditEvent, "reason", "") == ""  # an empty value says nothing, so it is kept
    assert for_trail(AuditEvent, {"reason": "words", "sequence": 4}) == {"reason": WITHHELD, "sequence": 4}
    monkeypatch.setattr(AuditEvent, "AUDIT_VALUES_RECORDED", ("reason",), raising=False)
    monkeypatch.setattr(AuditEvent, "AUDIT_VALUES_WITHHELD", ("sequence",), raising=False)
    assert records_value(AuditEvent, "reason") is True
    assert records_value(AuditEvent, "sequence") is False


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(cast, client):
    client.post(
        "/sign-in/", {"email": cast.clinician.email, "password": "wrong password entirely"}, REMOTE_ADDR="198.51.100.7"
    )
    failed = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert failed.actor == cast.clinician
    assert failed.ip_address == "198.51.100.7"
    assert failed.request_id

    client.post("/sign-in/", {"email": cast.clinician.email, "password": TEST_PASSWORD})
    signed_in = AuditEvent.objects.get(action=Action.SIGN_IN)
    assert (signed_in.actor, signed_in.actor_role) == (cast.clinician, "clinician")

    client.post("/sign-out/")
    assert AuditEvent.objects.filter(action=Action.SIGN_OUT, actor=cast.clinician).exists()


def test_a_failed_sign_in_for_an_unknown_address_keeps_no_personal_data(db, client):
    client.post("/sign-in/", {"email": "someone.else@example.org", "password": "whatever it is"})
    event = AuditEvent.objects.get(action=Action.SIGN_IN_FAILED)
    assert event.actor is None
    stored = " ".join(str(v) for v in AuditEvent.objects.filter(pk=event.pk).values().first().values())
    assert "someone.else" not in stored
