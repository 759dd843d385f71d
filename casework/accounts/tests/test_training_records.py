"""Staff training records: clinical leads and system administrators add and remove them; the
account page shows current and expired training; the queries other apps rely on keep working."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.models import TrainingRecord
from casework.accounts.queries import has_current_training, latest_training, training_status
from casework.accounts.tests.factories import TrainingRecordFactory
from casework.audit.models import Action, AuditEvent
from casework.core.formatting import date_gb
from casework.core.roles import Instrument
from casework.core.testing import assert_page_queries_flat

MANAGERS = ["clinical_lead", "sysadmin"]
OTHERS = ["coordinator", "clinician", "other_clinician", "finance", "researcher", "agency", "agency_other"]


def today() -> dt.date:
    return timezone.localdate()


def date_parts(prefix: str, date: dt.date) -> dict:
    return {f"{prefix}_day": str(date.day), f"{prefix}_month": str(date.month), f"{prefix}_year": str(date.year)}


def training_data(**overrides) -> dict:
    data = {
        "instrument": Instrument.SAM.value,
        **date_parts("trained_on", today() - dt.timedelta(days=30)),
        **date_parts("expires_on", today() + dt.timedelta(days=700)),
        "provider": "Protect International",
    }
    data.update(overrides)
    return data


def last_event(obj, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).latest(
        "sequence"
    )


# --- Adding -------------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_clinical_leads_and_administrators_add_training_and_it_is_audited(cast, client_for, manager):
    client = client_for(cast.by_name(manager))
    url = reverse("staff_admin:training_add", args=[cast.other_clinician.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, training_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_admin:user_detail", args=[cast.other_clinician.pk])
    record = TrainingRecord.objects.get(user=cast.other_clinician)
    assert record.instrument == Instrument.SAM and record.provider == "Protect International"
    event = last_event(record, Action.CREATE)
    assert event.actor == cast.by_name(manager)
    assert event.changes["instrument"] == {"old": None, "new": "sam"}
    assert event.changes["trained_on"] == {"old": None, "new": (today() - dt.timedelta(days=30)).isoformat()}


def test_training_without_expiry_is_allowed(cast, client_for):
    data = training_data(expires_on_day="", expires_on_month="", expires_on_year="")
    client_for(cast.clinical_lead).post(reverse("staff_admin:training_add", args=[cast.other_clinician.pk]), data)
    assert TrainingRecord.objects.get(user=cast.other_clinician).expires_on is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"instrument": ""}, "instrument", "Select the instrument"),
        ({"instrument": "tarot"}, "instrument", "Select an instrument from the list"),
        ({"trained_on_day": "", "trained_on_month": "", "trained_on_year": ""}, "trained_on", "Enter date trained"),
        (
            date_parts("trained_on", today() + dt.timedelta(days=400)),
            "trained_on",
            "Date trained must be today or in the past",
        ),
        (
            {"trained_on_day": "31", "trained_on_month": "2", "trained_on_year": "2024"},
            "trained_on",
            "Date trained must be a real date",
        ),
        ({"trained_on_month": ""}, "trained_on", "Date trained must include a month"),
        (
            date_parts("expires_on", today() - dt.timedelta(days=60)),
            "expires_on",
            "Training expires must be after the date trained",
        ),
        ({"provider": "x" * 201}, "provider", "Training provider must be 200 characters or fewer"),
    ],
)
def test_adding_refuses_bad_input_with_a_message_per_field_and_keeps_what_was_typed(
    cast, client_for, overrides, field, message
):
    data = training_data(**overrides)
    response = client_for(cast.clinical_lead).post(
        reverse("staff_admin:training_add", args=[cast.other_clinician.pk]), data
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert f'href="#id_{field}' in html
    if field != "provider":
        assert 'value="Protect International"' in html
    assert f'value="{data["expires_on_year"]}"' in html
    assert not TrainingRecord.objects.filter(user=cast.other_clinician).exists()


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_is_refused_adding_training(cast, client_for, role):
    client = client_for(cast.by_name(role))
    url = reverse("staff_admin:training_add", args=[cast.other_clinician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, training_data()).status_code == 403
    assert not TrainingRecord.objects.filter(user=cast.other_clinician).exists()


def test_a_clinical_lead_does_not_record_their_own_training(cast, client_for):
    client = client_for(cast.clinical_lead)
    url = reverse("staff_admin:training_add", args=[cast.clinical_lead.pk])
    assert client.post(url, training_data()).status_code == 403
    assert not TrainingRecord.objects.filter(user=cast.clinical_lead).exists()


def test_agency_referrers_have_no_training_records(cast, client_for):
    url = reverse("staff_admin:training_add", args=[cast.agency.pk])
    assert client_for(cast.clinical_lead).get(url).status_code == 404  # not visible to the lead
    assert client_for(cast.sysadmin).post(url, training_data()).status_code == 403


# --- Removing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("manager", MANAGERS)
def test_removing_training_keeps_the_old_values_in_the_audit(cast, client_for, manager):
    record = TrainingRecordFactory(user=cast.other_clinician, instrument=Instrument.SRP, provider="SRP course")
    pk = record.pk
    client = client_for(cast.by_name(manager))
    url = reverse("staff_admin:training_remove", args=[cast.other_clinician.pk, pk])
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 302
    assert not TrainingRecord.objects.filter(pk=pk).exists()
    event = AuditEvent.objects.filter(
        object_type="accounts.trainingrecord", object_id=str(pk), action=Action.DELETE
    ).get()
    assert event.actor == cast.by_name(manager)
    assert event.changes["instrument"] == {"old": "srp", "new": None}
    assert event.changes["provider"] == {"old": "SRP course", "new": None}


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_is_refused_removing_training(cast, client_for, role):
    record = TrainingRecordFactory(user=cast.other_clinician)
    client = client_for(cast.by_name(role))
    url = reverse("staff_admin:training_remove", args=[cast.other_clinician.pk, record.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_a_record_of_someone_else_is_not_found_under_this_account(cast, client_for):
    theirs = TrainingRecordFactory(user=cast.clinician)
    url = reverse("staff_admin:training_remove", args=[cast.other_clinician.pk, theirs.pk])
    assert client_for(cast.clinical_lead).post(url).status_code == 404
    assert TrainingRecord.objects.filter(pk=theirs.pk).exists()


# --- Showing ---------------------------------------------------------------------------------


def test_the_account_page_tags_current_and_expired_training(cast, client_for):
    expired_on = today() - dt.timedelta(days=55)
    TrainingRecordFactory(
        user=cast.other_clinician,
        instrument=Instrument.SAM,
        trained_on=today() - dt.timedelta(days=1200),
        expires_on=expired_on,
    )
    TrainingRecordFactory(user=cast.other_clinician, instrument=Instrument.SRP)
    html = (
        client_for(cast.clinical_lead)
        .get(reverse("staff_admin:user_detail", args=[cast.other_clinician.pk]))
        .content.decode()
    )
    assert "Current" in html
    assert f"Expired {date_gb(expired_on)}" in html
    # Current training is listed first.
    assert html.index("Stalking Risk Profile (SRP)") < html.index("Stalking Assessment and Management (SAM)")


def test_training_status_texts():
    on = dt.date(2026, 11, 27)
    current = TrainingRecord(instrument="srp", trained_on=dt.date(2025, 1, 1), expires_on=dt.date(2027, 1, 1))
    lapsed = TrainingRecord(instrument="srp", trained_on=dt.date(2023, 1, 1), expires_on=dt.date(2026, 10, 3))
    forever = TrainingRecord(instrument="dash", trained_on=dt.date(2020, 1, 1), expires_on=None)
    last_day = TrainingRecord(instrument="srp", trained_on=dt.date(2024, 1, 1), expires_on=on)
    assert (training_status(current, on).tag_text, training_status(current, on).current) == ("Current", True)
    assert training_status(lapsed, on).tag_text == "Expired 3 October 2026"
    assert not training_status(lapsed, on).current
    assert training_status(forever, on).tag_text == "Current"
    assert training_status(last_day, on).tag_text == "Current"


# --- The queries the referrals work relies on ------------------------------------------------------


def test_has_current_training_and_latest_training(cast):
    subject = cast.other_clinician
    assert has_current_training(subject, Instrument.SRP) is None
    assert latest_training(subject, Instrument.SRP) is None
    lapsed = TrainingRecordFactory(
        user=subject, trained_on=today() - dt.timedelta(days=1000), expires_on=today() - dt.timedelta(days=10)
    )
    assert has_current_training(subject, Instrument.SRP) is None
    assert latest_training(subject, Instrument.SRP) == lapsed
    renewed = TrainingRecordFactory(
        user=subject, trained_on=today() - dt.timedelta(days=5), expires_on=today() + dt.timedelta(days=300)
    )
    assert has_current_training(subject, Instrument.SRP) == renewed
    assert has_current_training(subject, "srp", on=today() - dt.timedelta(days=20)) == lapsed
    assert latest_training(subject, Instrument.SRP) == renewed
    assert has_current_training(subject, Instrument.SAM) is None


def test_the_account_page_runs_the_same_number_of_queries_however_much_training(cast, client_for):
    client = client_for(cast.sysadmin)
    url = reverse("staff_admin:user_detail", args=[cast.other_clinician.pk])
    TrainingRecordFactory(user=cast.other_clinician)

    def grow() -> None:
        for instrument in (Instrument.SAM, Instrument.DASH, Instrument.S_DASH, Instrument.HCR_20):
            TrainingRecordFactory(user=cast.other_clinician, instrument=instrument)

    assert_page_queries_flat(client, url, grow=grow)
