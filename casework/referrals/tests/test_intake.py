"""Logging a referral that arrived by telephone, post or email, and correcting it later."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory
from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Channel, Status
from casework.referrals.forms import parse_time
from casework.referrals.models import Referral
from casework.referrals.tests.factories import ReferralFactory

URL = "/referrals/new/"


def _date(prefix: str, day: dt.date) -> dict[str, str]:
    return {f"{prefix}_day": str(day.day), f"{prefix}_month": str(day.month), f"{prefix}_year": str(day.year)}


def _parties(*rows: dict[str, str], total: int = 3) -> dict[str, str]:
    data = {
        "parties-TOTAL_FORMS": str(total),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"parties-{index}-{key}": value for key, value in row.items()})
    return data


def valid_post(organisation, **overrides) -> dict:
    today = timezone.localdate()
    data = {
        "received_via": "phone",
        **_date("received_on", today - dt.timedelta(days=1)),
        "received_time": "09:15",
        "referring_organisation": str(organisation.pk),
        "referrer_name": "DS Dee Tective",
        "referrer_job_title": "Detective Sergeant",
        "referrer_email": "dee@police.example.org",
        "referrer_phone": "01632 960111",
        "services": ["stalker_assessment", "report_sentencing"],
        "subject_role": "perpetrator",
        "subject_given_name": "Sam",
        "subject_family_name": "Subject",
        **_date("subject_date_of_birth", dt.date(1980, 2, 29)),
        "subject_details": "PNC 99/123456A",
        "behaviour_summary": "Following and messaging the former partner daily.",
        "behaviour_duration": "6 months",
        "stalking_significant": "yes",
        "legal_status": "charged",
        "offences": ["pha_s2a", "other"],
        "other_offences": "Criminal damage",
        "orders_in_force": ["bail_conditions", "restraining"],
        "assessment_setting": "custody",
        "custody_establishment": "HMP Example",
        "prison_number": "A1234BC",
        **_date("report_due_on", today + dt.timedelta(days=28)),
        **_date("next_hearing_on", today + dt.timedelta(days=35)),
        "commissioner": str(organisation.pk),
        "purchase_order": "PO-1",
        "contract_reference": "C-9",
        **_parties(
            {
                "role": "victim",
                "name": "Vera Victimson",
                "relationship_to_subject": "Former partner",
                "details": "Lives in the same town",
            },
            {"role": "family_member", "name": "Fay Family", "relationship_to_subject": "Sister"},
        ),
    }
    data.update(overrides)
    return data


def test_the_form_renders_for_a_coordinator(cast, client_for):
    response = client_for(cast.coordinator).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Log a referral" in page
    assert "Northshire Police (Police force)" in page
    assert page.count("Person ") == 1  # one blank row for named people, and "Add another person"


def test_logging_a_referral(cast, client_for):
    response = client_for(cast.coordinator).post(URL, valid_post(cast.organisation))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert referral.reference.startswith(f"REF-{timezone.localdate().year}-")
    assert referral.status == Status.RECEIVED
    assert referral.received_via == Channel.PHONE
    assert timezone.localtime(referral.received_at).strftime("%H:%M") == "09:15"
    assert referral.services == ["stalker_assessment", "report_sentencing"]
    assert referral.offences == ["pha_s2a", "other"] and referral.other_offences == "Criminal damage"
    assert referral.orders_in_force == ["bail_conditions", "restraining"]
    assert referral.stalking_significant is True
    assert referral.custody_establishment == "HMP Example"
    assert [(p.role, p.name) for p in referral.named_parties.all()] == [
        ("victim", "Vera Victimson"),
        ("family_member", "Fay Family"),
    ]
    assert referral.transitions.get().to_status == Status.RECEIVED
    created = AuditEvent.objects.get(action=Action.CREATE, object_type="referrals.referral")
    assert created.object_label == referral.reference
    assert "Sam" not in created.object_label


def test_a_future_time_received_is_refused(cast, client_for):
    # The clock reads noon today (London), so "two hours from now" is always later the same day,
    # whenever the suite runs. Signing in happens after, so the session is on the same clock.
    noon = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12, 0)))
    with time_machine.travel(noon, tick=False):
        today = timezone.localdate()
        data = valid_post(cast.organisation, **_date("received_on", today), received_time="14:00")
        response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    assert "Time received must be now or in the past" in response.content.decode()


def test_bad_input_gets_a_message_per_field_and_keeps_everything_typed(cast, client_for):
    today = timezone.localdate()
    data = valid_post(
        cast.organisation,
        **_date("received_on", today + dt.timedelta(days=2)),
        **_date("subject_date_of_birth", today + dt.timedelta(days=1)),
        **_date("report_due_on", today - dt.timedelta(days=1)),
        **_date("parole_hearing_on", today - dt.timedelta(days=3)),
        received_time="25:99",
        referrer_name="",
        referrer_email="not-an-email",
        other_offences="",
        behaviour_summary="",
        **_parties(
            {"role": "", "name": "", "relationship_to_subject": "Neighbour"},
            {"role": "victim", "name": "Vera Victimson", "details": "Kept detail"},
        ),
    )
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    for message in (
        "Date received must be today or in the past",
        "Enter a real time, like 14:30",
        "Enter the name of the referring officer",
        "Enter an email address in the correct format, like name@example.org",
        "Date of birth must be today or in the past",
        "Report needed by must be today or in the future",
        "Parole hearing must be today or in the future",
        "Enter the other offences",
        "Enter an outline of the behaviour",
        "Person 1: Enter the person&#39;s name",
        "Person 1: Select the person&#39;s role",
    ):
        assert message in page, message
    # What was typed is still there: text, multi-selects, radios, dates and the named people.
    assert 'value="stalker_assessment" checked' in page and 'value="report_sentencing" checked' in page
    assert 'value="pha_s2a" checked' in page and 'value="other" checked' in page
    assert 'value="bail_conditions" checked' in page and 'value="restraining" checked' in page
    assert 'value="custody" checked' in page
    assert 'value="HMP Example"' in page
    assert 'value="Neighbour"' in page
    assert 'value="Vera Victimson"' in page and "Kept detail" in page
    assert 'value="not-an-email"' in page
    assert not Referral.objects.exists()


def test_an_empty_form_asks_for_each_required_answer(cast, client_for):
    response = client_for(cast.coordinator).post(URL, _parties())
    page = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Select how the referral arrived",
        "Enter date received",
        "Enter the time the referral was received",
        "Select the referring organisation",
        "Select at least one service",
        "Select whether the subject is the person who stalks or the person stalked",
        "Enter the subject&#39;s given name or family name",
        "Select the legal status",
        "Select where an assessment would happen",
    ):
        assert message in page, message


def test_missing_rows_bookkeeping_is_refused_in_plain_english(cast, client_for):
    data = {k: v for k, v in valid_post(cast.organisation).items() if not k.startswith("parties-")}
    response = client_for(cast.coordinator).post(URL, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The other people named could not be read: enter them again" in page
    assert "ManagementForm" not in page
    assert page.count("Person ") == 1
    assert not Referral.objects.exists()


def test_an_inactive_organisation_cannot_be_chosen(cast, client_for):
    closed = OrganisationFactory(name="Disbanded Unit", is_active=False)
    response = client_for(cast.coordinator).post(URL, valid_post(closed))
    assert response.status_code == 400
    assert "Select the referring organisation from the list" in response.content.decode()


def test_a_portal_channel_cannot_be_logged_by_staff(cast, client_for):
    response = client_for(cast.coordinator).post(URL, valid_post(cast.organisation, received_via="portal"))
    assert response.status_code == 400
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("14:30", dt.time(14, 30)),
        ("9.05", dt.time(9, 5)),
        ("0930", dt.time(9, 30)),
        ("2:30pm", dt.time(14, 30)),
        ("12am", dt.time(0, 0)),
        ("12pm", dt.time(12, 0)),
    ],
)
def test_times_are_read_as_people_type_them(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["14", "25:00", "13pm", "noon", "12:60"])
def test_nonsense_times_are_refused(value):
    with pytest.raises(ValueError):
        parse_time(value)


@pytest.mark.parametrize(
    "who", ["clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency", "agency_other"]
)
def test_only_coordinators_log(cast, client_for, who):
    client = client_for(getattr(cast, who))
    assert client.get(URL).status_code == 403
    assert client.post(URL, valid_post(cast.organisation)).status_code == 403
    assert not Referral.objects.exists()


# --- Editing ----------------------------------------------------------------------------------


def test_the_edit_form_is_filled_in(cast, client_for):
    referral = ReferralFactory(
        services=["stalker_assessment", "consultation"], parties=[{"role": "victim", "name": "Vera Victimson"}]
    )
    response = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/edit/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'value="consultation" checked' in page
    assert 'value="Vera Victimson"' in page
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(referral.pk)).exists()


def test_editing_is_audited_with_old_and_new_values(cast, client_for):
    referral = ReferralFactory(
        referring_organisation=cast.organisation, referrer_name="DC Old", services=["stalker_assessment"]
    )
    data = valid_post(cast.organisation, referrer_name="DC New", services=["stalker_assessment", "consultation"])
    response = client_for(cast.clinical_lead).post(f"/referrals/{referral.reference}/edit/", data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.referrer_name == "DC New"
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(referral.pk))
    assert event.changes["referrer_name"] == {"old": "DC Old", "new": "DC New"}
    assert event.changes["services"] == {"old": ["stalker_assessment"], "new": ["consultation", "stalker_assessment"]}
    assert event.changes["named_parties"]["old"] == []
    assert event.actor == cast.clinical_lead


def test_clearing_a_row_removes_the_person(cast, client_for):
    referral = ReferralFactory(
        referring_organisation=cast.organisation, parties=[{"role": "victim", "name": "Vera Victimson"}]
    )
    blank = {"role": "", "name": "", "relationship_to_subject": "", "details": ""}
    data = valid_post(cast.organisation, **_parties(blank, blank))
    response = client_for(cast.coordinator).post(f"/referrals/{referral.reference}/edit/", data)
    assert response.status_code == 302
    assert not referral.named_parties.exists()


def test_a_report_date_that_has_passed_may_stay_but_not_be_changed_to_another_past_date(cast, client_for):
    past = timezone.localdate() - dt.timedelta(days=10)
    referral = ReferralFactory(referring_organisation=cast.organisation, report_due_on=past)
    client = client_for(cast.coordinator)
    kept = valid_post(cast.organisation, **_date("report_due_on", past))
    assert client.post(f"/referrals/{referral.reference}/edit/", kept).status_code == 302
    moved = valid_post(cast.organisation, **_date("report_due_on", past - dt.timedelta(days=1)))
    response = client.post(f"/referrals/{referral.reference}/edit/", moved)
    assert response.status_code == 400
    assert "Report needed by must be today or in the future" in response.content.decode()


def test_a_portal_referral_keeps_how_and_when_it_arrived(cast, client_for):
    referral = ReferralFactory(referring_organisation=cast.organisation, received_via=Channel.PORTAL)
    received = referral.received_at
    data = valid_post(cast.organisation, received_via="post")
    response = client_for(cast.coordinator).post(f"/referrals/{referral.reference}/edit/", data)
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.received_via == Channel.PORTAL
    assert referral.received_at == received


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clinician", 404),
        ("finance", 404),
        ("researcher", 404),
        ("sysadmin", 404),
        ("agency", 404),
        ("agency_other", 404),
    ],
)
def test_others_cannot_edit(cast, client_for, who, status):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    assert client_for(getattr(cast, who)).get(f"/referrals/{referral.reference}/edit/").status_code == status


def test_the_allocated_clinician_may_not_edit(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    assert client_for(cast.clinician).get(f"/referrals/{referral.reference}/edit/").status_code == 403


def test_a_closed_referral_cannot_be_edited(cast, client_for):
    referral = ReferralFactory(status=Status.CLOSED)
    assert client_for(cast.coordinator).get(f"/referrals/{referral.reference}/edit/").status_code == 403


def test_a_new_referral_starts_with_one_person_row_and_more_are_added_keeping_what_was_typed(cast, client_for):
    """Issue 11.9: the staff intake had three fixed "other people" rows."""
    client = client_for(cast.coordinator)
    blank = client.get(URL).content.decode()
    assert 'name="parties-TOTAL_FORMS" value="1"' in blank and 'data-testid="add-party"' in blank
    # Half-filled: no victim name yet, the subject's name missing. Asking for a row is not sending.
    data = valid_post(
        cast.organisation,
        subject_given_name="",
        **_parties({"role": "victim", "name": "Vera Victimson"}, {"role": "family_member", "name": ""}, total=2),
    )
    data["add_party"] = "1"
    again = client.post(URL, data)
    page = again.content.decode()
    assert again.status_code == 200
    assert 'name="parties-TOTAL_FORMS" value="3"' in page and "Person 3" in page
    assert 'value="Vera Victimson"' in page and 'value="DS Dee Tective"' in page
    assert "There is a problem" not in page
    assert not Referral.objects.exists()
    # Then sent for real: the rows are read as before.
    assert client.post(URL, valid_post(cast.organisation)).status_code == 302
    assert sorted(Referral.objects.get().named_parties.values_list("name", flat=True)) == [
        "Fay Family",
        "Vera Victimson",
    ]
