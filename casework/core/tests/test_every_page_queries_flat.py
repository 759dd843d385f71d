"""Every page takes as many queries at national scale as at demo scale (issue 19).

Every GET URL of the authorisation matrix that some member of the cast loads with 200 is requested
as that member (the first of ``PREFERENCE`` who gets 200 in ``authorisation_matrix.csv``) in the matrix world
(``matrix_world.build_world``): once to warm, once counted. Then the world is grown — built a
second time for the same cast (so every list page has more of what it lists: referrals, cases,
persons, assessments, reports, appointments, quotes, invoices, extracts...), and the records the
pages are about are given more of what they show (``GROWTH``) — and every URL is counted again.

The world is built and grown once for the module (``kept_for_the_module``), so the counting is done
in one module fixture and each URL's test only compares; a new matrix row is picked up
automatically. A page whose count grows is a query per row (N+1): fix it (``select_related``,
``prefetch_related``) rather than listing it in ``KNOWN_TO_GROW``.

For a new URL: a matrix row (as always) is enough when its records come from ``build_world``,
because building the world twice grows them. Add to ``GROWTH`` a recipe that gives the page's own
record more of its children when the page shows children the world does not rebuild, and to
``ONE_SHOT`` a recipe for fresh URL arguments when the page can be loaded only once per record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from casework.core.testing import assert_same_count, count_queries, kept_for_the_module
from casework.core.tests.test_authorisation_matrix import load_table
from conftest import CAST_ROLES, make_cast, signed_in_client

# URLs that answer 200 to some role, but are not counted here, each with its reason.
NOT_COUNTED: dict[str, str] = {}

# URLs whose count still grows with the data: a known defect each, kept visible (strict xfail: the
# test fails once the page is fixed, so the entry is removed).
KNOWN_TO_GROW: dict[str, str] = {}


def _research_download(world, cast) -> dict[str, Any]:
    """An extract is downloaded once: a fresh approved extract for each request."""
    from casework.research import services

    made = services.extract_request(
        by=cast.researcher, kind="summary", purpose="Query counts at two sizes of data", approval_reference="24/NW/0999"
    )
    services.extract_decide(research_extract=made, by=cast.clinical_lead, approve=True)
    return {"pk": made.pk}


# URLs that can be loaded once per record: a recipe for fresh URL arguments before each request
# (made outside the counting).
ONE_SHOT: dict[str, Callable[[Any, Any], dict[str, Any]]] = {
    "research:download_csv": _research_download,
    "research:download_xlsx": _research_download,
}


# Who requests a page: the first of these who gets 200 there. The clinical lead sees every case and
# the world's records are led by the clinician, so the lists are not empty for them.
PREFERENCE = [
    "clinical_lead",
    "clinician",
    "coordinator",
    "finance",
    "researcher",
    "sysadmin",
    "agency",
    "other_clinician",
    "agency_other",
    "anonymous",
]


def _pages() -> list[tuple[str, str]]:
    """(URL name, the member of the cast who requests it) for every URL someone gets 200 at."""
    pages = []
    for name, row in sorted(load_table().items()):
        allowed = [role for role in PREFERENCE if row[role].strip() == "200"]
        if allowed and name not in NOT_COUNTED:
            pages.append((name, allowed[0]))
    return pages


PAGES = _pages()


def _grow_children(world, cast) -> None:
    """More of what the matrix world's own records show on their pages (GROWTH recipes)."""
    for recipe in GROWTH:
        recipe(world, cast)


def _more_on_the_case(world, cast) -> None:
    """The case pages' case: more incidents, orders, hearings, notes, team, agencies, documents."""
    from django.utils import timezone

    from casework.accounts.tests.factories import UserFactory
    from casework.cases.models import AgencyOfficer, Case, InvolvedAgency
    from casework.cases.services.notes import note_add
    from casework.cases.services.team import team_add
    from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory
    from casework.core.roles import Role
    from casework.referrals.tests.factories import ReferralDocumentFactory

    case = Case.objects.get(reference=world.kwargs_for("cases:detail")["reference"])
    victim = case.parties.get(pk=world.kwargs_for("cases:party_edit")["pk"])
    now = timezone.now()
    for number in range(2):
        IncidentFactory(case=case, victim=victim)
        OrderFactory(case=case, protects=[victim])
        HearingFactory(case=case)
        note_add(case=case, kind="client_contact", contact_on=now.date(), text="More", by=cast.clinician)
        team_add(case=case, user=UserFactory(role=Role.CLINICIAN), role="clinician", by=cast.clinical_lead)
        agency = InvolvedAgency.objects.create(
            case=case, name=f"More Police {number}", added_at=now, added_by=cast.coordinator
        )
        AgencyOfficer.objects.create(
            agency=agency, role="police_officer", name="DC More", added_at=now, added_by=cast.coordinator
        )
        ReferralDocumentFactory(referral=case.case_referrals.get(opened_case=True).referral)


def _more_on_the_referral(world, cast) -> None:
    """The referral pages' referral: more documents, letters and named parties."""
    from casework.referrals.models import Referral
    from casework.referrals.tests.factories import LetterFactory, NamedPartyFactory, ReferralDocumentFactory

    referral = Referral.objects.get(reference=world.values["reference"])
    for _ in range(2):
        ReferralDocumentFactory(referral=referral)
        LetterFactory(referral=referral)
        NamedPartyFactory(referral=referral)


