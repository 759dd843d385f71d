"""Linking a referral's subject and named parties to person records: ranked candidates with
reasons, confirming a match, adding a new person from the referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.people import candidates
from casework.people.models import Person, ReferralPersonLink
from casework.people.tests.factories import create_person
from casework.referrals.choices import PartyRole, SubjectRole
from casework.referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_referral(cast):
    """A referral nobody has linked yet: subject John Smith, born 12 April 1985, NHS number in the details."""
    return ReferralFactory(
        referring_organisation=cast.organisation,
        lead_clinician=cast.clinician,
        subject_given_name="John",
        subject_family_name="Smith",
        subject_date_of_birth=dt.date(1985, 4, 12),
        subject_details="NHS number 999 000 0018. Lives at 3 Mill Lane, Leeds LS1 4AP",
        parties=[
            {
                "role": PartyRole.VICTIM,
                "name": "Anna Marsh",
                "relationship_to_subject": "Ex-partner",
                "details": "Tel 020 7946 0555, anna.marsh@example.org, born 02/03/1990",
            }
        ],
    )


def _subject_url(referral) -> str:
    return reverse("people:link_subject", args=[referral.reference])


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("coordinator", 200),
        ("clinical_lead", 200),
        ("clinician", 403),
        ("other_clinician", 404),
        ("finance", 404),
        ("researcher", 404),
        ("sysadmin", 404),
        ("agency", 403),
        ("agency_other", 404),
    ],
)
def test_who_may_link_a_referral(cast, fresh_referral, client_for, role, status):
    assert client_for(cast.by_name(role)).get(_subject_url(fresh_referral)).status_code == status


def test_a_party_of_another_referral_is_404(cast, world, fresh_referral, client_for):
    url = reverse("people:link_party", args=[fresh_referral.reference, world.party.pk])
    assert client_for(cast.coordinator).get(url).status_code == 404


def test_candidates_are_ranked_with_scores_and_reasons(cast, fresh_referral, client_for):
    same = create_person(
        by=cast.coordinator,
        given_name="John",
        family_name="Smith",
        date_of_birth=dt.date(1985, 4, 12),
        nhs_number="9990000018",
        sex="male",
    )
    similar = create_person(
        by=cast.coordinator, given_name="Jon", family_name="Smyth", date_of_birth=dt.date(1985, 4, 12), sex="male"
    )
    create_person(by=cast.coordinator, given_name="Harriet", family_name="Quigley", date_of_birth=dt.date(1950, 1, 1))
    found = candidates.candidates_for(cast.coordinator, candidates.referral_record(fresh_referral))
    assert [c.person for c in found][:2] == [same, similar]
    assert found[0].score > found[1].score > 0
    assert "NHS number matches" in found[0].reasons
    assert "same date of birth" in found[1].reasons
    assert "family name similar: Smith / Smyth" in found[1].reasons
    html = client_for(cast.coordinator).get(_subject_url(fresh_referral)).content.decode()
    assert same.reference in html and similar.reference in html
    assert "Harriet" not in html
    assert f"{found[0].percent}%" in html


def test_each_candidates_button_is_named_by_its_visible_text_and_the_person(cast, fresh_referral, client_for):
    """WCAG 2.5.3 (label in name; axe's label-content-name-mismatch, found by the journey browser
    test): the button's accessible name starts with what it says, then says who it links, and no
    aria-label hides the visible words from speech-input users."""
    same = create_person(
        by=cast.coordinator, given_name="John", family_name="Smith", date_of_birth=dt.date(1985, 4, 12), sex="male"
    )
    html = client_for(cast.coordinator).get(_subject_url(fresh_referral)).content.decode()
    table = html[html.index('data-testid="candidates"') :]
    button = table[table.index("<button") : table.index("</button>")]
    assert "aria-label" not in button
    assert "This is the same person" in button
    assert f'<span class="nhsuk-u-visually-hidden">: John Smith ({same.reference})</span>' in button


def test_candidates_never_include_persons_the_user_may_not_see(cast, world):
    """The clinician sees the referral's subject and victim, not the loner: an exact copy of the
    loner's details finds nothing for them, and everything for a coordinator."""
    record = candidates.PersonRecord(record_id="x", given_name="Lonny", family_name="Loner", date_of_birth="1970-01-01")
    assert candidates.candidates_for(cast.clinician, record) == []
    assert [c.person for c in candidates.candidates_for(cast.coordinator, record)] == [world.loner]


