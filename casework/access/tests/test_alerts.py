"""Break-glass alerts: clinical leads see them on "My work" and on the alerts page, and only the
recipient may acknowledge one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, Alert, AuditEvent
from casework.audit.tests.factories import break_glass_grant
from casework.core.roles import Role

REASON = "Duty call from probation about escalating contact"


@pytest.fixture
def alert(cast):
    break_glass_grant(user=cast.clinician, obj=cast.agency, reason=REASON, recipients=[cast.clinical_lead])
    return Alert.objects.get(recipient=cast.clinical_lead)


def acknowledge_url(alert) -> str:
    return reverse("audit:alert_acknowledge", args=[alert.pk])


def test_my_work_shows_a_clinical_lead_their_unacknowledged_alerts(cast, client_for, alert):
    text = client_for(cast.clinical_lead).get(reverse("core:my_work")).content.decode()
    assert "Break-glass alerts (1)" in text
    assert f"Clare Clinician used break-glass access to user {cast.agency.pk}" in text
    assert f"{reverse('audit:alerts')}#alert-{alert.pk}" in text
    assert REASON not in text  # the reason is read on the alerts page, where reading is audited


def test_my_work_tells_a_clinical_lead_what_will_appear_when_there_are_none(cast, client_for):
    text = client_for(cast.clinical_lead).get(reverse("core:my_work")).content.decode()
    assert "Break-glass alerts (0)" in text
    assert "an alert appears here for you to review and acknowledge" in text


@pytest.mark.parametrize("role", ["coordinator", "clinician", "finance", "researcher", "sysadmin", "agency"])
def test_my_work_shows_no_alerts_section_to_other_roles(cast, client_for, alert, role):
    text = client_for(cast.by_name(role)).get(reverse("core:my_work")).content.decode()
    assert "Break-glass alerts" not in text


def test_my_work_counts_more_alerts_than_it_lists(cast, client_for):
    for _ in range(7):
        break_glass_grant(user=cast.clinician, obj=cast.agency, reason=REASON, recipients=[cast.clinical_lead])
    text = client_for(cast.clinical_lead).get(reverse("core:my_work")).content.decode()
    assert "Break-glass alerts (7)" in text
    assert text.count("used break-glass access to") == 5


def test_the_alerts_page_shows_the_reason_and_an_acknowledge_button(cast, client_for, alert):
    response = client_for(cast.clinical_lead).get(reverse("audit:alerts"))
    text = response.content.decode()
    assert response.status_code == 200
    assert REASON in text
    assert f'id="alert-{alert.pk}"' in text
    assert f'action="{acknowledge_url(alert)}"' in text
    assert "still active" in text
    assert AuditEvent.objects.filter(object_type="audit.log", object_id="alerts", actor=cast.clinical_lead).exists()


def test_the_recipient_can_acknowledge_an_alert(cast, client_for, alert):
    client = client_for(cast.clinical_lead)
    response = client.post(acknowledge_url(alert))
    assert response.status_code == 302
    assert response["Location"] == reverse("audit:alerts")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    event = AuditEvent.objects.get(action=Action.UPDATE, object_type="audit.alert")
    assert (event.actor, event.object_id) == (cast.clinical_lead, str(alert.pk))
    assert "Alert acknowledged" in client.get(response["Location"]).content.decode()
    assert "Break-glass alerts (0)" in client.get(reverse("core:my_work")).content.decode()


def test_acknowledging_twice_records_it_once(cast, client_for, alert):
    client = client_for(cast.clinical_lead)
    client.post(acknowledge_url(alert))
    first = Alert.objects.get(pk=alert.pk).acknowledged_at
    client.post(acknowledge_url(alert))
    assert Alert.objects.get(pk=alert.pk).acknowledged_at == first
    assert AuditEvent.objects.filter(object_type="audit.alert").count() == 1


def test_acknowledging_returns_to_a_local_page_only(cast, client_for, alert):
    client = client_for(cast.clinical_lead)
    assert client.post(acknowledge_url(alert), {"next": "https://evil.example/"})["Location"] == reverse("audit:alerts")
    other = Alert.objects.create(
        raised_at=alert.raised_at, recipient=cast.clinical_lead, kind="break_glass", message="m"
    )
    assert client.post(acknowledge_url(other), {"next": "/audit/alerts/?page=2"})["Location"] == "/audit/alerts/?page=2"


def test_another_clinical_lead_cannot_acknowledge_someone_elses_alert(cast, client_for, alert):
    other_lead = UserFactory(role=Role.CLINICAL_LEAD)
    assert client_for(other_lead).post(acknowledge_url(alert)).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


@pytest.mark.parametrize(
    "role",
    ["coordinator", "clinician", "other_clinician", "finance", "researcher", "sysadmin", "agency", "agency_other"],
)
def test_no_one_else_can_acknowledge_an_alert(cast, client_for, alert, role):
    assert client_for(cast.by_name(role)).post(acknowledge_url(alert)).status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_acknowledging_needs_a_post(cast, client_for, alert):
    assert client_for(cast.clinical_lead).get(acknowledge_url(alert)).status_code == 405


def test_acknowledging_an_unknown_alert_is_not_found(cast, client_for):
    assert client_for(cast.clinical_lead).post(reverse("audit:alert_acknowledge", args=[424242])).status_code == 404


def test_signed_out_visitors_cannot_acknowledge(cast, client_for, alert):
    response = client_for(None).post(acknowledge_url(alert))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
