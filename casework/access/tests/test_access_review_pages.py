"""Clinical leads review access: a record's access log, a user's activity, the review home with
break-glass grants, and a search of the trail. Everyone else is refused; every read is audited."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, AuditEvent
from casework.audit.services import AUDIT_LOG_TYPE, record
from casework.audit.tests.factories import break_glass_grant, write_events
from casework.core.testing import assert_page_queries_flat

OTHERS = ["coordinator", "clinician", "other_clinician", "finance", "researcher", "sysadmin", "agency", "agency_other"]


def urls_for(cast) -> dict[str, str]:
    return {
        "audit:review": reverse("audit:review"),
        "audit:search": reverse("audit:search"),
        "audit:record_log": reverse("audit:record_log", args=["accounts.user", cast.clinician.pk]),
        "audit:user_log": reverse("audit:user_log", args=[cast.clinician.pk]),
        "audit:alerts": reverse("audit:alerts"),
    }


def page_text(response) -> str:
    return response.content.decode()


# --- Who may use the pages ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["audit:review", "audit:search", "audit:record_log", "audit:user_log", "audit:alerts"])
def test_clinical_leads_can_open_every_page(cast, client_for, name):
    response = client_for(cast.clinical_lead).get(urls_for(cast)[name])
    assert response.status_code == 200


# Clinicians read the alerts raised to them (test_clinicians_see_their_own_alerts_…), nothing else here.
REFUSED = [
    (role, name)
    for role in OTHERS
    for name in ["audit:review", "audit:search", "audit:record_log", "audit:user_log", "audit:alerts"]
    if not (name == "audit:alerts" and role in ("clinician", "other_clinician"))
]


@pytest.mark.parametrize("role,name", REFUSED)
def test_everyone_else_is_refused(cast, client_for, role, name):
    response = client_for(cast.by_name(role)).get(urls_for(cast)[name])
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["clinician", "other_clinician"])
def test_clinicians_see_their_own_alerts_and_no_link_into_the_review(cast, client_for, role):
    """A victim's lead clinician is told when someone breaks glass across her barrier."""
    user = cast.by_name(role)
    break_glass_grant(
        user=cast.clinical_lead, obj=cast.agency, reason="Urgent call tonight about the risk", recipients=[user]
    )
    body = page_text(client_for(user).get(urls_for(cast)["audit:alerts"]))
    assert "Urgent call tonight about the risk" in body
    assert "/audit/records/" not in body


@pytest.mark.parametrize("name", ["audit:review", "audit:search", "audit:record_log", "audit:user_log", "audit:alerts"])
def test_signed_out_visitors_are_sent_to_sign_in(cast, client_for, name):
    response = client_for(None).get(urls_for(cast)[name])
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_a_disabled_clinical_lead_is_refused(cast, client_for):
    client = client_for(cast.clinical_lead)
    cast.clinical_lead.is_active = False
    cast.clinical_lead.save(update_fields=["is_active"])
    assert client.get(reverse("audit:review")).status_code in (302, 403)


def test_refused_requests_read_nothing_and_record_no_view(cast, client_for):
    write_events(2, actor=cast.other_clinician, obj=cast.agency, reason="Reason nobody else may read")
    client = client_for(cast.clinician)
    before = AuditEvent.objects.count()
    response = client.get(reverse("audit:record_log", args=["accounts.user", cast.agency.pk]))
    assert response.status_code == 403
    assert "Reason nobody else may read" not in page_text(response)
    assert "Oscar Other" not in page_text(response)
    assert AuditEvent.objects.count() == before


# --- Record access log ------------------------------------------------------------------------------


def test_record_log_shows_who_when_role_action_reason_address_request_and_changes(cast, client_for, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    request.user, request.request_id = cast.sysadmin, "req-0000-1111-2222"
    record(
        action=Action.UPDATE,
        request=request,
        obj=cast.clinician,
        reason="Changed job title on request",
        changes={"job_title": {"old": "Nurse", "new": "Senior nurse"}},
    )
    response = client_for(cast.clinical_lead).get(
        reverse("audit:record_log", args=["accounts.user", cast.clinician.pk])
    )
    text = page_text(response)
    for expected in [
        "Sam Sysadmin",
        "System administrator",
        "Updated",
        "Changed job title on request",
        "203.0.113.9",
        "req-0000-1111-2222",
        "Job title:",
        "Nurse",
        "Senior nurse",
        "→",
    ]:
        assert expected in text, expected


def test_record_log_shows_times_in_europe_london(cast, client_for):
    summer = dt.datetime(2026, 7, 1, 11, 5, tzinfo=dt.UTC)
    with time_machine.travel(summer, tick=False):
        record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency)
    response = client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["accounts.user", cast.agency.pk]))
    assert "1 July 2026 at 12:05pm" in page_text(response)


