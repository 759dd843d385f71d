"""The consultation's records join the case's access rules: a clinician not on the consultation
case gets 404 on every consultation page, and the minutes never reach the pages of a perpetrator
case about the same person for that case's team."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.cases.tests.factories import make_case
from casework.cases.tests.test_information_barrier import walk
from casework.consultations.tests.helpers import MINUTES, consultation_case, consultation_request, meeting

pytestmark = pytest.mark.django_db

CANARY = "Minutes canary"


@pytest.fixture
def consultation(cast):
    case = consultation_case(cast)
    consultation_request(case, cast.clinician, agency=cast.organisation, advice_summary="Advice canary")
    held = meeting(case, cast.clinician, minutes=MINUTES)
    return case, held


def _urls(case, held) -> list[str]:
    ref = case.reference
    names = ("overview", "request_edit", "meeting_add", "advice", "convert")
    return [reverse(f"consultations:{n}", args=[ref]) for n in names] + [
        reverse("consultations:meeting", args=[ref, held.pk])
    ]


def test_a_clinician_not_on_the_consultation_gets_404_on_every_page(cast, client_for, consultation):
    case, held = consultation
    outsider = client_for(cast.other_clinician)
    for url in _urls(case, held):
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url).status_code in (404, 405), url
    team = client_for(cast.clinician)
    assert CANARY in team.get(reverse("consultations:meeting", args=[case.reference, held.pk])).content.decode()


def test_the_minutes_never_reach_a_perpetrator_case_about_the_same_person(cast, client_for, consultation):
    case, _held = consultation
    perpetrator_case = make_case(lead=cast.other_clinician, by=cast.clinical_lead, subject=case.subject)
    pages = walk(client_for(cast.other_clinician), perpetrator_case)
    ok = [url for url, (status, _) in pages.items() if status == 200]
    assert reverse("cases:detail", args=[perpetrator_case.reference]) in ok
    leaks = [url for url, (_status, body) in pages.items() if CANARY in body or "Advice canary" in body]
    assert not leaks, leaks
