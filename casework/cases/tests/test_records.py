"""What a case holds besides incidents: parties and their episodes, orders, hearings, MAPPA and
agencies with their officers. Each is audited against the case."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.choices import PartyRole
from casework.cases.errors import CaseRefused
from casework.cases.models import AgencyOfficer, Hearing, InvolvedAgency, LegalOrder, MappaMeeting, StalkingEpisode
from casework.cases.services import records
from casework.cases.tests.factories import IncidentFactory
from casework.people.tests.factories import create_person


def last_event():
    return AuditEvent.objects.filter(object_type="cases.case").exclude(action="view").latest("sequence")


# --- Parties ------------------------------------------------------------------------------------


def test_a_person_is_found_and_picked_not_typed(cast, world, client_for):
    """Issue 11.8: adding a person meant typing a PER- reference by hand."""
    partner = create_person(by=cast.coordinator, given_name="Nick", family_name="Newpartner")
    client = client_for(cast.clinical_lead)
    page_url = reverse("cases:party_add", args=[world.case.reference])
    first = client.get(page_url)
    assert first.status_code == 200 and 'name="find"' in first.content.decode()
    assert 'name="person"' not in first.content.decode()  # nothing to pick before a search
    found = client.get(page_url + "?find=Newpartner").content.decode()
    assert f'value="{partner.reference}"' in found and "Nick Newpartner" in found and 'type="radio"' in found
    response = client.post(
        page_url + "?find=Newpartner",
        {
            "person": partner.reference,
            "role": "new_partner",
            "name_as_given": "",
            "relationship_to_subject": "Her new partner",
        },
    )
    assert response.status_code == 302
    party = world.case.parties.get(person=partner)
    assert party.role == PartyRole.NEW_PARTNER and party.name_as_given == "Nick Newpartner"
    assert f"party {party.pk}" in last_event().changes


def test_a_person_reference_finds_that_person(cast, world, client_for):
    partner = create_person(by=cast.coordinator, given_name="Nick", family_name="Newpartner")
    url = reverse("cases:party_add", args=[world.case.reference]) + f"?find={partner.reference.lower()}"
    assert f'value="{partner.reference}"' in client_for(cast.clinical_lead).get(url).content.decode()


def test_someone_the_user_cannot_see_is_neither_found_nor_accepted(cast, world, client_for):
    hidden = create_person(by=cast.coordinator, given_name="Notlinked", family_name="Hiddenperson")
    client = client_for(cast.clinician)
    page_url = reverse("cases:party_add", args=[world.case.reference])
    search = client.get(page_url + "?find=Hiddenperson").content.decode()
    assert hidden.reference not in search and 'data-testid="nobody-found"' in search
    for reference in ("PER-2026-99999", hidden.reference):
        response = client.post(page_url + "?find=Hiddenperson", {"person": reference, "role": "other"})
        assert response.status_code == 400
        assert "Select one of the people found" in response.content.decode()
        assert not world.case.parties.filter(person__reference=reference).exists()


def test_a_person_is_in_a_case_once(cast, world):
    with pytest.raises(CaseRefused, match="already in the case"):
        records.party_add(case=world.case, person=world.victim, role=PartyRole.OTHER, by=cast.clinician)


@pytest.mark.parametrize("role", [PartyRole.SUBJECT, PartyRole.PERSON_WHO_STALKS])
def test_roles_that_do_not_fit_a_perpetrator_case(cast, world, role):
    someone = create_person(by=cast.coordinator, given_name="Any", family_name="One")
    with pytest.raises(CaseRefused):
        records.party_add(case=world.case, person=someone, role=role, by=cast.clinical_lead)


def test_changing_a_party_records_old_and_new(cast, world, client_for):
    party = world.victim_party
    response = client_for(cast.clinician).post(
        reverse("cases:party_edit", args=[world.case.reference, party.pk]),
        {
            "role": "victim",
            "name_as_given": "Vicky N",
            "relationship_to_subject": "Former wife",
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert party.name_as_given == "Vicky N"
    # That the name changed, never the name (casework.audit.services.records_value).
    assert last_event().changes[f"party {party.pk} name_as_given"] == {"old": "[not recorded]", "new": "[not recorded]"}
    assert "Vicky" not in str(last_event().changes)


def test_a_victim_with_incidents_stays_a_victim(cast, world):
    IncidentFactory(case=world.case, victim=world.victim_party)
    with pytest.raises(CaseRefused, match="stay a victim"):
        records.party_update(
            party=world.victim_party,
            role=PartyRole.OTHER,
            name_as_given="Vicky",
            relationship_to_subject="",
            by=cast.clinician,
        )


# --- Episodes -----------------------------------------------------------------------------------


def test_the_stalking_episode_of_a_victim(cast, world, client_for):
    url = reverse("cases:episode", args=[world.case.reference, world.victim_party.pk])
    client = client_for(cast.clinician)
    refused = client.post(url, {"started_precision": "month"})
    assert refused.status_code == 400 and "Select the prior relationship" in refused.content.decode()
    response = client.post(
        url,
        {
            "prior_relationship": "ex_intimate_partner",
            "started_on_day": "14",
            "started_on_month": "3",
            "started_on_year": "2025",
            "started_precision": "month",
            "behaviours": ["following", "text", "threats"],
            "motivation_in_own_words": '"I just want her to talk to me"',
        },
    )
    assert response.status_code == 302
    episode = StalkingEpisode.objects.get(victim=world.victim_party)
    assert episode.started_on == dt.date(2025, 3, 1)
    assert episode.behaviours == ["following", "text", "threats"]
    body = client.get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "Ex-intimate partner" in body and "March 2025" in body and "I just want her to talk to me" in body
    # Saving again changes the same episode.
    client.post(
        url, {"prior_relationship": "ex_intimate_partner", "started_precision": "day", "behaviours": ["following"]}
    )
    assert StalkingEpisode.objects.get(victim=world.victim_party).behaviours == ["following"]


def test_an_episode_is_only_for_a_victim(cast, world, client_for):
    subject_party = world.case.parties.get(role=PartyRole.SUBJECT)
    url = reverse("cases:episode", args=[world.case.reference, subject_party.pk])
    assert client_for(cast.clinician).get(url).status_code == 404


# --- Orders, hearings, MAPPA --------------------------------------------------------------------


def order_form(**overrides):
    data = {
        "kind": "spo_interim",
        "issued_by": "Northshire Magistrates' Court",
        "starts_on_day": "1",
        "starts_on_month": "10",
        "starts_on_year": "2026",
        "ends_on_day": "1",
        "ends_on_month": "4",
        "ends_on_year": "2027",
        "no_contact": "on",
        "exclusion_zone": "on",
        "exclusion_zone_details": "The whole of Leeds city centre",
    }
    data.update(overrides)
    return data


def test_an_order_with_its_conditions_and_whom_it_protects(cast, world, client_for):
    client = client_for(cast.clinician)
    response = client.post(
        reverse("cases:order_add", args=[world.case.reference]), order_form(protects=[str(world.victim_party.pk)])
    )
    assert response.status_code == 302
    order = LegalOrder.objects.get()
    assert order.no_contact and order.exclusion_zone and not order.attend_treatment
    assert list(order.protects.all()) == [world.victim_party]
    assert last_event().changes[f"order {order.pk}"]["new"]["protects"] == [world.victim_party.pk]


def test_an_order_cannot_end_before_it_starts_and_a_zone_needs_a_place(cast, world, client_for):
    response = client_for(cast.clinician).post(
        reverse("cases:order_add", args=[world.case.reference]),
        order_form(ends_on_year="2025", exclusion_zone_details="", issued_by=""),
    )
    assert response.status_code == 400
    body = response.content.decode()
    for message in (
        "End date must be the same as or after the start date",
        "Describe where the exclusion zone is",
        "Enter the court or authority that issued it",
    ):
        assert message in body
    assert not LegalOrder.objects.exists()


def test_changing_an_order(cast, world, client_for):
    client = client_for(cast.clinician)
    client.post(reverse("cases:order_add", args=[world.case.reference]), order_form())
    order = LegalOrder.objects.get()
    response = client.post(
        reverse("cases:order_edit", args=[world.case.reference, order.pk]),
        order_form(kind="spo_full", protects=[str(world.victim_party.pk)]),
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.kind == "spo_full" and order.protects.count() == 1


def test_a_coordinator_adds_a_hearing(cast, world, client_for):
    response = client_for(cast.coordinator).post(
        reverse("cases:hearing_add", args=[world.case.reference]),
        {
            "kind": "sentencing",
            "hearing_on_day": "12",
            "hearing_on_month": "1",
            "hearing_on_year": "2027",
            "venue": "Westvale Crown Court",
        },
    )
    assert response.status_code == 302
    hearing = Hearing.objects.get()
    assert hearing.hearing_on == dt.date(2027, 1, 12)
    refused = client_for(cast.coordinator).post(
        reverse("cases:hearing_edit", args=[world.case.reference, hearing.pk]), {"kind": "sentencing"}
    )
    assert refused.status_code == 400 and "Enter date of the hearing" in refused.content.decode()


def test_mappa_category_level_and_coordinator(cast, world, client_for):
    url = reverse("cases:mappa", args=[world.case.reference])
    client = client_for(cast.clinician)
    refused = client.post(url, {"coordinator_email": "not an email"})
    body = refused.content.decode()
    assert refused.status_code == 400
    assert "Select the MAPPA category" in body and "Select the MAPPA level" in body and "Enter an email address" in body
    assert client.post(url, {"category": "2", "level": "2", "coordinator_name": "Neil Archer"}).status_code == 302
    assert client.post(url, {"category": "2", "level": "3", "coordinator_name": "Neil Archer"}).status_code == 302
    body = client.get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "Category 2: violent or other sexual offenders" in body and "Level 3" in body
    assert last_event().changes[f"MAPPA {world.case.mappa.pk} level"] == {"old": 2, "new": 3}
    assert client_for(cast.coordinator).get(url).status_code == 403


def test_a_coordinator_adds_a_mappa_meeting(cast, world, client_for):
    response = client_for(cast.coordinator).post(
        reverse("cases:mappa_meeting_add", args=[world.case.reference]),
        {
            "meets_on_day": "9",
            "meets_on_month": "12",
            "meets_on_year": "2026",
        },
    )
    assert response.status_code == 302
    assert MappaMeeting.objects.get().meets_on == dt.date(2026, 12, 9)


# --- Agencies -----------------------------------------------------------------------------------


def test_agencies_and_their_officers(cast, world, client_for):
    client = client_for(cast.coordinator)
    response = client.post(
        reverse("cases:agency_add", args=[world.case.reference]), {"organisation": str(cast.other_organisation.pk)}
    )
    assert response.status_code == 302
    # (The referring agency and officer came with the referral: services._carry.)
    agency = InvolvedAgency.objects.get(organisation=cast.other_organisation)
    assert agency.name == "Southshire Probation" and agency.organisation == cast.other_organisation
    duplicate = client.post(reverse("cases:agency_add", args=[world.case.reference]), {"name": "southshire probation"})
    assert duplicate.status_code == 400 and "already involved" in duplicate.content.decode()
    response = client.post(
        reverse("cases:officer_add", args=[world.case.reference, agency.pk]),
        {
            "role": "offender_manager",
            "name": "Jo Barnes",
            "email": "jo.barnes@probation.example.org",
            "phone": "0113 496 0000",
        },
    )
    assert response.status_code == 302
    officer = AgencyOfficer.objects.get(agency=agency)
    response = client.post(
        reverse("cases:officer_edit", args=[world.case.reference, officer.pk]),
        {
            "role": "offender_manager",
            "name": "Jo Barnes",
            "email": "not-an-email",
        },
    )
    assert response.status_code == 400 and "Enter an email address in the correct format" in response.content.decode()
    body = client.get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "Jo Barnes" in body and "jo.barnes@probation.example.org" in body and "offender manager" in body


def test_an_agency_needs_a_name(cast, world, client_for):
    response = client_for(cast.coordinator).post(reverse("cases:agency_add", args=[world.case.reference]), {})
    assert response.status_code == 400
    assert "Select an agency, or enter the name of one that is not listed" in response.content.decode()


def test_an_officer_of_another_cases_agency_is_404(cast, world, client_for):
    agency = InvolvedAgency.objects.create(
        case=world.case, name="X", added_at="2026-11-01T00:00Z", added_by=cast.coordinator
    )
    url = reverse("cases:officer_add", args=[world.case.reference, agency.pk + 1])
    assert client_for(cast.coordinator).get(url).status_code == 404


def test_an_incident_inside_an_exclusion_zone_is_flagged_on_the_case_page(cast, world, client_for):
    """Issue 11.9: no flag when an incident happened inside an order's exclusion zone."""
    from casework.cases.tests.test_incidents import form_data

    client = client_for(cast.clinician)
    response = client.post(
        reverse("cases:order_add", args=[world.case.reference]),
        order_form(no_contact="", zone_places=["home", "work"], protects=[str(world.victim_party.pk)]),
    )
    assert response.status_code == 302
    order = LegalOrder.objects.get()
    assert order.zone_places == ["home", "work"] and not order.no_contact
    assert last_event().changes[f"order {order.pk}"]["new"]["zone_places"] == ["home", "work"]
    added = client.post(
        reverse("cases:incident_add", args=[world.case.reference]),
        form_data(
            victim=str(world.victim_party.pk), place="home", description="Stood at the end of her road for an hour"
        ),
    )
    assert added.status_code == 302
    page = client.get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "Likely breach of an order" in page
    assert "inside the exclusion zone of the stalking protection order (interim)" in page


def test_a_zone_without_the_exclusion_zone_box_ticked_covers_nowhere(cast, world, client_for):
    client = client_for(cast.clinician)
    client.post(
        reverse("cases:order_add", args=[world.case.reference]),
        order_form(exclusion_zone="", exclusion_zone_details="", zone_places=["home"]),
    )
    assert LegalOrder.objects.get().zone_places == []