def _more_on_the_person(world, cast) -> None:
    """The person pages' person: more addresses and more of a care team."""
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role
    from casework.people import services
    from casework.people.models import CareTeamRole, Person, PersonAddress

    person = Person.objects.get(reference=world.kwargs_for("people:detail")["reference"])
    for number in range(2):
        services.detail_add(person=person, model=PersonAddress, by=cast.coordinator, address=f"{number} More Road")
        services.care_team_add(
            person=person, user=UserFactory(role=Role.CLINICIAN), role=CareTeamRole.CLINICIAN, by=cast.clinical_lead
        )


def _more_on_the_assessment(world, cast) -> None:
    """The draft assessment: more sources and scenarios."""
    from casework.assessments.models import Assessment

    draft = Assessment.objects.get(pk=world.kwargs_for("assessments:detail")["pk"])
    for _ in range(2):
        draft.sources.create(kind="records", description="More records", added_by=cast.clinician)
        draft.scenarios.create(
            nature="More", severity="low", imminence="weeks", likelihood="low", added_by=cast.clinician
        )


# More of what the world's own records show on their pages (building the world again grows the lists).
GROWTH: list[Callable[[Any, Any], None]] = [
    _more_on_the_case,
    _more_on_the_referral,
    _more_on_the_person,
    _more_on_the_assessment,
]


@dataclass
class Counted:
    url: str
    role: str
    small: list[dict] | None = None
    large: list[dict] | None = None
    problem: str = ""


def _fetcher(name: str, client, world, cast) -> Callable[[], None]:
    def fetch() -> None:
        kwargs = ONE_SHOT[name](world, cast) if name in ONE_SHOT else world.kwargs_for(name)
        url = reverse(name, kwargs=kwargs or None)
        queries = count_queries(lambda: _get(client, url))
        fetch.last = (url, queries)  # type: ignore[attr-defined]

    return fetch


def _get(client, url: str) -> None:
    response = client.get(url)
    if response.status_code != 200:
        raise AssertionError(f"{url} answered {response.status_code}")
    # Streamed downloads make their queries as they are read.
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker) -> Iterator[dict[str, Counted]]:
    from django.core.cache import cache
    from django.test import Client

    from casework.core.tests.matrix_world import build_world

    results: dict[str, Counted] = {}
    # The dashboards keep their figures for a few minutes: counted as worked out (the kept figures
    # take fewer queries, the same at any size), or the warmed small count would be the kept one.
    no_kept_figures = override_settings(CASEWORK_INSIGHTS_CACHE_SECONDS=0)
    with kept_for_the_module(django_db_blocker), no_kept_figures:
        with django_db_blocker.unblock():
            cast = make_cast()
            world = build_world(cast)
            # One client per member of the cast, signed in before any page is requested (a page such
            # as the authenticator set-up adds a device, and signing in again would find two).
            clients = {
                role: Client() if role == "anonymous" else signed_in_client(cast.by_name(role)) for role in CAST_ROLES
            }
            fetchers = {name: _fetcher(name, clients[role], world, cast) for name, role in PAGES}

            def measure(phase: str, warm: bool) -> None:
                for name, role in PAGES:
                    found = results.setdefault(name, Counted(url="", role=role))
                    if found.problem:
                        continue
                    cache.clear()  # the sign-in throttle and per-process caches, as between requests
                    try:
                        if warm:
                            fetchers[name]()
                        fetchers[name]()
                    except Exception as error:  # noqa: BLE001 - reported by the URL's own test
                        found.problem = f"{phase}: {error!r}"
                        continue
                    found.url, queries = fetchers[name].last  # type: ignore[attr-defined]
                    setattr(found, phase, queries)

            measure("small", warm=True)
            try:
                build_world(cast)
                _grow_children(world, cast)
            except Exception as error:  # noqa: BLE001 - reported by every URL's test, built once
                for found in results.values():
                    found.problem = found.problem or f"growing the world: {error!r}"
            measure("large", warm=False)
        yield results


@pytest.mark.parametrize(
    "url_name",
    [
        pytest.param(name, marks=pytest.mark.xfail(reason=KNOWN_TO_GROW[name], strict=True))
        if name in KNOWN_TO_GROW
        else name
        for name, _ in PAGES
    ],
)
def test_the_page_takes_as_many_queries_at_national_scale(url_name, counted, db):
    found = counted[url_name]
    assert not found.problem, f"{url_name} as {found.role}: {found.problem}"
    assert found.small is not None and found.large is not None
    assert_same_count(found.small, found.large)


def test_every_url_a_member_of_the_cast_can_load_is_counted():
    assert sorted(PREFERENCE) == sorted(CAST_ROLES)
    table = load_table()
    loadable = {name for name, row in table.items() if any(row[r].strip() == "200" for r in CAST_ROLES)}
    assert {name for name, _ in PAGES} == loadable - set(NOT_COUNTED)
    assert set(NOT_COUNTED) <= loadable, "NOT_COUNTED names a URL nobody can load"
    assert set(KNOWN_TO_GROW) <= {name for name, _ in PAGES}, "KNOWN_TO_GROW names a URL not counted"
    assert set(ONE_SHOT) <= loadable, "ONE_SHOT names a URL nobody can load"
