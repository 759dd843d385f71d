"""Every case page, for every member of the cast: who gets it, who is refused (403) and to whom it
does not exist (404). The world: ``world.case`` led by ``cast.clinician``; ``cast.other_clinician``
is on no team; a ready referral waits for a case. Also: refused POSTs change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.cases.models import Case, Incident
from casework.cases.tests.matrix import case_overrides
from conftest import CAST_ROLES

# anonymous, coordinator, clinician, other_clinician, clinical_lead, finance, researcher, sysadmin, agency, agency_other
EXPECTED = {
    "cases:list": "302 200 200 200 200 403 403 403 403 403",
    "cases:open_list": "302 403 403 403 200 403 403 403 403 403",
    "cases:open": "302 403 403 403 200 403 403 403 403 403",
    "cases:detail": "302 200 200 404 200 404 404 404 404 404",
    "cases:break_glass": "302 404 302 200 302 404 404 404 404 404",
    "cases:timeline": "302 403 200 404 200 404 404 404 404 404",
    "cases:timeline_export": "302 403 200 404 200 404 404 404 404 404",
    "cases:document_download": "302 403 200 404 200 404 404 404 404 404",
    "cases:status": "302 403 200 404 200 404 404 404 404 404",
    "cases:team": "302 403 403 404 200 404 404 404 404 404",
    "cases:team_remove": "302 403 403 404 200 404 404 404 404 404",
    "cases:party_add": "302 403 200 404 200 404 404 404 404 404",
    "cases:party_edit": "302 403 200 404 200 404 404 404 404 404",
    "cases:episode": "302 403 200 404 200 404 404 404 404 404",
    "cases:incident_add": "302 403 200 404 200 404 404 404 404 404",
    "cases:incident_import": "302 403 200 404 200 404 404 404 404 404",
    "cases:incident_edit": "302 403 200 404 200 404 404 404 404 404",
    "cases:order_add": "302 403 200 404 200 404 404 404 404 404",
    "cases:order_edit": "302 403 200 404 200 404 404 404 404 404",
    "cases:hearing_add": "302 200 200 404 200 404 404 404 404 404",
    "cases:hearing_edit": "302 200 200 404 200 404 404 404 404 404",
    "cases:mappa": "302 403 200 404 200 404 404 404 404 404",
    "cases:mappa_meeting_add": "302 200 200 404 200 404 404 404 404 404",
    "cases:agency_add": "302 200 200 404 200 404 404 404 404 404",
    "cases:officer_add": "302 200 200 404 200 404 404 404 404 404",
    "cases:officer_edit": "302 200 200 404 200 404 404 404 404 404",
    # Case notes: clinical staff only; a note is corrected by its author (cast.clinician) alone.
    "cases:notes": "302 403 200 404 200 404 404 404 404 404",
    "cases:note_add": "302 403 200 404 200 404 404 404 404 404",
    "cases:note_edit": "302 403 200 404 403 404 404 404 404 404",
    "cases:addendum_add": "302 403 200 404 200 404 404 404 404 404",
}


@pytest.fixture
def access_world(cast, world):
    return case_overrides(cast)


def test_every_case_url_is_in_the_table():
    from casework.core.tests.test_authorisation_matrix import url_names

    names = {name for name, _ in url_names() if name.startswith("cases:")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("url_name", sorted(EXPECTED))
def test_each_role_gets_the_expected_answer(url_name, cast, access_world, client_for):
    url = reverse(url_name, kwargs=access_world[url_name] or None)
    failures = []
    for role, expected in zip(CAST_ROLES, EXPECTED[url_name].split(), strict=True):
        user = None if role == "anonymous" else cast.by_name(role)
        response = client_for(user).get(url)
        if str(response.status_code) != expected:
            failures.append(f"{role}: expected {expected}, got {response.status_code}")
    assert not failures, f"{url_name} ({url}): " + "; ".join(failures)


def test_a_missing_case_is_404_even_for_clinical_leads(cast, client_for):
    response = client_for(cast.clinical_lead).get(reverse("cases:detail", args=["CASE-2026-99999"]))
    assert response.status_code == 404


def test_a_clinician_on_another_team_gets_404_for_every_action(cast, access_world, client_for):
    client = client_for(cast.other_clinician)
    before = Incident.objects.count()
    for name in ("cases:incident_add", "cases:order_add", "cases:hearing_add", "cases:agency_add", "cases:status"):
        response = client.post(reverse(name, kwargs=access_world[name]), {"description": "x"})
        assert response.status_code == 404, name
    assert Incident.objects.count() == before


def test_a_coordinator_cannot_post_clinical_content(cast, access_world, client_for):
    client = client_for(cast.coordinator)
    case = Case.objects.get(reference=access_world["cases:detail"]["reference"])
    before = Incident.objects.count()
    response = client.post(
        reverse("cases:incident_add", kwargs=access_world["cases:incident_add"]),
        {
            "occurred_on_day": "1",
            "occurred_on_month": "1",
            "occurred_on_year": "2026",
            "precision": "day",
            "behaviour": "text",
            "channel": "text",
            "source": "victim",
            "severity": "2",
            "description": "x",
        },
    )
    assert response.status_code == 403
    assert Incident.objects.count() == before
    response = client.post(
        reverse("cases:team", kwargs=access_world["cases:team"]),
        {"user": str(cast.other_clinician.pk), "role": "clinician"},
    )
    assert response.status_code == 403
    assert not case.team.filter(user=cast.other_clinician).exists()


def test_finance_researchers_and_administrators_cannot_open_cases(cast, access_world, client_for):
    url = reverse("cases:open", kwargs=access_world["cases:open"])
    for user in (cast.finance, cast.researcher, cast.sysadmin, cast.clinician, cast.coordinator, cast.agency):
        assert (
            client_for(user)
            .post(url, {"target": "new", "kind": "perpetrator", "lead_clinician": str(cast.clinician.pk)})
            .status_code
            == 403
        )
    assert Case.objects.count() == 2  # the world's case and the matrix case
