"""The commissioner's view in the portal ("Your service", /portal/your-service/): an agency
referrer's own organisation's referrals by month, waits, reports delivered on time and spend, never
another organisation's, and nothing across an information barrier from the user's side."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import AuditEvent
from casework.billing.choices import BillableService, QuoteStatus
from casework.billing.models import Tariff
from casework.billing.services import quotes
from casework.billing.tests import helpers as billing
from casework.cases.tests.factories import barrier_pair
from casework.core.roles import Role
from casework.core.testing import assert_page_queries_flat
from casework.insights import commissioner
from casework.insights.forms import default_period
from casework.insights.tests.builders import NOON, build_service

pytestmark = pytest.mark.django_db
URL = "commissioner:your_service"


def _accepted_quote(cast, referral, organisation, agency_user, price="1500.00"):
    agreement = billing.contract(cast.finance, organisation, reference=f"YS-{referral.pk}")
    if not Tariff.objects.filter(service=BillableService.ASSESSMENT_COMMUNITY).exists():
        billing.tariff(cast.finance, price=price)
    quote = quotes.quote_create(referral=referral, contract=agreement, by=cast.finance)
    quotes.quote_line_add(quote=quote, service=BillableService.ASSESSMENT_COMMUNITY, quantity=1, by=cast.finance)
    quote = quotes.quote_send(quote=quote, by=cast.finance)
    return quotes.quote_accept(quote=quote, by=agency_user, purchase_order="PO-YS")


@pytest.fixture
def police_view(cast):
    """The hand-built service (insights.tests.builders) seen by a referrer of its police force, with
    a quote accepted by the police and one by the court."""
    with time_machine.travel(NOON, tick=False):
        service = build_service(cast)
        police_user = UserFactory(role=Role.AGENCY_REFERRER, organisation=service.police)
        court_user = UserFactory(role=Role.AGENCY_REFERRER, organisation=service.court)
        _accepted_quote(cast, service.c, service.police, police_user)
        _accepted_quote(cast, service.d, service.court, court_user)
        shown = {f.slug: f for f in commissioner.commissioner_figures(police_user, default_period(NOON.date()))}
    return service, police_user, shown


def _rows(found):
    return {row[0]: row[1:] for row in found.rows}


def test_referrals_are_the_organisations_own_by_month(police_view):
    _, _, shown = police_view
    rows = _rows(shown["your-referrals"])
    assert rows["March 2026"] == [1] and rows["May 2026"] == [1] and rows["June 2026"] == [0]
    assert rows["Total"] == [2]  # not the probation's (March) nor the court's (June)


def test_waits_are_the_organisations_own(police_view):
    _, _, shown = police_view
    rows = _rows(shown["waiting-times"])
    assert rows["Received to screening decision"] == [1, 10.0, 10.0]  # A only: B was probation's
    assert rows["Received to first assessment appointment attended"] == [1, 36.0, 36.0]
    assert rows["Received to first report issued"] == [1, 51.0, 51.0]


def test_reports_delivered_on_time_count_only_those_issued_to_the_organisation(police_view):
    _, _, shown = police_view
    found = shown["reports-on-time"]
    assert found.rows[-1] == ["Total", 1, 1, 1, 0, 100.0]  # the court's late report is not theirs
    assert found.title == "Reports delivered on time"


def test_spend_is_the_quotes_the_organisation_accepted(police_view):
    _, _, shown = police_view
    found = shown["spend"]
    assert _rows(found)["June 2026"] == [1, "£1,500.00"]
    assert found.rows[-1] == ["Total", 1, "£1,500.00"]
    assert found.headline == "£1,500.00 accepted in the period"


def test_the_page_shows_tables_and_charts_to_the_agency_and_is_audited(cast, client_for):
    billing.quote(cast, status=QuoteStatus.ACCEPTED)
    response = client_for(cast.agency).get(reverse(URL))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Your service" in page and cast.organisation.name in page
    for slug in ("your-referrals", "waiting-times", "reports-on-time", "spend"):
        assert f'data-testid="table-{slug}"' in page
    assert 'data-testid="chart-spend"' in page and "£1,200.00" in page
    assert billing.SUBJECT_CANARY not in page and billing.CLINICAL_CANARY not in page
    assert AuditEvent.objects.filter(object_type="insights.your_service", actor=cast.agency).exists()


def test_another_organisations_referrer_sees_none_of_it(cast, client_for):
    billing.quote(cast, status=QuoteStatus.ACCEPTED)
    page = client_for(cast.agency_other).get(reverse(URL)).content.decode()
    assert "£1,200.00" not in page
    assert cast.other_organisation.name in page and cast.organisation.name not in page


@pytest.mark.parametrize("role", ["coordinator", "clinician", "clinical_lead", "finance", "researcher", "sysadmin"])
def test_staff_are_refused(cast, client_for, role):
    assert client_for(cast.by_name(role)).get(reverse(URL)).status_code == 403


def test_a_wrong_period_is_refused_and_the_default_shown(cast, client_for):
    response = client_for(cast.agency).get(reverse(URL), {"from_month": "2026-05", "to_month": "1999-01"})
    assert response.status_code == 400


def test_nothing_across_an_information_barrier_from_the_users_side_is_counted(cast):
    """Vera's referral sits across a barrier from Stan's, which the agency user sent: her referral
    and the quote accepted for her work are not counted for them; a colleague who sent nothing about
    Stan counts both."""
    pair = barrier_pair(cast)
    vera_referral, stan_referral = pair.vera_referral, pair.stan_referral
    type(stan_referral).objects.filter(pk=stan_referral.pk).update(created_by=cast.agency)
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    _accepted_quote(cast, vera_referral, cast.organisation, colleague)
    period = default_period()

    def seen_by(user):
        shown = {f.slug: f for f in commissioner.commissioner_figures(user, period)}
        return shown["your-referrals"].rows[-1][1], shown["spend"].rows[-1][2]

    assert seen_by(cast.agency) == (1, "£0.00")
    assert seen_by(colleague) == (2, "£1,500.00")


def test_the_page_runs_a_fixed_number_of_queries(cast, client_for):
    billing.quote(cast, status=QuoteStatus.ACCEPTED)

    def grow():
        for _ in range(3):
            billing.quote(cast, status=QuoteStatus.ACCEPTED)

    assert_page_queries_flat(client_for(cast.agency), reverse(URL), grow=grow)
