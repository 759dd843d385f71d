"""The information barrier holds beyond the case pages: the victim's person record, her own
referral and the details her stalker's referral gave about her are closed to the perpetrator's team."""

from __future__ import annotations

from django.urls import reverse

from casework.cases.tests.test_information_barrier import NEW_IDENTITY, pair  # noqa: F401  (fixture)
from casework.people.queries import persons_visible_to
from casework.referrals.queries import referrals_visible_to


def _team(cast, pair):  # noqa: F811
    return {
        "lead clinician": cast.clinician,
        "clinician on the team": pair.second_on_team,
        "clinical lead on the team": pair.lead_on_team,
    }


def test_the_victims_person_record_is_hidden_from_the_perpetrator_team(cast, pair, client_for):  # noqa: F811
    for who, user in _team(cast, pair).items():
        assert not persons_visible_to(user).filter(pk=pair.victim.pk).exists(), who
        response = client_for(user).get(reverse("people:detail", args=[pair.victim.reference]))
        assert response.status_code == 404, who


def test_the_victims_own_referral_is_hidden_from_the_perpetrator_team(cast, pair, client_for):  # noqa: F811
    victim_referral = pair.victim_case.case_referrals.get().referral
    for who, user in _team(cast, pair).items():
        assert not referrals_visible_to(user).filter(pk=victim_referral.pk).exists(), who
        response = client_for(user).get(reverse("referrals:detail", args=[victim_referral.reference]))
        assert response.status_code == 404, who


def test_the_victims_own_team_still_sees_her_record_and_referral(cast, pair, client_for):  # noqa: F811
    victim_referral = pair.victim_case.case_referrals.get().referral
    client = client_for(pair.victim_clinician)
    assert client.get(reverse("people:detail", args=[pair.victim.reference])).status_code == 200
    assert client.get(reverse("referrals:detail", args=[victim_referral.reference])).status_code == 200


def test_the_perpetrators_referral_withholds_what_it_said_about_her(cast, pair, client_for):  # noqa: F811
    referral = pair.perpetrator_case.case_referrals.get().referral
    party = referral.named_parties.get()
    party.details = "Lives at 7 Canarywharf Close"
    party.save()
    body = client_for(cast.clinician).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert "Vicky Named" in body  # the name as the referral gave it
    assert "Canarywharf" not in body
    assert "Details withheld" in body
    assert NEW_IDENTITY["new_family_name"] not in body


def test_the_link_pages_for_her_are_closed_to_the_perpetrator_team(cast, pair, client_for):  # noqa: F811
    referral = pair.perpetrator_case.case_referrals.get().referral
    party = referral.named_parties.get()
    client = client_for(pair.lead_on_team)
    assert client.get(reverse("people:link_party", args=[referral.reference, party.pk])).status_code == 404
    assert client.get(reverse("people:link_party_new", args=[referral.reference, party.pk])).status_code == 404
