"""My work holds the information barrier: its risk sections list only cases the user may see."""

from __future__ import annotations

from django.urls import reverse

RISK = "Escalating cases and likely breaches"


def my_work(client) -> str:
    return client.get(reverse("core:my_work")).content.decode()


def test_a_lead_on_the_perpetrator_team_does_not_see_the_victim_case_in_my_work(cast, pair, client_for):
    # Both cases of the pair have a text to a victim a no-contact order protects: a likely breach.
    body = my_work(client_for(pair.lead_on_team))
    assert pair.perpetrator_case.reference in body.split(RISK, 1)[1]
    assert pair.victim_case.reference not in body
    assert "canary" not in body.lower()
    # A clinical lead on neither side sees both.
    risk = my_work(client_for(cast.clinical_lead)).split(RISK, 1)[1]
    assert pair.perpetrator_case.reference in risk and pair.victim_case.reference in risk


def test_a_clinician_on_the_perpetrator_team_sees_only_that_case(cast, pair, client_for):
    body = my_work(client_for(pair.second_on_team))
    assert pair.perpetrator_case.reference in body.split("Your cases", 1)[1]
    assert pair.victim_case.reference not in body
    assert RISK not in body
