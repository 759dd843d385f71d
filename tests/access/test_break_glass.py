"""Break-glass (``casework.access.breakglass``): a written reason, time-limited reading of one
record, shown on the record, alerted to someone independent. Exercised on a real case:
``world.case`` is led by ``cast.clinician``; ``cast.other_clinician`` is on no team."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from casework.access import breakglass, policy
from casework.access.forms import BreakGlassForm
from casework.access.grants import active_grant
from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, Alert, AuditEvent, BreakGlassGrant
from casework.core.roles import Role

REASON = "Police called out of hours about an imminent risk to the victim"


@pytest.fixture
def opened(cast, world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        grant = breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
    return grant


# --- The service --------------------------------------------------------------------------------


def test_opening_grants_reading_for_the_configured_hours(cast, world, opened):
    assert active_grant(cast.other_clinician, world.case) == opened
    assert opened.expires_at - opened.granted_at == dt.timedelta(hours=8)
    assert (opened.object_type, opened.object_id, opened.object_label) == (
        "cases.case",
        str(world.case.pk),
        world.case.reference,
    )
    assert opened.reason == REASON
    assert policy.relationship(cast.other_clinician, world.case) == policy.Relationship.BREAK_GLASS


@override_settings(CASEWORK_BREAK_GLASS_HOURS=2)
def test_the_length_of_access_comes_from_settings(cast, world):
    grant = breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
    assert grant.expires_at - grant.granted_at == dt.timedelta(hours=2)


def test_access_ends_when_the_time_is_up(cast, world, opened):
    just_before = opened.expires_at - dt.timedelta(seconds=1)
    with time_machine.travel(just_before, tick=False):
        assert active_grant(cast.other_clinician, world.case) == opened
    with time_machine.travel(opened.expires_at + dt.timedelta(minutes=1), tick=False):
        assert active_grant(cast.other_clinician, world.case) is None
        assert not policy.can_read(cast.other_clinician, type(world.case).objects.get(pk=world.case.pk))


def test_a_grant_covers_only_that_user_and_that_record(cast, world, opened):
    assert active_grant(cast.clinician, world.case) is None
    assert active_grant(cast.other_clinician, world.subject) is None
    assert active_grant(None, world.case) is None


def test_opening_is_audited_with_the_reason_and_who_was_told(cast, world, opened):
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert (event.actor, event.actor_role, event.reason) == (cast.other_clinician, "clinician", REASON)
    assert (event.object_type, event.object_id) == ("cases.case", str(world.case.pk))
    assert event.changes["expires_at"]["new"] == opened.expires_at.isoformat()
    assert event.changes["alerted"]["new"] == [cast.clinical_lead.pk]


def test_every_other_active_clinical_lead_is_alerted(cast, world):
    second_lead = UserFactory(role=Role.CLINICAL_LEAD)
    UserFactory(role=Role.CLINICAL_LEAD, is_active=False)
    breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
    alerts = Alert.objects.all()
    assert {a.recipient for a in alerts} == {cast.clinical_lead, second_lead}
    assert {a.message for a in alerts} == {f"Oscar Other used break-glass access to {world.case.reference}"}


def test_recipients_are_emailed_one_by_one_without_personal_data(cast, world, opened, mailoutbox):
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [cast.clinical_lead.email]
    text = email.subject + "\n" + email.body
    assert world.case.reference in text
    assert "Oscar Other" in text
    for personal in [REASON, "Stan", "Perpetrator", "Vicky", cast.other_clinician.email]:
        assert personal not in text


def test_no_email_is_sent_when_the_opening_rolls_back(cast, world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
        raise RuntimeError
    assert mailoutbox == []
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


def test_a_failing_audit_write_leaves_no_grant_or_alert(cast, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the audit log is unavailable")

    monkeypatch.setattr(breakglass, "record", broken)
    with pytest.raises(RuntimeError):
        breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=REASON)
    assert not BreakGlassGrant.objects.exists()
    assert not Alert.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "Too short a reason", " " * 30 + "short"])
def test_a_reason_under_20_characters_is_refused(cast, world, reason):
    with pytest.raises(ValueError, match="at least 20 characters"):
        breakglass.open_grant(user=cast.other_clinician, obj=world.case, reason=reason)
    assert not BreakGlassGrant.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.BREAK_GLASS).exists()


@pytest.mark.parametrize("role", ["coordinator", "finance", "researcher", "sysadmin", "agency"])
def test_roles_without_clinical_duties_cannot_break_glass(cast, world, role):
    with pytest.raises(PermissionDenied):
        breakglass.open_grant(user=cast.by_name(role), obj=world.case, reason=REASON)
    assert not BreakGlassGrant.objects.exists()


def test_records_that_are_not_anchors_are_not_opened_by_break_glass(cast, world):
    party = world.case.parties.first()
    assert breakglass.target(cast.other_clinician, type(party), pk=party.pk) is None
    with pytest.raises(PermissionDenied):
        breakglass.open_grant(user=cast.other_clinician, obj=party, reason=REASON)


# --- The form -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Enter why you need to open this record"),
        ("Needed it", "Reason must be 20 characters or more"),
        ("x" * 2001, "Reason must be 2,000 characters or fewer"),
    ],
)
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
        user=cast.clinician,
        object_type="cases.case",
        object_id="1",
        object_label="CASE-2026-00001",
        reason="Covering the duty phone tonight",
        granted_at=dt.datetime(2026, 11, 27, 3, 30, tzinfo=dt.UTC),
        expires_at=dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC),
    )
    request = rf.get("/")
    request.user = cast.clinician
    html = render_to_string("audit/_break_glass_banner.jinja", {"break_glass_grant": grant}, request=request)
    assert (
        "You have break-glass access until 27 November 2026 at 11:30am. Reason: Covering the duty phone tonight"
        in " ".join(html.split())
    )


def test_the_banner_shows_nothing_without_a_grant(cast, rf):
    request = rf.get("/")
    request.user = cast.clinician
    html = render_to_string("audit/_break_glass_banner.jinja", {"break_glass_grant": None}, request=request)
    assert html.strip() == ""


# --- End to end, on a case -----------------------------------------------------------------------------


def test_the_break_glass_page_asks_for_a_reason_and_warns(cast, world, client_for):
    response = client_for(cast.other_clinician).get(reverse("cases:break_glass", args=[world.case.reference]))
    text = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "You have no relationship to this case" in text
    assert world.case.reference in text
    assert "Break-glass access is recorded and alerted" in text
    assert "someone independent of you" in text
    assert "It lasts 8 hours and lets you read, not change anything" in text
    assert "<textarea" in text and 'name="reason"' in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_a_short_reason_is_refused_with_the_error_summary_and_kept(cast, world, client_for):
    url = reverse("cases:break_glass", args=[world.case.reference])
    response = client_for(cast.other_clinician).post(url, {"reason": "Need to see it"})
    text = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in text
    assert 'href="#id_reason"' in text
    assert "Reason must be 20 characters or more" in text
    assert "Need to see it</textarea>" in text
    assert not BreakGlassGrant.objects.exists()


def test_giving_a_reason_opens_the_case_with_the_banner_and_alerts(
    cast,
    world,
    client_for,
    django_capture_on_commit_callbacks,
    mailoutbox,
):
    client = client_for(cast.other_clinician)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cases:break_glass", args=[world.case.reference]), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.case.reference])
    grant = BreakGlassGrant.objects.get()
    event = AuditEvent.objects.get(action=Action.BREAK_GLASS)
    assert event.request_id and event.ip_address == "127.0.0.1"
    page = client.get(response["Location"])
    text = " ".join(page.content.decode().split())
    assert page.status_code == 200
    assert f"You have break-glass access until {timezone.localtime(grant.expires_at).day}" in text
    assert f"Reason: {REASON}" in text
    assert "Who looked at this record" not in text  # the access panel is for clinical leads only
    assert len(mailoutbox) == 1
    assert "Oscar Other used break-glass access" in client_for(cast.clinical_lead).get("/").content.decode()


def test_after_expiry_the_case_is_closed_again(cast, world, client_for):
    client = client_for(cast.other_clinician)
    client.post(reverse("cases:break_glass", args=[world.case.reference]), {"reason": REASON})
    assert client.get(reverse("cases:detail", args=[world.case.reference])).status_code == 200
    BreakGlassGrant.objects.update(
        granted_at=timezone.now() - dt.timedelta(hours=8, minutes=1),
        expires_at=timezone.now() - dt.timedelta(minutes=1),
    )
    assert client.get(reverse("cases:detail", args=[world.case.reference])).status_code == 404


@pytest.mark.parametrize("role", ["coordinator", "finance", "researcher", "sysadmin", "agency"])
def test_roles_without_clinical_duties_find_no_break_glass_page(cast, world, client_for, role):
    client = client_for(cast.by_name(role))
    url = reverse("cases:break_glass", args=[world.case.reference])
    assert client.get(url).status_code in (403, 404)
    assert client.post(url, {"reason": REASON}).status_code in (403, 404)
    assert not BreakGlassGrant.objects.exists()


def test_someone_who_can_already_read_the_case_goes_straight_to_it(cast, world, client_for):
    response = client_for(cast.clinician).get(reverse("cases:break_glass", args=[world.case.reference]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[world.case.reference])
