"""A victim's row with a multi-line value (her address) shows as lines, one under another, on the
portal's check-your-answers page and on the "what was sent" page: never a literal ``<br>``. The
copy kept of what was sent holds the lines as data, not markup."""

from __future__ import annotations

from django.urls import reverse

from casework.portal.tests.portal_support import check_url, complete_draft
from casework.referrals.choices import PartyRole, Status
from casework.referrals.models import Referral
from casework.referrals.tests.factories import NamedPartyFactory

ADDRESS = "7 Example Road\nTesttown\nTT1 1AA"


def _draft_naming_the_victim(cast):
    draft = complete_draft(cast.agency, parties=0)
    NamedPartyFactory(
        referral=draft,
        role=PartyRole.VICTIM,
        name="Vera Victimson",
        relationship_to_subject="Former partner",
        details=ADDRESS,
    )
    return draft


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _shows_the_address_as_lines(body: str) -> None:
    assert "&lt;br" not in body
    assert "7 Example Road<br>Testtown<br>TT1 1AA" in body
    assert "Vera Victimson<br>Victim<br>Relationship: Former partner<br>7 Example Road" in body


def test_check_your_answers_shows_the_victims_address_as_lines(cast, client_for):
    draft = _draft_naming_the_victim(cast)
    response = client_for(cast.agency).get(check_url(draft))
    assert response.status_code == 200
    _shows_the_address_as_lines(response.content.decode())


def test_what_was_sent_shows_the_victims_address_as_lines_and_keeps_them_as_data(cast, client_for):
    draft = _draft_naming_the_victim(cast)
    client = client_for(cast.agency)
    client.post(check_url(draft))
    referral = Referral.objects.get(pk=draft.pk)
    assert referral.status == Status.RECEIVED
    assert not [s for s in _strings(referral.as_sent) if "<" in s or "&lt;" in s]
    victim = next(section for section in referral.as_sent if section["title"] == "Other people involved")
    assert victim["rows"][0] == {
        "key": "Person 1",
        "value": ["Vera Victimson", "Victim", "Relationship: Former partner", "7 Example Road", "Testtown", "TT1 1AA"],
    }
    body = client.get(reverse("portal:detail", args=[referral.reference])).content.decode()
    _shows_the_address_as_lines(body)
