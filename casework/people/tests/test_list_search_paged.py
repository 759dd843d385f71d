"""The person list's name search, paged and counted in one query (issue 19; ``paginate_counted``),
gives exactly what the search gave before: the same persons, in the same order, on the same pages,
with the same total, for every role's scope (the information barrier, merged persons, sealed
persons, a clinician's care team), over generated names, on SQLite and PostgreSQL.

"Before" is written out here as it was: the plain substring conditions (four ``icontains`` ORed
with an ``EXISTS`` on other names), ordered by family name, given name and id, paged by
``paginate`` (a count, then the page)."""

from __future__ import annotations

import random

import pytest
from django.db.models import Exists, OuterRef, Q
from django.test import RequestFactory

from casework.cases.tests.factories import barrier_pair
from casework.core.pagination import paginate, paginate_counted
from casework.people import queries, services
from casework.people.models import CareTeamRole, NameKind, PersonName
from casework.people.tests.factories import create_person

FAMILY = ["Smith", "Smithson", "Goldsmith", "Jones", "Taylor", "Brown", "Patel", "O'Brien", "Smith-Jones", "Ng"]
GIVEN = ["Anna", "John", "Smita", "Mark", "Jo", "Priya", "Sean", "Ann", "Zoë", "Olu"]
WORDS = ["smith", "SMIT", "an", "jo", "farside", "smith an", "o'b", "zzz", "mit", "n"]
PAGES = [None, "1", "2", "3", "5", "9", "99", "0", "-1", "abc", "2.0"]


@pytest.fixture
def generated(cast):
    rng = random.Random(19)
    pair = barrier_pair(cast)  # Vera Farside across a barrier from the clinician's case of Stan Farside
    persons = []
    for number in range(36):
        person = create_person(
            by=cast.coordinator,
            given_name=rng.choice(GIVEN),
            family_name=rng.choice(FAMILY),
            middle_names=rng.choice(["", "", "Smithy", "Ann"]),
            preferred_name=rng.choice(["", "", "", "Jonno"]),
            is_sealed=number % 9 == 0,
        )
        if rng.random() < 0.25:
            PersonName.objects.create(
                person=person, kind=rng.choice([NameKind.PREVIOUS, NameKind.ALIAS]), family_name=rng.choice(FAMILY)
            )
        if number % 3 == 0:
            services.care_team_add(
                person=person, user=cast.clinician, role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
            )
        persons.append(person)
    # A merged person is in no list.
    services.person_merge(source=persons[1], target=persons[2], by=cast.clinical_lead, reason="The same person")
    return pair


def _before(user, word_text: str):
    rows = queries.persons_visible_to(user)
    for word in word_text.split():
        other = PersonName.objects.filter(person=OuterRef("pk")).filter(
            Q(given_name__icontains=word) | Q(family_name__icontains=word)
        )
        rows = rows.filter(
            Q(given_name__icontains=word)
            | Q(family_name__icontains=word)
            | Q(middle_names__icontains=word)
            | Q(preferred_name__icontains=word)
            | Exists(other)
        )
    return rows.order_by(*queries.LIST_ORDER)


def _page(page) -> tuple[int, int, int, list[int]]:
    return page.number, page.paginator.count, page.paginator.num_pages, [p.pk for p in page.object_list]


@pytest.mark.parametrize("role", ["clinical_lead", "clinician", "coordinator", "other_clinician"])
def test_every_page_of_every_search_is_what_it_was(cast, generated, role):
    user = cast.by_name(role)
    factory = RequestFactory()
    for text in WORDS:
        for number in PAGES:
            request = factory.get("/people/", {"q": text} if number is None else {"q": text, "page": number})
            before = _page(paginate(request, _before(user, text), per_page=4))
            after = _page(paginate_counted(request, queries.persons_for_list(user, text), per_page=4))
            assert after == before, (role, text, number)


def test_the_generated_names_exercise_the_scopes(cast, generated):
    """The comparison above means something: the clinician sees some Smiths and not others, and the
    barrier hides a Farside from the clinician that a clinical lead on no case sees."""
    lead = {p.pk for p in _before(cast.clinical_lead, "smith")}
    clinician = {p.pk for p in _before(cast.clinician, "smith")}
    assert clinician and clinician < lead
    assert {p.given_name for p in _before(cast.clinician, "farside")} == {"Stan"}
    assert {p.given_name for p in _before(cast.clinical_lead, "farside")} == {"Stan", "Vera"}
