"""The reports tests: a perpetrator case (``cast.clinician`` its lead clinician) opened from a
police referral that asked for a report for sentencing, risk advice and an assessment, due in 30
days, with a letter of instruction uploaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.cases.tests.factories import make_case, ready_referral
from casework.organisations.models import OrganisationKind
from casework.referrals.tests.factories import ReferralDocumentFactory


@dataclass
class ReportsWorld:
    case: object
    referral: object
    letter: object
    due_on: dt.date


def build(cast, *, kind: str = OrganisationKind.POLICE_FORCE, due_in: int = 30) -> ReportsWorld:
    cast.organisation.kind = kind
    cast.organisation.save()
    due_on = timezone.localdate() + dt.timedelta(days=due_in)
    referral = ready_referral(
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        referring_organisation=cast.organisation,
        referrer_name="DC Dana Instructing",
        referrer_email="dana.instructing@example.police.uk",
        accepted_services=["stalker_assessment", "report_sentencing", "report_risk_advice"],
        report_due_on=due_on,
    )
    letter = ReferralDocumentFactory(referral=referral)
    case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    return ReportsWorld(case=case, referral=referral, letter=letter, due_on=due_on)


@pytest.fixture
def rworld(cast, documents_in_tmp) -> ReportsWorld:  # noqa: F811
    return build(cast)
