"""Break-glass: a written reason, time-limited access, shown on the record, alerting clinical
leads. Exercised end to end with an account (accounts.User) standing in for a record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import timezone

from casework.accounts.roles import Role
from casework.accounts.tests.factories import UserFactory
from casework.audit.forms import BreakGlassForm
from casework.audit.models import Action, Alert, AuditEvent, BreakGlassGrant
from casework.audit.services import active_break_glass, break_glass_grants_for, break_glass_open

REASON = "Police called out of hours about an imminent risk to the victim"


@pytest.fixture
def opened(cast, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        grant = break_glass_open(user=cast.clinician, obj=cast.agency, reason=REASON)
    return grant


# --- The service --------------------------------------------------------------------------------


def test_opening_grants_access_for_the_configured_hours(cast, opened):
    assert active_break_glass(cast.clinician, cast.agency) == opened
    assert opened.expires_at - opened.granted_at == dt.timedelta(hours=8)
    assert (opened.object_type, opened.object_id) == ("accounts.user", str(cast.agency.pk))
    assert opened.reason == REASON
    assert break_glass_grants_for(cast.agency) == [opened]


@override_settings(CASEWORK_BREAK_GLASS_HOURS=2)
def test_the_length_of_access_comes_from_settings(cast):
    grant = break_glass_open(user=cast.clinician, obj=cast.agency, reason=REASON)
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=2)


def test_access_ends_when_the_time_is_up(cast, opened, monkeypatch):
    just_before = opened.expires_at - dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: just_before)
    assert active_break_glass(cast.clinician, cast.agency) == opened
    monkeypatch.setattr(timezone, "now", lambda: opened.expires_at + dt.timedelta(minutes=1))
    assert active_break_glass(cast.clinician, cast.agency) is None
    assert not opened.is_active()


def test_a_grant_covers_only_that_user_and_that_record(cast, opened):
    assert active_break_glass(cast.other_clinician, cast.agency) is None
    assert active_break_glass(cast.clinician, cast.agency_other) is None
    assert active_break_glass(None, cast.agency) is None


def test_opening_is_audited_with_the_reason(cast, opened):
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert (event.actor, event.actor_role, event.reason) == (cast.clinician, "clinician", REASON)
    assert (event.object_type, event.object_id) == ("accounts.user", str(cast.agency.pk))
    assert event.changes["expires_at"]["new"] == opened.expires_at.isoformat()


def test_every_active_clinical_lead_is_alerted_except_the_one_who_opened_it(cast, django_capture_on_commit_callbacks):
    second_lead = UserFactory(role=Role.CLINICAL_LEAD)
    UserFactory(role=Role.CLINICAL_LEAD, is_active=False)
    break_glass_open(user=cast.clinician, obj=cast.agency, reason=REASON)
    alerts = Alert.objects.all()
    assert {a.recipient for a in alerts} == {cast.clinical_lead, second_lead}
    assert {a.message for a in alerts} == {f"Clare Clinician used break-glass access to user {cast.agency.pk}"}
    break_glass_open(user=cast.clinical_lead, obj=cast.agency, reason=REASON)
    assert not Alert.objects.filter(recipient=cast.clinical_lead, grant__user=cast.clinical_lead).exists()


def test_clinical_leads_are_emailed_one_by_one_without_personal_data(cast, opened, mailoutbox):
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [cast.clinical_lead.email]
    text = email.subject + "\n" + email.body
    assert f"user {cast.agency.pk}" in text  # the record reference
    assert "Clare Clinician" in text  # the staff member's name
    for personal in [REASON, cast.agency.full_name, cast.agency.email, cast.clinician.email, "Northshire"]:
        assert personal not in text


def test_no_email_is_sent_when_the_opening_rolls_back(cast, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        break_glass_open(user=cast.clinician, obj=cast.agency, reason=REASON)
        raise RuntimeError
    assert mailoutbox == []
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


@pytest.mark.parametrize("reason", ["", "   ", "Too short a reason", " " * 30 + "short"])
def test_a_reason_under_20_characters_is_refused(cast, reason):
    with pytest.raises(ValueError, match="at least 20 characters"):
        break_glass_open(user=cast.clinician, obj=cast.agency, reason=reason)
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


@pytest.mark.parametrize("role", ["coordinator", "finance", "researcher", "sysadmin", "agency"])
def test_roles_without_clinical_duties_cannot_break_glass(cast, role):
    with pytest.raises(PermissionDenied):
        break_glass_open(user=cast.by_name(role), obj=cast.clinician, reason=REASON)
    assert not BreakGlassGrant.objects.exists()


# --- The form -------------------------------------------------------------------------------------


@pytest.mark.parametrize("typed,message", [
    ("", "Enter why you need to open this record"),
    ("Needed it", "Reason must be 20 characters or more"),
    ("x" * 2001, "Reason must be 2,000 characters or fewer"),
])
def test_the_form_refuses_a_missing_short_or_long_reason(typed, message):
    form = BreakGlassForm({"reason": typed})
    assert not form.is_valid()
    assert form.errors["reason"] == [message]
    assert form.error_summary() == [{"text": message, "href": "#id_reason"}]


def test_the_form_accepts_a_reason_and_trims_it():
    form = BreakGlassForm({"reason": f"  {REASON}  "})
    assert form.is_valid()
    assert form.cleaned_data["reason"] == REASON


# --- The banner on the record ------------------------------------------------------------------------


def test_the_banner_says_until_when_and_why(cast, rf):
    grant = BreakGlassGrant(
        user=cast.clinician, object_type="accounts.user", object_id="1", object_label="user 1",
        reason="Covering the duty phone tonight", granted_at=dt.datetime(2026, 11, 27, 3, 30, tzinfo=dt.UTC),
        expires_at=dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC),
    )
    request = rf.get("/")
    request.user = cast.clinician
    html = render_to_string("audit/_break_glass_banner.jinja", {"break_glass_grant": grant}, request=request)
    assert "You have break-glass access until 27 November 2026 at 11:30am. Reason: Covering the duty phone tonight" in " ".join(html.split())


def test_the_banner_shows_nothing_without_a_grant(cast, rf):
    request = rf.get("/")
    request.user = cast.clinician
    html = render_to_string("audit/_break_glass_banner.jinja", {"break_glass_grant": None}, request=request)
    assert html.strip() == ""


# --- End to end, with an account standing in for a record (casework/audit/tests/urls.py) ----------------


@pytest.fixture
def site(settings):
    settings.ROOT_URLCONF = "casework.audit.tests.urls"


def test_a_clinician_not_on_the_record_is_offered_break_glass(cast, client_for, site):
    response = client_for(cast.clinician).get(f"/test-accounts/{cast.agency.pk}/")
    assert response.status_code == 403
    assert f"/test-accounts/{cast.agency.pk}/break-glass/" in response.content.decode()


def test_the_break_glass_page_asks_for_a_reason_and_warns(cast, client_for, site):
    response = client_for(cast.clinician).get(f"/test-accounts/{cast.agency.pk}/break-glass/")
    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "You are not on this case" in text
    assert f"user {cast.agency.pk}" in text
    assert "Break-glass access is recorded and alerted" in text
    assert "the clinical leads will be alerted straight away" in text
    assert "It lasts 8 hours" in text
    assert '<textarea' in text and 'name="reason"' in text
    assert '<a class="nhsuk-link" href="/">Cancel</a>' in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_a_short_reason_is_refused_with_the_error_summary_and_kept(cast, client_for, site):
    response = client_for(cast.clinician).post(f"/test-accounts/{cast.agency.pk}/break-glass/", {"reason": "Need to see it"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert 'href="#id_reason"' in text
    assert "Reason must be 20 characters or more" in text
    assert "Need to see it</textarea>" in text
    assert not BreakGlassGrant.objects.exists()


def test_giving_a_reason_opens_the_record_with_the_banner_and_alerts_leads(
    cast, client_for, site, django_capture_on_commit_callbacks, mailoutbox,
):
    client = client_for(cast.clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/test-accounts/{cast.agency.pk}/break-glass/", {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == f"/test-accounts/{cast.agency.pk}/"
    grant = BreakGlassGrant.objects.get()
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert event.request_id and event.ip_address == "127.0.0.1"

    page = client.get(response["Location"])
    text = " ".join(page.content.decode().split())
    assert page.status_code == 200
    assert f"You have break-glass access until {timezone.localtime(grant.expires_at).day}" in text
    assert f"Reason: {REASON}" in text
    assert "Who looked at this record" not in text  # the access panel is for clinical leads only
    assert AuditEvent.objects.filter(action=Action.VIEW, actor=cast.clinician, object_id=str(cast.agency.pk)).exists()
    assert len(mailoutbox) == 1

    lead = client_for(cast.clinical_lead)
    assert "Clare Clinician used break-glass access" in lead.get("/").content.decode()


def test_after_expiry_the_record_is_closed_again(cast, client_for, site):
    client = client_for(cast.clinician)
    client.post(f"/test-accounts/{cast.agency.pk}/break-glass/", {"reason": REASON})
    assert client.get(f"/test-accounts/{cast.agency.pk}/").status_code == 200
    # Eight hours and a minute pass (moving the grant back, rather than the clock, keeps the
    # session, which has its own time limit, alive).
    BreakGlassGrant.objects.update(
        granted_at=timezone.now() - dt.timedelta(hours=8, minutes=1), expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client.get(f"/test-accounts/{cast.agency.pk}/").status_code == 403


@pytest.mark.parametrize("role", ["coordinator", "finance", "researcher", "sysadmin", "agency"])
def test_roles_without_clinical_duties_cannot_reach_the_break_glass_page(cast, client_for, site, role):
    client = client_for(cast.by_name(role))
    assert client.get(f"/test-accounts/{cast.clinician.pk}/break-glass/").status_code == 403
    assert client.post(f"/test-accounts/{cast.clinician.pk}/break-glass/", {"reason": REASON}).status_code == 403
    assert not BreakGlassGrant.objects.exists()


def test_signed_out_visitors_cannot_reach_the_break_glass_page(cast, client_for, site):
    response = client_for(None).get(f"/test-accounts/{cast.agency.pk}/break-glass/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")
