"""The person list, the person page, and adding and correcting a person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.people.models import Person
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db

LIST = reverse("people:list")
CREATE = reverse("people:create")


def _detail(person) -> str:
    return reverse("people:detail", args=[person.reference])


# --- The list ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinical_lead", 200),
        ("clinician", 200),
        ("other_clinician", 200),
        ("finance", 403),
        ("researcher", 403),
        ("sysadmin", 403),
        ("agency", 403),
        ("agency_other", 403),
    ],
)
def test_who_may_open_the_list(cast, world, client_for, role, status):
    assert client_for(cast.by_name(role)).get(LIST).status_code == status


def test_signed_out_users_are_sent_to_sign_in(client_for):
    response = client_for(None).get(LIST)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_the_list_shows_only_persons_the_user_may_see(cast, world, client_for):
    html = client_for(cast.clinician).get(LIST).content.decode()
    assert world.subject.reference in html and world.victim.reference in html
    assert world.loner.reference not in html
    assert world.loner.reference in client_for(cast.coordinator).get(LIST).content.decode()


def test_search_by_name_previous_name_nhs_number_and_referral_reference(cast, world, client_for):
    client = client_for(cast.coordinator)
    by_name = client.get(LIST, {"q": "perpet"}).content.decode()
    assert world.subject.reference in by_name and world.loner.reference not in by_name
    by_nhs = client.get(LIST, {"q": "943 476 5919"}).content.decode()
    assert world.subject.reference in by_nhs and world.victim.reference not in by_nhs
    by_referral = client.get(LIST, {"q": world.referral.reference}).content.decode()
    assert world.subject.reference in by_referral and world.victim.reference in by_referral
    assert world.loner.reference not in by_referral


def test_a_clinician_cannot_find_persons_through_a_referral_they_may_not_see(cast, world, client_for):
    from casework.people import services
    from casework.people.models import CareTeamRole

    services.care_team_add(
        person=world.subject, user=cast.other_clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
    )
    html = client_for(cast.other_clinician).get(LIST, {"q": world.referral.reference}).content.decode()
    assert world.subject.reference not in html


def test_the_list_is_audited_without_the_search_text(cast, world, client_for):
    client_for(cast.coordinator).get(LIST, {"q": "943 476 5919"})
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="people.person").latest("sequence")
    assert event.actor == cast.coordinator
    assert event.changes == {"search": "NHS number", "shown": [world.subject.reference]}
    assert "9434765919" not in str(event.changes) and "943 476" not in str(event.changes)


def test_the_list_paginates(cast, client_for):
    for number in range(27):
        create_person(by=cast.coordinator, given_name=f"Page{number:02d}", family_name="Paginated")
    client = client_for(cast.coordinator)
    first = client.get(LIST).content.decode()
    assert "Showing 1 to 25 of 27 people" in first
    second = client.get(LIST, {"page": 2}).content.decode()
    assert "Showing 26 to 27 of 27 people" in second


def test_the_list_runs_the_same_number_of_queries_for_more_persons(cast, client_for):
    client = client_for(cast.coordinator)
    create_person(by=cast.coordinator, given_name="One")

    def grow() -> None:
        for number in range(20):
            create_person(by=cast.coordinator, given_name=f"More{number}")

    assert_page_queries_flat(client, LIST, grow=grow)


def test_the_list_searching_a_surname_runs_the_same_number_of_queries_for_more_matches(cast, client_for):
    client = client_for(cast.clinical_lead)
    create_person(by=cast.coordinator, given_name="One", family_name="Smith")

    def grow() -> None:
        for number in range(30):
            create_person(by=cast.coordinator, given_name=f"More{number}", family_name="Smithson")

    assert_page_queries_flat(client, LIST, data={"q": "Smith"}, grow=grow)


# --- The person page -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinical_lead", 200),
        ("clinician", 200),
        ("other_clinician", 404),
        ("finance", 404),
        ("researcher", 404),
        ("sysadmin", 404),
        ("agency", 404),
        ("agency_other", 404),
    ],
)
def test_who_may_open_a_person(cast, world, client_for, role, status):
    assert client_for(cast.by_name(role)).get(_detail(world.subject)).status_code == status


def test_an_unknown_reference_is_404(cast, client_for):
    assert client_for(cast.coordinator).get(reverse("people:detail", args=["PER-2026-99999"])).status_code == 404


def test_the_person_page_shows_identifiers_formatted_and_linked_referrals(cast, world, client_for):
    html = client_for(cast.coordinator).get(_detail(world.subject)).content.decode()
    assert "943 476 5919" in html
    assert world.referral.reference in html
    assert "the subject of the referral" in html


def test_reading_a_person_page_is_audited(cast, world, client_for):
    client_for(cast.coordinator).get(_detail(world.subject))
    event = AuditEvent.objects.filter(
        action=Action.VIEW, object_type="people.person", object_id=str(world.subject.pk)
    ).latest("sequence")
    assert event.actor == cast.coordinator
    assert event.object_label == world.subject.reference  # never the name


def test_a_pnc_check_letter_mismatch_is_shown_as_a_warning(cast, client_for):
    person = create_person(by=cast.coordinator, pnc_id="01/0171310A")
    html = client_for(cast.coordinator).get(_detail(person)).content.decode()
    assert 'data-testid="pnc-warning"' in html and "expected W" in html


def test_the_person_page_runs_the_same_number_of_queries_with_more_details(cast, world, client_for):
    from casework.people import services
    from casework.people.models import PersonName

    client = client_for(cast.coordinator)

    def grow() -> None:
        for number in range(5):
            services.detail_add(
                person=world.subject,
                model=PersonName,
                by=cast.coordinator,
                kind="alias",
                given_name=f"Alias{number}",
                family_name="Other",
            )

    assert_page_queries_flat(client, _detail(world.subject), grow=grow)


# --- Adding a person --------------------------------------------------------------------------------

VALID = {
    "given_name": "Nina",
    "middle_names": "",
    "family_name": "Newperson",
    "preferred_name": "",
    "date_of_birth_day": "4",
    "date_of_birth_month": "5",
    "date_of_birth_year": "1991",
    "sex": "female",
    "gender": "",
    "nhs_number": "999 000 0018",
    "pnc_id": "",
    "prison_number": "",
    "workplace": "",
}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinical_lead", 200),
        ("clinician", 403),
        ("finance", 403),
        ("agency", 403),
    ],
)
def test_who_may_add_a_person(cast, client_for, role, status):
    assert client_for(cast.by_name(role)).get(CREATE).status_code == status


def test_a_clinician_cannot_add_a_person_by_posting(cast, client_for):
    assert client_for(cast.clinician).post(CREATE, VALID).status_code == 403
    assert not Person.objects.filter(family_name="Newperson").exists()


def test_adding_a_person(cast, client_for):
    response = client_for(cast.coordinator).post(CREATE, VALID)
    person = Person.objects.get(family_name="Newperson")
    assert response.status_code == 302 and response["Location"] == _detail(person)
    assert person.nhs_number == "9990000018"
    assert str(person.date_of_birth) == "1991-05-04"
    event = AuditEvent.objects.filter(action=Action.CREATE, object_id=str(person.pk)).get()
    assert event.changes["nhs_number"] == {"old": "", "new": "[encrypted]"}
    # Names are recorded as set, never spelled out (a victim's new name must not reach the trail).
    assert event.changes["family_name"] == {"old": None, "new": "[not recorded]"}
    assert "Newperson" not in str(event.changes)
    assert "9990000018" not in str(event.changes)


def test_a_refused_form_shows_a_message_per_field_and_keeps_what_was_typed(cast, client_for):
    data = {
        **VALID,
        "family_name": "",
        "nhs_number": "999 000 0019",
        "pnc_id": "rubbish",
        "date_of_birth_day": "31",
        "date_of_birth_month": "2",
    }
    response = client_for(cast.coordinator).post(CREATE, data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    for message in (
        "Enter the family name",
        "Enter a valid NHS number",
        "Enter a PNC ID in the correct format, like 01/0171310W",
        "Date of birth must be a real date",
    ):
        assert message in html
    assert 'value="999 000 0019"' in html and 'value="Nina"' in html and 'value="rubbish"' in html
    assert not Person.objects.filter(given_name="Nina").exists()


def test_a_second_person_with_the_same_nhs_number_is_refused(cast, world, client_for):
    response = client_for(cast.coordinator).post(CREATE, {**VALID, "nhs_number": "9434765919"})
    assert response.status_code == 400
    assert f"{world.subject.reference} already has this NHS number" in response.content.decode()


def test_a_pnc_check_letter_mismatch_saves_with_a_warning(cast, client_for):
    client = client_for(cast.coordinator)
    response = client.post(CREATE, {**VALID, "pnc_id": "01/0171310A"}, follow=True)
    assert response.status_code == 200
    assert Person.objects.get(family_name="Newperson").pnc_id == "01/0171310A"
    assert "does not match the rest of the number" in response.content.decode()


def test_adding_a_sealed_person(cast, client_for):
    client_for(cast.coordinator).post(CREATE, {**VALID, "is_sealed": "on"})
    person = Person.objects.get(family_name="Newperson")
    assert person.is_sealed and person.sealed_at is not None


# --- Correcting a person ------------------------------------------------------------------------------


def _edit(person) -> str:
    return reverse("people:edit", args=[person.reference])


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
def test_who_may_correct_a_person(cast, world, client_for, role, status):
    assert client_for(cast.by_name(role)).get(_edit(world.subject)).status_code == status


def test_a_clinician_on_the_care_team_may_correct_the_record(cast, world, client_for):
    assert client_for(cast.clinician).get(_edit(world.victim)).status_code == 200


def test_correcting_a_person_is_audited_with_encrypted_fields_redacted(cast, world, client_for):
    data = {
        **VALID,
        "given_name": "Pete",
        "family_name": "Perpetrator",
        "nhs_number": "999 000 0026",
        "date_of_birth_day": "3",
        "date_of_birth_month": "2",
        "date_of_birth_year": "1980",
        "sex": "male",
    }
    response = client_for(cast.coordinator).post(_edit(world.subject), data)
    assert response.status_code == 302
    world.subject.refresh_from_db()
    assert world.subject.given_name == "Pete" and world.subject.nhs_number == "9990000026"
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(world.subject.pk)).latest("sequence")
    assert event.changes["given_name"] == {"old": "[not recorded]", "new": "[not recorded]"}
    assert "Pete" not in str(event.changes)
    assert event.changes["nhs_number"] == {"old": "[encrypted]", "new": "[encrypted]"}
    assert "9434765919" not in str(event.changes) and "9990000026" not in str(event.changes)


def test_the_edit_form_refuses_bad_input_and_keeps_it(cast, world, client_for):
    response = client_for(cast.coordinator).post(_edit(world.subject), {**VALID, "given_name": "", "nhs_number": "12"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Enter the given name" in html and "NHS number must be 10 digits" in html and 'value="12"' in html


def test_a_leads_person_page_with_possible_duplicates_keeps_its_query_count(cast, world, client_for):
    import datetime as dt

    client = client_for(cast.clinical_lead)
    create_person(by=cast.coordinator, given_name="Peter", family_name="Perpetrator", date_of_birth=dt.date(1980, 2, 3))

    def grow() -> None:
        for number in range(4):
            create_person(
                by=cast.coordinator,
                given_name="Peter",
                family_name="Perpetrator",
                date_of_birth=dt.date(1980, 2, 4 + number),
            )

    assert_page_queries_flat(client, _detail(world.subject), grow=grow)
    # The check itself is loaded after the page (ADR 0025), and keeps its count too.
    assert 'data-testid="duplicates-slot"' in client.get(_detail(world.subject)).content.decode()
    duplicates = reverse("people:duplicates", args=[world.subject.reference])
    assert_page_queries_flat(client, duplicates, data={"fragment": "1"}, grow=grow)
    html = client.get(duplicates, {"fragment": "1"}).content.decode()
    assert 'data-testid="possible-duplicates"' in html
