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
from casework.cases.models import Incident, MappaRegistration
from casework.people.models import Person


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
    event = record(action=Action.UPDATE, actor=cast.sysadmin, obj=cast.clinician,
                   changes={"password": {"old": "x", "new": "y"}, "key_worker": {"old": 1, "new": 2}})
    assert event.changes == {"key_worker": {"old": 1, "new": 2}}


def test_diff_lists_only_changed_fields():
    assert diff({"severity": 1, "category": 2}, {"severity": 1, "category": 3, "level": None}, model=MappaRegistration) == {
        "category": {"old": 2, "new": 3}
    }


def test_structured_values_are_kept_and_free_text_only_as_changed():
    changes = diff(
        {"behaviour": "text", "severity": 2, "occurred_on": "2026-11-01", "victim_id": 4, "description": "old words"},
        {"behaviour": "following", "severity": 3, "occurred_on": "2026-11-02", "victim_id": 5,
         "description": "He waited outside her new flat"},
        model=Incident,
    )
    assert changes == {
        "behaviour": {"old": "text", "new": "following"},
        "severity": {"old": 2, "new": 3},
        "occurred_on": {"old": "2026-11-01", "new": "2026-11-02"},
        "victim_id": {"old": 4, "new": 5},
        "description": {"old": WITHHELD, "new": WITHHELD},
    }


def test_unknown_fields_a_date_of_birth_and_a_missing_model_are_withheld():
    assert records_value(Incident, "no_such_field") is False
    assert records_value(Person, "date_of_birth") is False
    assert records_value(Person, "sex") is True
    assert diff({"anything": "a"}, {"anything": "b"}, model=None) == {"anything": {"old": WITHHELD, "new": WITHHELD}}
    assert trail_value(Incident, "description", "") == ""  # an empty value says nothing, so it is kept
    assert for_trail(Incident, {"description": "words", "severity": 4}) == {"description": WITHHELD, "severity": 4}


def test_sign_in_sign_out_and_failed_sign_in_are_recorded(cast, client):
    client.post("/sign-in/", {"email": cast.clinician.email, "password": "wrong password entirely"},
                REMOTE_ADDR="198.51.100.7")
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