def test_record_log_lists_newest_first_and_only_that_record(cast, client_for):
    for n in (1, 2, 3):
        record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency, reason=f"Look number {n}")
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency_other, reason="Another record entirely")
    text = page_text(
        client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["accounts.user", cast.agency.pk]))
    )
    assert text.index("Look number 3") < text.index("Look number 2") < text.index("Look number 1")
    assert "Another record entirely" not in text


def test_record_log_paginates(cast, client_for):
    write_events(30, actor=cast.clinician, obj=cast.agency)
    client = client_for(cast.clinical_lead)
    url = reverse("audit:record_log", args=["accounts.user", cast.agency.pk])
    first = page_text(client.get(url))
    assert "Showing 1 to 25 of 30 events" in first
    assert "?page=2" in first
    assert "Showing 26 to 30 of 30 events" in page_text(client.get(url + "?page=2"))


@pytest.mark.parametrize(
    "object_type,object_id",
    [
        ("accounts", "1"),
        ("Accounts.User", "1"),
        ("accounts.user", "1;drop"),
        ("a.b.c", "1"),
    ],
)
def test_record_log_of_a_malformed_record_is_not_found(cast, client_for, object_type, object_id):
    url = f"/audit/records/{object_type}/{object_id}/"
    assert client_for(cast.clinical_lead).get(url).status_code == 404


def test_record_log_of_a_record_nobody_touched_says_so(cast, client_for):
    response = client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["cases.case", "999"]))
    assert response.status_code == 200
    assert "No events" in page_text(response)


def test_reading_a_record_log_is_audited(cast, client_for):
    client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["accounts.user", cast.agency.pk]))
    event = AuditEvent.objects.get(object_type=AUDIT_LOG_TYPE)
    assert (event.action, event.actor, event.object_id) == (Action.VIEW, cast.clinical_lead, "record")
    assert event.object_label == f"Access log of accounts.user {cast.agency.pk}"
    assert event.request_id and event.ip_address == "127.0.0.1"


# --- User activity log -------------------------------------------------------------------------------


def test_user_log_shows_what_the_user_did(cast, client_for):
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency, reason="Looked at the referrer")
    record(action=Action.VIEW, actor=cast.other_clinician, obj=cast.agency, reason="Someone else looked")
    text = page_text(client_for(cast.clinical_lead).get(reverse("audit:user_log", args=[cast.clinician.pk])))
    assert "Clare Clinician" in text
    assert "Looked at the referrer" in text
    assert f"user {cast.agency.pk}" in text
    assert reverse("audit:record_log", args=["accounts.user", cast.agency.pk]) in text
    assert "Someone else looked" not in text


def test_user_log_covers_agency_referrers_too(cast, client_for):
    record(action=Action.VIEW, actor=cast.agency, obj=cast.agency, reason="Agency looked at own account")
    text = page_text(client_for(cast.clinical_lead).get(reverse("audit:user_log", args=[cast.agency.pk])))
    assert "Agency looked at own account" in text


def test_user_log_of_an_unknown_user_is_not_found(cast, client_for):
    assert client_for(cast.clinical_lead).get(reverse("audit:user_log", args=[987654])).status_code == 404


def test_reading_a_user_log_is_audited_without_the_name(cast, client_for):
    client_for(cast.clinical_lead).get(reverse("audit:user_log", args=[cast.clinician.pk]))
    event = AuditEvent.objects.get(object_type=AUDIT_LOG_TYPE)
    assert event.object_label == f"Activity of user {cast.clinician.pk}"
    assert "Clare" not in event.object_label


# --- Review home ----------------------------------------------------------------------------------------


