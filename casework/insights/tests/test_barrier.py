"""The dashboards count what the lead is related to: a clinical lead on the team of the person who
stalks does not count the victim's case or referral (docs/adr/0007-information-barrier.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from lxml import html

from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.cases.choices import CaseKind
from casework.cases.services.opening import case_open
from casework.cases.services.team import team_add
from casework.cases.tests.factories import ready_referral
from casework.core.roles import Role
from casework.insights import figures
from casework.insights.forms import default_period
from casework.insights.tests.builders import NOON, at
from casework.people.tests.factories import create_person
from casework.referrals.choices import SubjectRole

pytestmark = pytest.mark.django_db


def _barrier_world(cast):
    """Stan's perpetrator case and Vera's victim case across a barrier; Lou, a clinical lead on
    Stan's team; Vic, a clinical lead on Vera's team. Returns (Lou, Vic)."""
    lead, coordinator = cast.clinical_lead, cast.coordinator
    with time_machine.travel(NOON, tick=False):
        stan = create_person(by=coordinator, given_name="Stan", family_name="Stalker")
        vera = create_person(by=coordinator, given_name="Vera", family_name="Victim")
        val = UserFactory(role=Role.CLINICIAN, full_name="Val Victimteam")
        social_services = OrganisationFactory(name="Barrier Social Services", kind="social_services")
        vera_referral = ready_referral(
            subject=vera,
            lead_clinician=val,
            coordinator=coordinator,
            subject_role=SubjectRole.VICTIM,
            referring_organisation=social_services,
            received_at=at(dt.date(2026, 4, 1)),
        )
        vera_case = case_open(referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=val, by=lead)
        stan_referral = ready_referral(
            subject=stan,
            lead_clinician=cast.clinician,
            coordinator=coordinator,
            referring_organisation=cast.organisation,
            victims=[(vera, "Vicky Named", "Former partner")],
            received_at=at(dt.date(2026, 4, 2)),
        )
        stan_case = case_open(referral=stan_referral, kind=CaseKind.PERPETRATOR, lead_clinician=cast.clinician, by=lead)
        on_team = UserFactory(role=Role.CLINICAL_LEAD, full_name="Lou Leadonteam")
        team_add(case=stan_case, user=on_team, role="clinician", by=lead)
        victim_side = UserFactory(role=Role.CLINICAL_LEAD, full_name="Vic Victimsidelead")
        team_add(case=vera_case, user=victim_side, role="clinician", by=lead)
    return on_team, victim_side


def test_a_lead_on_the_stalkers_team_counts_nothing_of_the_victims_side(cast):
    lead = cast.clinical_lead
    on_team, victim_side = _barrier_world(cast)
    with time_machine.travel(NOON, tick=False):
        period = default_period(NOON.date())

        def seen_by(user):
            caseload = [row[0] for row in figures.figure(user, "caseload", period).rows]
            agencies = figures.figure(user, "referrals-by-agency", period)
            social = agencies.columns.index("Local authority social services")
            return caseload, agencies.rows[-1][social], agencies.rows[-1][-1]

        assert seen_by(lead) == (["Clare Clinician", "Val Victimteam"], 1, 2)
        assert seen_by(on_team) == (["Clare Clinician"], 0, 1)
        assert seen_by(victim_side) == (["Val Victimteam"], 1, 1)


def _page_figures(client) -> tuple[list[str], str, str]:
    """The dashboard page's caseload names, and its social services and total referrals for the period."""
    tree = html.fromstring(client.get(reverse("insights:dashboard")).content)

    def table(slug: str) -> list[list[str]]:
        found = tree.get_element_by_id(slug).find_class("nhsuk-table")[0]
        return [[cell.text_content().strip() for cell in row.xpath("./th|./td")] for row in found.iter("tr")]

    caseload = [row[0] for row in table("caseload")[1:]]
    agencies = table("referrals-by-agency")
    social = agencies[0].index("Local authority social services")
    return caseload, agencies[-1][social], agencies[-1][-1]


def test_kept_figures_never_cross_a_barrier(cast, client_for):
    """The figures are kept in the cache; leads on opposite sides of a barrier, and a lead beside
    neither, each see their own, correct figures whoever warmed the cache first."""
    on_team, victim_side = _barrier_world(cast)
    unrestricted, stalker_side, victims_side = (
        client_for(cast.clinical_lead),
        client_for(on_team),
        client_for(victim_side),
    )
    everything = (["Clare Clinician", "Val Victimteam"], "1", "2")
    stalker_only = (["Clare Clinician"], "0", "1")
    victim_only = (["Val Victimteam"], "1", "1")
    with time_machine.travel(NOON, tick=False):
        period = default_period(NOON.date())
        cache.clear()
        # The lead who sees both sides warms the cache first, then each side; then all again, warm.
        for _ in range(2):
            assert _page_figures(unrestricted) == everything
            assert _page_figures(stalker_side) == stalker_only
            assert _page_figures(victims_side) == victim_only
        keys = {figures.cache_key(user, period) for user in (cast.clinical_lead, on_team, victim_side)}
        assert len(keys) == 3
        assert all(cache.get(key) is not None for key in keys)
        # And the other way round: each side warms its own key first, from an empty cache.
        cache.clear()
        assert _page_figures(victims_side) == victim_only
        assert _page_figures(stalker_side) == stalker_only
        assert _page_figures(unrestricted) == everything


def test_leads_who_count_the_same_records_share_the_kept_figures(cast):
    other = UserFactory(role=Role.CLINICAL_LEAD)
    period = default_period(NOON.date())
    assert figures.cache_key(cast.clinical_lead, period) == figures.cache_key(other, period)
    assert figures.cache_key(cast.clinical_lead, period) != figures.cache_key(cast.coordinator, period)
    assert figures.cache_key(cast.clinician, period) != figures.cache_key(cast.other_clinician, period)
