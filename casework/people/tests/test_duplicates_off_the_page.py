"""The duplicate check is off the person page (ADR 0025): the page shows a place for it and a link
to it, and the check (the same ``candidates_for``, with the same rules) is loaded after the page. It
lists only persons the user may see (across an information barrier: tests/access/test_duplicates_barrier.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.people import candidates
from casework.people.tests.factories import create_person


def _detail(person) -> str:
    return reverse("people:detail", args=[person.reference])


def _duplicates(person) -> str:
    return reverse("people:duplicates", args=[person.reference])


def _peter(cast, day: int = 3):
    return create_person(
        by=cast.coordinator, given_name="Peter", family_name="Perpetrator", date_of_birth=dt.date(1980, 2, day)
    )


def test_the_person_page_does_not_run_the_check(cast, client_for, monkeypatch):
    peter, other = _peter(cast), _peter(cast, 4)

    def refuse(*args, **kwargs):
        raise AssertionError("the person page ran the duplicate check")

    monkeypatch.setattr(candidates, "candidates_for", refuse)
    html = client_for(cast.clinical_lead).get(_detail(peter)).content.decode()
    assert 'data-testid="duplicates-slot"' in html
    assert f'data-fragment-src="{_duplicates(peter)}?fragment=1"' in html
    assert other.reference not in html


def test_the_check_lists_similar_records_as_a_fragment_and_as_a_page(cast, client_for):
    peter, other = _peter(cast), _peter(cast, 4)
    client = client_for(cast.clinical_lead)
    fragment = client.get(_duplicates(peter), {"fragment": "1"}).content.decode()
    assert other.reference in fragment and "<html" not in fragment
    assert f"{reverse('people:merge', args=[peter.reference])}?other={other.reference}" in fragment
    page = client.get(_duplicates(peter)).content.decode()
    assert other.reference in page and "<html" in page
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(peter.pk)).latest("pk")
    assert event.changes == {"shown": [other.reference]}


def test_nothing_similar_says_so(cast, client_for):
    peter = _peter(cast)
    html = client_for(cast.clinical_lead).get(_duplicates(peter), {"fragment": "1"}).content.decode()
    assert 'data-testid="no-duplicates"' in html


@pytest.mark.parametrize("name", ["coordinator", "clinician"])
def test_only_those_who_merge_run_the_check(cast, client_for, name):
    peter = _peter(cast)
    user = cast.by_name(name)
    assert 'data-testid="duplicates-slot"' not in client_for(user).get(_detail(peter)).content.decode()
    assert client_for(user).get(_duplicates(peter)).status_code in (403, 404)


def test_the_person_page_keeps_its_query_count_as_the_index_grows(cast, client_for):
    peter = _peter(cast)
    client = client_for(cast.clinical_lead)

    def grow() -> None:
        for day in range(4, 10):
            _peter(cast, day)

    assert_page_queries_flat(client, _detail(peter), grow=grow)