def test_review_home_lists_break_glass_grants_with_status(cast, client_for):
    break_glass_grant(user=cast.clinician, obj=cast.agency, reason="Police called about imminent risk tonight")
    long_ago = timezone.now() - dt.timedelta(days=3)
    with time_machine.travel(long_ago, tick=False):
        break_glass_grant(
            user=cast.other_clinician, obj=cast.agency_other, reason="Covering a colleague's urgent duty call"
        )
    response = client_for(cast.clinical_lead).get(reverse("audit:review"))
    text = page_text(response)
    assert response.status_code == 200
    for expected in [
        "Clare Clinician",
        "Police called about imminent risk tonight",
        f"user {cast.agency.pk}",
        "Oscar Other",
        "Covering a colleague",
        "Active",
        "Expired",
        "Search the audit trail",
    ]:
        assert expected in text, expected
    assert text.index("Clare Clinician") < text.index("Oscar Other")


def test_review_home_paginates_grants(cast, client_for):
    for _ in range(26):
        break_glass_grant(user=cast.clinician, obj=cast.agency, reason="A reason that is long enough to accept")
    text = page_text(client_for(cast.clinical_lead).get(reverse("audit:review")))
    assert "Showing 1 to 25 of 26 break-glass grants" in text


def test_reading_the_review_home_is_audited(cast, client_for):
    client_for(cast.clinical_lead).get(reverse("audit:review"))
    assert AuditEvent.objects.filter(object_type=AUDIT_LOG_TYPE, object_id="review", actor=cast.clinical_lead).exists()


# --- Search -----------------------------------------------------------------------------------------------


def search(client, **params):
    return client.get(reverse("audit:search"), params)


def test_search_page_without_a_search_shows_the_form_and_records_nothing(cast, client_for):
    response = client_for(cast.clinical_lead).get(reverse("audit:search"))
    assert response.status_code == 200
    assert "There is a problem" not in page_text(response)
    assert not AuditEvent.objects.filter(object_type=AUDIT_LOG_TYPE).exists()


def test_search_by_email_finds_what_that_user_did(cast, client_for):
    record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency, reason="Clinician looked")
    record(action=Action.VIEW, actor=cast.coordinator, obj=cast.agency, reason="Coordinator looked")
    response = search(client_for(cast.clinical_lead), email="CLINICIAN@nsc.example.nhs.uk")
    text = page_text(response)
    assert response.status_code == 200
    assert "Clinician looked" in text and "Coordinator looked" not in text


def test_search_by_reference_finds_events_on_that_record(cast, client_for):
    record(
        action=Action.VIEW,
        actor=cast.clinician,
        object_type="referrals.referral",
        object_id=42,
        object_label="REF-2026-00042",
        reason="The one we want",
    )
    record(
        action=Action.VIEW,
        actor=cast.clinician,
        object_type="referrals.referral",
        object_id=43,
        object_label="REF-2026-00043",
        reason="Not this one",
    )
    text = page_text(search(client_for(cast.clinical_lead), reference=" ref-2026-00042 "))
    assert "The one we want" in text and "Not this one" not in text


def test_search_by_dates_uses_whole_days_in_europe_london(cast, client_for):
    # 00:30 on 2 July 2026 in London is 23:30 on 1 July in UTC.
    for moment, reason in [
        (dt.datetime(2026, 6, 30, 22, 59, tzinfo=dt.UTC), "Before the range"),
        (dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC), "Just inside the range"),
        (dt.datetime(2026, 7, 2, 23, 0, tzinfo=dt.UTC), "After the range"),
    ]:
        with time_machine.travel(moment, tick=False):
            record(action=Action.VIEW, actor=cast.clinician, obj=cast.agency, reason=reason)
    text = page_text(
        search(
            client_for(cast.clinical_lead),
            date_from_day="1",
            date_from_month="7",
            date_from_year="2026",
            date_to_day="2",
            date_to_month="7",
            date_to_year="2026",
        )
    )
    assert "Just inside the range" in text
    assert "Before the range" not in text and "After the range" not in text


def test_a_search_with_nothing_in_it_is_refused_with_a_message(cast, client_for):
    response = search(client_for(cast.clinical_lead), email="", reference="")
    assert response.status_code == 400
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter an email address, a record reference or dates to search for" in text
    assert 'href="#id_email"' in text


