"""The referral page lists the people it names and links them to person records."""

from __future__ import annotations

from django.urls import reverse

from casework.people import services as people_services
from casework.people.tests.factories import create_person
from casework.referrals.choices import Status
from casework.referrals.tests.factories import NamedPartyFactory, ReferralFactory


def _referral(cast):
    referral = ReferralFactory(
        status=Status.ALLOCATED, referring_organisation=cast.organisation, lead_clinician=cast.clinician
    )
    NamedPartyFactory(referral=referral, role="victim", name="Robin Example")
    return referral


def test_coordinator_is_offered_to_find_or_add_a_person_for_each_named_person(cast, client_for):
    referral = _referral(cast)
    page = client_for(cast.coordinator).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert page.count("Find or add a person record") == 2
    assert reverse("people:link_subject", args=[referral.reference]) in page


def test_linked_person_shows_its_reference(cast, client_for):
    referral = _referral(cast)
    person = create_person(by=cast.coordinator, given_name="Sam", family_name="Subject")
    people_services.referral_link(referral=referral, named_party=None, person=person, by=cast.coordinator)
    page = client_for(cast.coordinator).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert person.reference in page
    assert page.count("Find or add a person record") == 1


def test_clinician_sees_the_people_but_cannot_link_them(cast, client_for):
    referral = _referral(cast)
    page = client_for(cast.clinician).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Robin Example" in page
    assert "Find or add a person record" not in page


def test_a_clinical_lead_is_offered_to_open_a_case_from_an_allocated_referral(cast, client_for):
    referral = _referral(cast)
    page = client_for(cast.clinical_lead).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert reverse("cases:open", args=[referral.reference]) in page
    coordinator_page = client_for(cast.coordinator).get(reverse("referrals:detail", args=[referral.reference]))
    assert reverse("cases:open", args=[referral.reference]) not in coordinator_page.content.decode()