def test_details_are_read_from_the_referral_text():
    found = candidates.details_in_text(
        "NHS no 943 476 5919; PNC 2001/0171310W\n12 Low Road, Leeds, ls1 4ap\n"
        "mobile +44 20 7946 0123 or jo@example.org. DOB 07/08/1990"
    )
    assert found.nhs_number == "9434765919"
    assert found.pnc_id == "01/0171310W"
    assert found.postcode == "LS1 4AP" and found.address.startswith("12 Low Road")
    assert found.phone == "+442079460123"
    assert found.email == "jo@example.org"
    assert found.date_of_birth == "1990-08-07"


def test_confirming_a_match_links_and_audits(cast, fresh_referral, client_for):
    person = create_person(
        by=cast.coordinator, given_name="John", family_name="Smith", date_of_birth=dt.date(1985, 4, 12)
    )
    response = client_for(cast.coordinator).post(_subject_url(fresh_referral), {"person": person.reference})
    assert response.status_code == 302
    assert response["Location"] == reverse("referrals:detail", args=[fresh_referral.reference])
    link = ReferralPersonLink.objects.get(referral=fresh_referral, named_party=None)
    assert link.person == person and link.linked_by == cast.coordinator
    assert AuditEvent.objects.filter(
        action=Action.UPDATE, object_type="people.person", object_id=str(person.pk), changes__has_key="referral link"
    ).exists()
    assert AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(fresh_referral.pk)).exists()


def test_choosing_another_person_replaces_the_link(cast, fresh_referral, client_for):
    first = create_person(by=cast.coordinator, given_name="John", family_name="Smith")
    second = create_person(by=cast.coordinator, given_name="Johnny", family_name="Smith")
    client = client_for(cast.coordinator)
    client.post(_subject_url(fresh_referral), {"person": first.reference})
    html = client.get(_subject_url(fresh_referral)).content.decode()
    assert 'data-testid="current-link"' in html and first.reference in html
    client.post(_subject_url(fresh_referral), {"person": second.reference})
    assert ReferralPersonLink.objects.get(referral=fresh_referral, named_party=None).person == second
    assert ReferralPersonLink.objects.filter(referral=fresh_referral).count() == 1


def test_linking_an_unknown_person_is_refused(cast, fresh_referral, client_for):
    response = client_for(cast.coordinator).post(_subject_url(fresh_referral), {"person": "PER-2026-99999"})
    assert response.status_code == 400
    assert "Select a person from the list" in response.content.decode()
    assert not ReferralPersonLink.objects.exists()


def test_a_clinician_cannot_link_by_posting(cast, fresh_referral, client_for):
    person = create_person(by=cast.coordinator)
    assert (
        client_for(cast.clinician).post(_subject_url(fresh_referral), {"person": person.reference}).status_code == 403
    )


# --- A new person from the referral ------------------------------------------------------------------


def test_the_new_person_form_is_filled_from_the_referral(cast, fresh_referral, client_for):
    url = reverse("people:link_subject_new", args=[fresh_referral.reference])
    html = client_for(cast.coordinator).get(url).content.decode()
    for value in ('value="John"', 'value="Smith"', 'value="9990000018"', 'value="LS1 4AP"', 'value="1985"'):
        assert value in html


def test_adding_a_new_person_from_the_referral_links_them(cast, fresh_referral, client_for):
    url = reverse("people:link_subject_new", args=[fresh_referral.reference])
    data = {
        "given_name": "John",
        "family_name": "Smith",
        "date_of_birth_day": "12",
        "date_of_birth_month": "4",
        "date_of_birth_year": "1985",
        "nhs_number": "9990000018",
        "address": "3 Mill Lane, Leeds",
        "postcode": "LS1 4AP",
        "phone": "",
        "email": "",
    }
    assert client_for(cast.coordinator).post(url, data).status_code == 302
    person = Person.objects.get(family_name="Smith")
    assert person.addresses.get().postcode == "LS1 4AP"
    assert ReferralPersonLink.objects.get(referral=fresh_referral, named_party=None).person == person


def test_a_victim_added_from_the_referral_is_sealed_with_the_details_given(cast, fresh_referral, client_for):
    party = fresh_referral.named_parties.get()
    url = reverse("people:link_party_new", args=[fresh_referral.reference, party.pk])
    client = client_for(cast.coordinator)
    form_html = client.get(url).content.decode()
    assert 'value="Anna"' in form_html and 'value="Marsh"' in form_html and "checked" in form_html
    data = {
        "given_name": "Anna",
        "family_name": "Marsh",
        "date_of_birth_day": "2",
        "date_of_birth_month": "3",
        "date_of_birth_year": "1990",
        "phone": "020 7946 0555",
        "email": "anna.marsh@example.org",
        "address": "",
        "postcode": "",
        "is_sealed": "on",
    }
    assert client.post(url, data).status_code == 302
    person = Person.objects.get(family_name="Marsh")
    assert person.is_sealed
    assert person.phones.get().number == "+442079460555"
    assert ReferralPersonLink.objects.get(referral=fresh_referral, named_party=party).person == person
    page = client.get(reverse("people:detail", args=[person.reference])).content.decode()
    assert "7946 0555" not in page and "anna.marsh" not in page  # the coordinator is not on the care team