def test_a_search_for_an_unknown_email_is_refused_and_keeps_what_was_typed(cast, client_for):
    response = search(client_for(cast.clinical_lead), email="nobody@nsc.example.nhs.uk", reference="REF-1")
    text = page_text(response)
    assert response.status_code == 400
    assert "No one with this email address uses NSC Casework" in text
    assert 'value="nobody@nsc.example.nhs.uk"' in text and 'value="REF-1"' in text


def test_a_search_with_bad_dates_gets_a_message_per_field(cast, client_for):
    response = search(
        client_for(cast.clinical_lead),
        date_from_day="31",
        date_from_month="2",
        date_from_year="2026",
        date_to_day="1",
        date_to_month="",
        date_to_year="2026",
    )
    text = page_text(response)
    assert response.status_code == 400
    assert "Date from must be a real date" in text
    assert "Date to must include a month" in text
    assert 'href="#id_date_from_day"' in text and 'href="#id_date_to_day"' in text
    assert 'value="31"' in text


def test_a_search_with_dates_the_wrong_way_round_is_refused(cast, client_for):
    response = search(
        client_for(cast.clinical_lead),
        date_from_day="2",
        date_from_month="3",
        date_from_year="2026",
        date_to_day="1",
        date_to_month="3",
        date_to_year="2026",
    )
    assert response.status_code == 400
    assert "Date to must be the same as or after date from" in page_text(response)


def test_a_search_is_audited_with_the_user_id_not_the_address(cast, client_for):
    search(client_for(cast.clinical_lead), email=cast.clinician.email, reference="REF-2026-00042")
    event = AuditEvent.objects.get(object_type=AUDIT_LOG_TYPE, object_id="search")
    assert event.changes["criteria"]["user_id"] == cast.clinician.pk
    assert event.changes["criteria"]["reference"] == "REF-2026-00042"
    assert cast.clinician.email not in str(event.changes) + event.object_label


def test_search_results_paginate_keeping_the_search(cast, client_for):
    write_events(27, actor=cast.clinician, obj=cast.agency)
    text = page_text(search(client_for(cast.clinical_lead), email=cast.clinician.email))
    assert "Showing 1 to 25 of 27 events" in text
    assert "email=clinician%40nsc.example.nhs.uk&amp;page=2" in text or "page=2&amp;email=" in text


# --- Query counts stay the same as the trail grows --------------------------------------------------------


@pytest.mark.parametrize("name", ["audit:review", "audit:search", "audit:record_log", "audit:user_log", "audit:alerts"])
def test_pages_run_the_same_number_of_queries_at_two_sizes(cast, client_for, name):
    client = client_for(cast.clinical_lead)
    url = urls_for(cast)[name] + (f"?email={cast.clinician.email}" if name == "audit:search" else "")

    def grow(n):
        for _ in range(n):
            actor = UserFactory()
            record(action=Action.VIEW, actor=actor, obj=cast.clinician)
            record(action=Action.VIEW, actor=cast.clinician, obj=actor)
            break_glass_grant(
                user=cast.clinician,
                obj=actor,
                reason="A reason that is long enough to accept",
                recipients=[cast.clinical_lead],
            )

    grow(2)
    assert_page_queries_flat(client, url, grow=lambda: grow(12))


def test_the_changes_column_shows_choices_by_their_labels_not_their_stored_values(cast, client_for):
    """Issue 11.9: the Changes column showed raw values such as "awaiting_information"."""
    from casework.referrals.tests.factories import ReferralFactory

    referral = ReferralFactory(status="screening")
    record(
        action=Action.UPDATE,
        actor=cast.coordinator,
        obj=referral,
        changes={
            "status": {"old": "screening", "new": "awaiting_information"},
            "accepted_services": {"old": [], "new": ["stalker_assessment"]},
        },
    )
    text = page_text(
        client_for(cast.clinical_lead).get(reverse("audit:record_log", args=["referrals.referral", referral.pk]))
    )
    assert "Awaiting information" in text and "awaiting_information" not in text
    assert "Assessment of the person who stalks" in text and "stalker_assessment" not in text
