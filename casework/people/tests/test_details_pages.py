"""Other names, addresses, telephone numbers, email addresses and online identifiers; the care
team; sealing and unsealing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.people.models import PersonAddress, PersonCareTeam, PersonName, PersonPhone

pytestmark = pytest.mark.django_db


def _add(person, kind):
    return reverse("people:detail_add", args=[person.reference, kind])


def _latest_change(person) -> dict:
    return (
        AuditEvent.objects.filter(action=Action.UPDATE, object_type="people.person", object_id=str(person.pk))
        .latest("sequence")
        .changes
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinical_lead", 200),
        ("clinician", 403),
        ("other_clinician", 404),
        ("finance", 404),
        ("agency", 404),
    ],
)
def test_who_may_add_an_address(cast, world, client_for, role, status):
    assert client_for(cast.by_name(role)).get(_add(world.subject, "addresses")).status_code == status


def test_an_unknown_kind_is_404(cast, world, client_for):
    assert client_for(cast.coordinator).get(_add(world.subject, "shoe-sizes")).status_code == 404


def test_adding_an_address_encrypts_it_and_audits_that_it_changed(cast, world, client_for):
    data = {
        "kind": "home",
        "address": "9 Audit Street\nLeeds",
        "postcode": "ls1 4ap",
        "lived_from_day": "1",
        "lived_from_month": "6",
        "lived_from_year": "2020",
    }
    response = client_for(cast.coordinator).post(_add(world.subject, "addresses"), data)
    assert response.status_code == 302
    address = world.subject.addresses.get()
    assert address.postcode == "LS1 4AP" and address.lived_from.year == 2020
    changes = _latest_change(world.subject)
    assert changes[f"address {address.pk}: address"] == {"old": "", "new": "[encrypted]"}
    assert changes[f"address {address.pk}: kind"] == {"old": None, "new": "home"}
    assert "Audit Street" not in str(changes)


def test_a_refused_address_keeps_what_was_typed(cast, world, client_for):
    data = {
        "kind": "",
        "address": "",
        "postcode": "nonsense",
        "lived_from_day": "1",
        "lived_from_month": "6",
        "lived_from_year": "2020",
        "lived_to_day": "1",
        "lived_to_month": "1",
        "lived_to_year": "2019",
    }
    response = client_for(cast.coordinator).post(_add(world.subject, "addresses"), data)
    html = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Select the kind of address",
        "Enter the address",
        "Enter a real postcode, like SW1A 1AA",
        "Lived there until must be the same as or after lived there from",
    ):
        assert message in html
    assert 'value="nonsense"' in html
    assert not PersonAddress.objects.filter(person=world.subject).exists()


def test_adding_a_telephone_number_stores_e164(cast, world, client_for):
    data = {"kind": "mobile", "number": "0113 496 0123", "safe_to_contact": "yes", "notes": "After 6pm"}
    assert client_for(cast.coordinator).post(_add(world.subject, "phones"), data).status_code == 302
    phone = world.subject.phones.get()
    assert phone.number == "+441134960123" and phone.safe_to_contact is True


def test_a_bad_telephone_number_is_refused(cast, world, client_for):
    data = {"kind": "mobile", "number": "12345", "safe_to_contact": "unknown"}
    response = client_for(cast.coordinator).post(_add(world.subject, "phones"), data)
    assert response.status_code == 400
    assert "Enter a telephone number, like 020 7946 0000" in response.content.decode()
    assert 'value="12345"' in response.content.decode()


def test_adding_an_email_address_and_an_online_identifier(cast, world, client_for):
    client = client_for(cast.coordinator)
    assert (
        client.post(_add(world.subject, "emails"), {"address": "pp@example.org", "safe_to_contact": "no"}).status_code
        == 302
    )
    assert (
        client.post(_add(world.subject, "online"), {"platform": "xbox", "handle": "Peter Gamer#42"}).status_code == 302
    )
    assert world.subject.emails.get().address == "pp@example.org"
    assert world.subject.online_identifiers.get().handle == "Peter Gamer#42"


def test_adding_a_previous_name_needs_a_name(cast, world, client_for):
    response = client_for(cast.coordinator).post(_add(world.subject, "names"), {"kind": "previous"})
    assert response.status_code == 400
    assert "Enter a given name or a family name" in response.content.decode()


def test_a_clinician_on_the_care_team_may_add_a_name_but_not_to_others(cast, world, client_for):
    client = client_for(cast.clinician)
    assert client.post(_add(world.victim, "names"), {"kind": "alias", "given_name": "V"}).status_code == 302
    assert client.post(_add(world.subject, "names"), {"kind": "alias", "given_name": "P"}).status_code == 403
    assert PersonName.objects.filter(person=world.victim).count() == 1
    assert not PersonName.objects.filter(person=world.subject).exists()


def test_changing_and_removing_a_detail(cast, world, client_for):
    client = client_for(cast.clinician)  # on the victim's care team
    phone = world.victim.phones.get()
    url = reverse("people:detail_edit", args=[world.victim.reference, "phones", phone.pk])
    assert 'value="0113 496 0777"' in client.get(url).content.decode()
    data = {"kind": "home", "number": "020 7946 0999", "safe_to_contact": "no", "notes": ""}
    assert client.post(url, data).status_code == 302
    phone.refresh_from_db()
    assert phone.number == "+442079460999" and phone.safe_to_contact is False
    assert _latest_change(world.victim)[f"telephone number {phone.pk}: number"] == {
        "old": "[encrypted]",
        "new": "[encrypted]",
    }
    remove = reverse("people:detail_remove", args=[world.victim.reference, "phones", phone.pk])
    assert client.get(remove).status_code == 200
    assert client.post(remove).status_code == 302
    assert not PersonPhone.objects.filter(pk=phone.pk).exists()


def test_a_detail_of_another_person_is_404(cast, world, client_for):
    phone = world.victim.phones.get()
    url = reverse("people:detail_edit", args=[world.subject.reference, "phones", phone.pk])
    assert client_for(cast.coordinator).get(url).status_code == 404


# --- Care team -------------------------------------------------------------------------------------


def _team_add(person):
    return reverse("people:care_team_add", args=[person.reference])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("clinical_lead", 200),
        ("coordinator", 403),
        ("clinician", 403),
        ("other_clinician", 404),
        ("finance", 404),
    ],
)
def test_who_may_manage_the_care_team(cast, world, client_for, role, status):
    assert client_for(cast.by_name(role)).get(_team_add(world.victim)).status_code == status


def test_a_lead_adds_and_removes_a_member(cast, world, client_for):
    client = client_for(cast.clinical_lead)
    response = client.post(_team_add(world.victim), {"user": cast.other_clinician.pk, "role": "clinician"})
    assert response.status_code == 302
    member = PersonCareTeam.objects.get(person=world.victim, user=cast.other_clinician)
    assert member.added_by == cast.clinical_lead
    remove = reverse("people:care_team_remove", args=[world.victim.reference, member.pk])
    assert client.post(remove).status_code == 302
    assert not PersonCareTeam.objects.filter(pk=member.pk).exists()


def test_a_lead_cannot_add_themselves(cast, world, client_for):
    client = client_for(cast.clinical_lead)
    assert f'value="{cast.clinical_lead.pk}"' not in client.get(_team_add(world.victim)).content.decode()
    response = client.post(_team_add(world.victim), {"user": cast.clinical_lead.pk, "role": "clinician"})
    assert response.status_code == 400
    assert not PersonCareTeam.objects.filter(person=world.victim, user=cast.clinical_lead).exists()


def test_only_clinic_staff_may_join_a_team(cast, world, client_for):
    response = client_for(cast.clinical_lead).post(
        _team_add(world.victim), {"user": cast.finance.pk, "role": "clinician"}
    )
    assert response.status_code == 400
    assert "Select a member of staff from the list" in response.content.decode()


# --- Sealing ---------------------------------------------------------------------------------------


def test_a_coordinator_seals_a_record(cast, world, client_for):
    url = reverse("people:seal", args=[world.loner.reference])
    assert client_for(cast.coordinator).post(url, {"reason": ""}).status_code == 302
    world.loner.refresh_from_db()
    assert world.loner.is_sealed


@pytest.mark.parametrize("role", ["coordinator", "clinical_lead", "clinician"])
def test_unsealing_needs_a_clinical_lead_who_can_see_the_details(cast, world, client_for, role):
    """A lead not on the team may not unseal, nor may the care team's clinician (not a lead)."""
    assert (
        client_for(cast.by_name(role)).get(reverse("people:unseal", args=[world.victim.reference])).status_code == 403
    )


def test_a_lead_on_the_team_unseals_with_a_reason(cast, world, client_for):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role
    from casework.people import services

    other_lead = UserFactory(role=Role.CLINICAL_LEAD)
    services.care_team_add(person=world.victim, user=other_lead, role="clinician", by=cast.clinical_lead)
    client = client_for(other_lead)
    url = reverse("people:unseal", args=[world.victim.reference])
    refused = client.post(url, {"reason": ""})
    assert (
        refused.status_code == 400 and "Enter why the details no longer need to be sealed" in refused.content.decode()
    )
    assert client.post(url, {"reason": "Court case concluded; she asked us to"}).status_code == 302
    world.victim.refresh_from_db()
    assert not world.victim.is_sealed


def test_sealing_an_already_sealed_record_is_refused(cast, world, client_for):
    assert client_for(cast.coordinator).get(reverse("people:seal", args=[world.victim.reference])).status_code == 403
