"""The National Data Opt-out: recorded on the person (who, when), audited, shown on the person page."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.people import services

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "status"),
    [("coordinator", 200), ("clinical_lead", 200), ("clinician", 403), ("finance", 404), ("researcher", 404)],
)
def test_who_may_record_an_opt_out(cast, world, client_for, role, status):
    url = reverse("people:opt_out", args=[world.subject.reference])
    assert client_for(cast.by_name(role)).get(url).status_code == status


def test_recording_an_opt_out_keeps_who_and_when_and_is_audited(cast, world, client_for):
    client = client_for(cast.coordinator)
    url = reverse("people:opt_out", args=[world.subject.reference])
    response = client.post(url, {"opted_out": "yes"})
    assert response.status_code == 302
    world.subject.refresh_from_db()
    assert world.subject.national_data_opt_out
    assert world.subject.national_data_opt_out_recorded_by == cast.coordinator
    assert world.subject.national_data_opt_out_recorded_at is not None
    event = AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="people.person", object_id=str(world.subject.pk)
    ).latest("sequence")
    assert event.changes == {"national_data_opt_out": {"old": False, "new": True}}
    page = client.get(reverse("people:detail", args=[world.subject.reference])).content.decode()
    assert "Opted out: left out of research extracts" in page


def test_the_form_says_what_is_missing(cast, world, client_for):
    response = client_for(cast.coordinator).post(reverse("people:opt_out", args=[world.subject.reference]), {})
    assert response.status_code == 400
    assert "Select whether this person has opted out" in response.content.decode()


def test_the_service_refuses_those_who_may_not_edit_the_person(cast, world):
    with pytest.raises(PermissionDenied):
        services.person_set_opt_out(person=world.subject, opted_out=True, by=cast.researcher)


def test_an_opt_out_follows_a_merge(cast, world):
    other = world.loner
    services.person_set_opt_out(person=other, opted_out=True, by=cast.clinical_lead)
    services.person_merge(source=other, target=world.subject, by=cast.clinical_lead, reason="Same person")
    world.subject.refresh_from_db()
    assert world.subject.national_data_opt_out
