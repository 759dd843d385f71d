"""A referral's named party linked to a sealed person: outside her care team, the referral shows
her name as given but withholds what it said about her, and the link pages are closed."""

from __future__ import annotations

from django.urls import reverse

from casework.people import services
from casework.people.models import CareTeamRole
from casework.people.tests.factories import create_person
from casework.referrals.choices import Status
from casework.referrals.tests.factories import NamedPartyFactory, ReferralFactory


def _sealed_party(cast):
    referral = ReferralFactory(
        status=Status.ALLOCATED, referring_organisation=cast.organisation, lead_clinician=cast.clinician
    )
    party = NamedPartyFactory(
        referral=referral, role="victim", name="Robin Given", details="Now living at 12 Hiddenplace Road"
    )
    victim = create_person(by=cast.coordinator, given_name="Robin", family_name="Given", is_sealed=True)
    services.referral_link(referral=referral, named_party=party, person=victim, by=cast.coordinator)
    services.care_team_add(person=victim, user=cast.clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead)
    return referral, party


def test_outside_the_care_team_the_details_are_withheld_and_link_pages_closed(cast, client_for):
    referral, party = _sealed_party(cast)
    client = client_for(cast.coordinator)
    body = client.get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Robin Given" in body
    assert "Hiddenplace" not in body
    assert "Details withheld" in body
    assert client.get(reverse("people:link_party", args=[referral.reference, party.pk])).status_code == 404
    assert client.get(reverse("people:link_party_new", args=[referral.reference, party.pk])).status_code == 404


def test_her_care_team_reads_what_the_referral_said(cast, client_for):
    referral, _ = _sealed_party(cast)
    body = client_for(cast.clinician).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Hiddenplace" in body


def test_the_screening_page_withholds_them_as_the_referral_page_does(cast, client_for):
    """The screening page shows the referral beside the decision: the same answers, withheld alike."""
    referral, _ = _sealed_party(cast)
    for who in (cast.coordinator, cast.clinical_lead):
        body = client_for(who).get(reverse("referrals:screening", args=[referral.reference])).content.decode()
        assert "Robin Given" in body
        assert "Hiddenplace" not in body
        assert "Details withheld" in body