def test_a_refused_new_person_keeps_what_was_typed(cast, fresh_referral, client_for):
    url = reverse("people:link_subject_new", args=[fresh_referral.reference])
    data = {
        "given_name": "John",
        "family_name": "",
        "phone": "999",
        "email": "not-an-email",
        "postcode": "LS1 4AP",
        "address": "",
    }
    response = client_for(cast.coordinator).post(url, data)
    html = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Enter the family name",
        "Enter a telephone number",
        "Enter an email address in the correct format",
        "Enter the address for this postcode, or remove the postcode",
    ):
        assert message in html
    assert 'value="not-an-email"' in html
    assert not ReferralPersonLink.objects.exists()


def test_a_clinician_cannot_add_a_person_from_a_referral(cast, fresh_referral, client_for):
    url = reverse("people:link_subject_new", args=[fresh_referral.reference])
    assert client_for(cast.clinician).get(url).status_code == 403


def test_links_for_referral_lists_subject_first_and_only_visible_persons(cast, world):
    from casework.people.queries import links_for_referral

    links = links_for_referral(cast.coordinator, world.referral)
    assert [link.person for link in links] == [world.subject, world.victim]
    assert links_for_referral(cast.finance, world.referral) == []


def test_victim_subject_is_prefilled_as_sealed(cast, client_for):
    referral = ReferralFactory(
        referring_organisation=cast.organisation,
        subject_role=SubjectRole.VICTIM,
        subject_given_name="Sam",
        subject_family_name="Safe",
    )
    html = (
        client_for(cast.coordinator).get(reverse("people:link_subject_new", args=[referral.reference])).content.decode()
    )
    start = html.index('name="is_sealed"')
    assert "checked" in html[start - 200 : start + 200]


def test_the_link_page_runs_the_same_number_of_queries_for_more_candidates(cast, fresh_referral, client_for):
    create_person(by=cast.coordinator, given_name="John", family_name="Smith", date_of_birth=dt.date(1985, 4, 12))
    client = client_for(cast.coordinator)
    url = _subject_url(fresh_referral)

    def grow() -> None:
        for number in range(6):
            person = create_person(
                by=cast.coordinator,
                given_name="John",
                family_name=f"Smith{'e' * number}",
                date_of_birth=dt.date(1985, 4, 12),
            )
            _add_alias(cast, person)

    assert_page_queries_flat(client, url, grow=grow)
    assert len(candidates.candidates_for(cast.coordinator, candidates.referral_record(fresh_referral))) >= 5


def _add_alias(cast, person):
    from casework.people import services
    from casework.people.models import PersonName

    services.detail_add(person=person, model=PersonName, by=cast.coordinator, kind="alias", given_name="Jack")


def test_the_link_page_audits_the_referral_and_the_persons_offered(cast, fresh_referral, client_for):
    person = create_person(
        by=cast.coordinator, given_name="John", family_name="Smith", date_of_birth=dt.date(1985, 4, 12)
    )
    client_for(cast.coordinator).get(_subject_url(fresh_referral))
    event = AuditEvent.objects.filter(
        action=Action.VIEW, object_type="referrals.referral", object_id=str(fresh_referral.pk)
    ).latest("sequence")
    assert event.changes["person check"]["new"]["offered"] == [person.reference]
    assert event.object_label == fresh_referral.reference


def test_opening_a_contact_detail_to_change_it_is_audited(cast, world, client_for):
    address = world.victim.addresses.get()
    url = reverse("people:detail_edit", args=[world.victim.reference, "addresses", address.pk])
    client_for(cast.clinician).get(url)
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(world.victim.pk)).latest("sequence")
    assert event.object_label == f"{world.victim.reference} address {address.pk}"


def test_a_match_on_a_previous_name_says_so(cast):
    from casework.people import services
    from casework.people.models import PersonName

    married = create_person(
        by=cast.coordinator, given_name="Sarah", family_name="Ward", date_of_birth=dt.date(1988, 6, 15)
    )
    services.detail_add(
        person=married, model=PersonName, by=cast.coordinator, kind="previous", given_name="Sarah", family_name="Jones"
    )
    record = candidates.PersonRecord(record_id="q", given_name="Sarah", family_name="Jones", date_of_birth="1988-06-15")
    found = candidates.candidates_for(cast.coordinator, record)
    assert found[0].person == married
    assert found[0].reasons[0] == "compared with previous name Sarah Jones"
    assert "same family name" in found[0].reasons
