"""The header search finds people, and their cases, by NHS number, PNC ID and prison number (exact,
through the blind index, scoped to the user); a user who finds nothing is shown the way to
break-glass where policy allows, and nothing about any record (issue 11.6)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.choices import CaseKind
from casework.cases.services.opening import case_open
from casework.cases.tests.factories import ready_referral
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.urls("casework.search.tests.urls")

NHS = "9434765919"  # passes Modulus 11
OTHER_NHS = "4010232137"  # passes too; nobody holds it


@pytest.fixture
def stan_case(cast):
    stan = create_person(
        by=cast.coordinator,
        given_name="Stanislav",
        family_name="Oddname",
        nhs_number=NHS,
        pnc_id="19/1234567A",
        prison_number="A1234BC",
    )
    referral = ready_referral(subject=stan, lead_clinician=cast.clinician, coordinator=cast.coordinator)
    return stan, case_open(
        referral=referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=cast.clinical_lead
    )


def search(client, text):
    return client.get(reverse("search:search") + "?" + urlencode({"q": text}))


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", "19/1234567A", "a1234bc"])
def test_the_team_finds_the_person_and_their_case_by_an_identifier(cast, client_for, stan_case, typed):
    stan, case = stan_case
    body = search(client_for(cast.clinician), typed).content.decode()
    assert 'data-testid="person-result"' in body
    assert f'href="/people/{stan.reference}/"' in body and "Stanislav Oddname" in body
    assert f'href="/cases/{case.reference}/"' in body


def test_the_search_is_audited_with_the_person_and_cases_shown(cast, client_for, stan_case):
    stan, case = stan_case
    search(client_for(cast.clinician), NHS)
    event = AuditEvent.objects.filter(object_type="search").latest("sequence")
    assert stan.reference in event.changes["shown"] and case.reference in event.changes["shown"]
    assert NHS not in str(event.changes)


def test_someone_not_on_the_case_learns_nothing_and_is_shown_the_way_to_break_glass(cast, client_for, stan_case):
    stan, case = stan_case
    client = client_for(cast.other_clinician)
    held = search(client, NHS).content.decode()
    nobody = search(client, OTHER_NHS).content.decode()
    for body in (held, nobody):
        assert "No one whose record you can see has this NHS number." in body
        assert reverse("search:break_glass") in body
    assert stan.reference not in held and "Oddname" not in held and case.reference not in held
    # The page for a number someone holds is the page for a number nobody holds.
    assert held.replace(NHS, "").count("person-result") == nobody.count("person-result") == 0
    assert _main(held).replace(NHS, "X") == _main(nobody).replace(OTHER_NHS, "X")


def _main(body: str) -> str:
    start = body.index('id="maincontent"') if 'id="maincontent"' in body else body.index("<main")
    return body[start : body.index("</main>")]


def test_a_coordinator_is_not_offered_break_glass(cast, client_for, stan_case):
    body = search(client_for(cast.coordinator), OTHER_NHS).content.decode()
    assert "No one whose record you can see has this NHS number." in body
    assert reverse("search:break_glass") not in body


def test_a_plain_word_search_is_not_taken_for_an_identifier(cast, client_for, stan_case):
    body = search(client_for(cast.clinician), "Oddname").content.decode()
    assert "People with this" not in body


def test_the_break_glass_route_goes_to_the_records_own_page_without_looking_it_up(cast, client_for):
    client = client_for(cast.clinician)
    route = reverse("search:break_glass")
    answer = client.get(route + "?reference=case-2026-00042")
    assert answer.status_code == 302 and answer["Location"] == reverse("cases:break_glass", args=["CASE-2026-00042"])
    assert client.get(route + "?reference=REF-2026-00001")["Location"] == reverse(
        "referrals:break_glass", args=["REF-2026-00001"]
    )
    assert client.get(route + "?reference=PER-2026-00001")["Location"] == reverse(
        "people:break_glass", args=["PER-2026-00001"]
    )
    refused = client.get(route + "?reference=%3Cscript%3E")
    assert refused.status_code == 400
    assert "Enter a reference that starts CASE-, REF- or PER-" in refused.content.decode()
    assert "&lt;script&gt;" in refused.content.decode()  # what was typed is kept, escaped
    assert client.get(route).status_code == 200


def test_the_break_glass_route_is_for_clinical_staff_only(cast, client_for):
    route = reverse("search:break_glass") + "?reference=CASE-2026-00042"
    for role in ("coordinator", "finance", "researcher", "sysadmin", "agency"):
        assert client_for(cast.by_name(role)).get(route).status_code == 403, role
