"""The dashboards count what the lead is related to: a clinical lead on the team of the person who
stalks does not count the victim's case or referral (docs/adr/0007-information-barrier.md)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

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


def test_a_lead_on_the_stalkers_team_counts_nothing_of_the_victims_side(cast):
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
        case_open(referral=vera_referral, kind=CaseKind.VICTIM, lead_clinician=val, by=lead)
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
        period = default_period(NOON.date())

        def seen_by(user):
            caseload = [row[0] for row in figures.figure(user, "caseload", period).rows]
            agencies = figures.figure(user, "referrals-by-agency", period)
            social = agencies.columns.index("Local authority social services")
            return caseload, agencies.rows[-1][social], agencies.rows[-1][-1]

        assert seen_by(lead) == (["Clare Clinician", "Val Victimteam"], 1, 2)
        assert seen_by(on_team) == (["Clare Clinician"], 0, 1)
