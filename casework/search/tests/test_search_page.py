"""The search page, /search/?q=…: who may use it, what it shows, what it refuses, what it audits."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from casework.audit.models import AuditEvent
from casework.cases.tests.factories import IncidentFactory
from casework.core.testing import assert_page_queries_flat
from casework.referrals.tests.factories import ReferralFactory
from casework.search.services import index_case, query_fingerprint, reindex_all
from casework.search.text import parse
from conftest import CAST_ROLES

pytestmark = pytest.mark.urls("casework.search.tests.urls")

# anonymous, coordinator, clinician, other_clinician, clinical_lead, finance, researcher, sysadmin, agency, agency_other
EXPECTED = "302 200 200 200 200 403 403 403 403 403"


def url(**params) -> str:
    from urllib.parse import urlencode

    return reverse("search:search") + (f"?{urlencode(params)}" if params else "")


@pytest.mark.parametrize("params", [{}, {"q": "wombat"}])
def test_staff_who_see_referrals_or_cases_may_search_and_nobody_else(params, world, cast, client_for):
    failures = []
    for role, expected in zip(CAST_ROLES, EXPECTED.split(), strict=True):
        user = None if role == "anonymous" else cast.by_name(role)
        response = client_for(user).get(url(**params))
        if str(response.status_code) != expected:
            failures.append(f"{role}: expected {expected}, got {response.status_code}")
    assert not failures, "; ".join(failures)


def test_a_refused_search_is_not_run_nor_audited(world, cast, client_for):
    before = AuditEvent.objects.filter(object_type="search").count()
    response = client_for(cast.finance).get(url(q="wombat"))
    assert response.status_code == 403
    assert b"wombat" not in response.content.lower()
    assert AuditEvent.objects.filter(object_type="search").count() == before


def test_results_link_to_the_records_with_highlighted_snippets(world, cast, client_for):
    response = client_for(cast.clinician).get(url(q="stuffed wombat"))
    assert response.status_code == 200
    body = response.content.decode()
    case = world.perpetrator_case
    assert f'href="/cases/{case.reference}/"' in body
    assert "<mark>stuffed</mark> <mark>wombat</mark>" in body
    assert "Perpetrator case" in body and "Showing 1 to 1 of 1 results" in body
    assert "no-store" in response["Cache-Control"]
    # Browsers are asked not to remember what was typed (often a person's name).
    assert 'name="q" type="text" value="stuffed wombat"' in body and 'autocomplete="off"' in body


def test_no_results_says_so_without_hinting_at_hidden_records(world, cast, client_for):
    response = client_for(cast.other_clinician).get(url(q="wombat"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "No referrals or cases match your search." in body
    assert world.perpetrator_case.reference not in body


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter a name, reference or words to search for"),
        ("   ", "Enter a name, reference or words to search for"),
        ("j", "Search terms must be 2 characters or more"),
        ('"*()', "Search terms must include letters or numbers"),
        ("x" * 101, "Search terms must be 100 characters or fewer"),
    ],
)
def test_an_empty_or_too_short_query_shows_an_error(text, message, cast, client_for):
    response = client_for(cast.coordinator).get(url(q=text))
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert body.count(message) == 2  # in the error summary and beside the field
    assert 'href="#id_q"' in body
    assert not AuditEvent.objects.filter(object_type="search").exists()


def test_the_first_visit_shows_the_form_without_an_error(cast, client_for):
    response = client_for(cast.coordinator).get(url())
    assert response.status_code == 200
    assert "There is a problem" not in response.content.decode()


def test_nothing_anyone_typed_or_wrote_reaches_the_page_unescaped(world, cast, client_for):
    case = world.perpetrator_case
    IncidentFactory(case=case, description='<img src=x onerror="alert(1)"> <script>alert(2)</script> marmoset')
    index_case(case)
    client = client_for(cast.clinician)
    body = client.get(url(q="marmoset")).content.decode()
    assert "<mark>marmoset</mark>" in body
    assert "<img src=x" not in body and "<script>alert(2)" not in body
    assert "&lt;img src=x" in body or "alert(1)" not in body
    body = client.get(url(q='"><script>alert(3)</script>')).content.decode()
    assert "<script>alert(3)" not in body
    assert "&lt;script&gt;alert(3)" in body  # the search box keeps what was typed, escaped


def test_each_search_is_audited_without_the_words_searched_for(world, cast, client_for):
    client = client_for(cast.clinician)
    client.get(url(q="Stan Perpetrator"))
    event = AuditEvent.objects.filter(object_type="search").get()
    assert (event.action, event.object_label, event.actor_id) == ("view", "search", cast.clinician.pk)
    assert event.changes["query_fingerprint"] == query_fingerprint(parse("Stan Perpetrator"))
    assert event.changes["words"] == 2 and event.changes["page"] == 1 and event.changes["results"] == 2
    assert sorted(event.changes["shown"]) == sorted(
        [world.perpetrator_case.reference, world.perpetrator_referral.reference]
    )
    stored = json.dumps({f.name: str(getattr(event, f.attname)) for f in AuditEvent._meta.fields}).lower()
    stored += json.dumps(event.changes).lower()
    assert "stan" not in stored and "perpetrator" not in stored


def test_the_fingerprint_is_keyed_and_the_same_for_the_same_words():
    import hashlib

    same = query_fingerprint(parse("stan   PERPETRATOR"))
    assert same == query_fingerprint(parse("Stan Perpetrator"))
    assert same != query_fingerprint(parse("Stan Perpetrators"))
    assert same != hashlib.sha256(b"stan perpetrator").hexdigest()


def test_the_next_page_keeps_the_search(cast, client_for):
    for _ in range(25):
        ReferralFactory(subject_family_name="Lindqvist")
    reindex_all()
    body = client_for(cast.coordinator).get(url(q="Lindqvist")).content.decode()
    assert "Showing 1 to 20 of 25 results" in body
    assert "?q=Lindqvist&amp;page=2" in body
    body = client_for(cast.coordinator).get(url(q="Lindqvist", page=2)).content.decode()
    assert "Showing 21 to 25 of 25 results" in body


def test_a_results_page_runs_a_fixed_number_of_queries(cast, client_for):
    from casework.cases.tests.factories import make_case
    from casework.people.tests.factories import create_person

    def add(n: int) -> None:
        for i in range(n):
            subject = create_person(by=cast.coordinator, given_name="Quentin", family_name=f"Quernby{i}")
            case = make_case(lead=cast.clinician, by=cast.clinical_lead, subject=subject, coordinator=cast.coordinator)
            IncidentFactory(case=case, description="Waited outside the Quernby surgery every morning.")
            ReferralFactory(behaviour_summary="Messages about the Quernby surgery.")
        reindex_all()

    client = client_for(cast.clinical_lead)
    add(2)
    assert_page_queries_flat(client, url(q="Quernby surgery"), grow=lambda: add(15))
