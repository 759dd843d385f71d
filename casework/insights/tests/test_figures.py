"""Each figure on a small service built by hand (``builders``), whose numbers are known."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from casework.insights import figures
from casework.insights.forms import PeriodForm, default_period
from casework.insights.tests.builders import NOON, build_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(cast):
    with time_machine.travel(NOON, tick=False):
        yield build_service(cast)


@pytest.fixture
def period():
    return default_period(NOON.date())


def figure(cast, slug, period):
    with time_machine.travel(NOON, tick=False):
        return figures.figure(cast.clinical_lead, slug, period)


def rows_by_label(found):
    return {row[0]: row[1:] for row in found.rows}


def test_the_default_period_is_the_last_twelve_months(period):
    assert (period.first, period.last, period.end) == (dt.date(2025, 7, 1), dt.date(2026, 6, 1), dt.date(2026, 7, 1))
    assert period.label == "July 2025 to June 2026"
    assert len(period.months()) == 12


def test_the_period_form_refuses_an_end_before_the_start():
    form = PeriodForm({"from_month": "2026-05", "to_month": "2026-03"}, today=NOON.date())
    assert not form.is_valid()
    assert form.errors["to_month"] == ["The last month must be the same as or after the first month"]
    assert form.period() == default_period(NOON.date())
    chosen = PeriodForm({"from_month": "2026-03", "to_month": "2026-05"}, today=NOON.date())
    assert chosen.period() == figures.Period(dt.date(2026, 3, 1), dt.date(2026, 5, 1))


def test_referrals_by_agency_kind_and_month(cast, service, period):
    found = figure(cast, "referrals-by-agency", period)
    assert found.columns[:4] == ["Month", "Police force", "Probation service", "Court"]
    rows = rows_by_label(found)
    assert rows["March 2026"] == [1, 1, 0, 0, 0, 0, 0, 2]
    assert rows["May 2026"] == [1, 0, 0, 0, 0, 0, 0, 1]
    assert rows["June 2026"] == [0, 0, 1, 0, 0, 0, 0, 1]
    assert rows["July 2025"][-1] == 0
    assert rows["Total"] == [2, 1, 1, 0, 0, 0, 0, 4]
    assert found.headline == "4 referrals received"


def test_services_asked_for_by_month(cast, service, period):
    rows = rows_by_label(figure(cast, "referrals-by-service", period))
    assert rows["Assessment of the person who stalks"][-1] == 2
    assert rows["Assessment of the person who stalks"][8] == 1  # March 2026, the ninth month
    assert rows["Report for sentencing"][-1] == 1
    assert rows["Treatment of the person who stalks"][-1] == 1
    assert rows["Assessment of the person stalked"][-1] == 1
    assert rows["Consultation on a problem case"][-1] == 0


def test_decisions_and_acceptance_rate(cast, service, period):
    found = figure(cast, "decisions", period)
    assert rows_by_label(found) == {
        "Accept": [2, 66.7],
        "Decline": [1, 33.3],
        "Request more information": [0, 0.0],
    }
    assert found.headline == "Acceptance rate 66.7% (2 of 3)"


def test_declines_by_service_and_what_the_referral_said(cast, service, period):
    found = figure(cast, "declines", period)
    assert rows_by_label(found)["Treatment of the person who stalks"] == [1]
    assert found.headline == "1 referral declined"
    assert "not a significant part of the case in 1" in found.note


def test_waiting_times_median_and_ninetieth_percentile(cast, service, period):
    rows = rows_by_label(figure(cast, "waiting-times", period))
    assert rows == {
        "Received to screening decision": [3, 10, 10.0],
        "Acceptance to allocation": [1, 5, 5.0],
        "Received to case opened": [2, 17, 21.0],
        "Received to first assessment appointment attended": [1, 36, 36.0],
        "Received to first report issued": [2, 31, 47.0],
    }


def test_percentile_interpolates_between_ranks():
    assert figures.percentile([], 0.9) is None
    assert figures.percentile([5.0], 0.9) == 5.0
    assert figures.percentile([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0], 0.9) == pytest.approx(9.1)
    assert figures.percentile([10.0, 0.0], 0.5) == 5.0


def test_reports_on_time_against_the_due_date(cast, service, period):
    found = figure(cast, "reports-on-time", period)
    rows = rows_by_label(found)
    assert rows["Advice to a police investigation"] == [1, 1, 1, 0, 100.0]
    assert rows["Psychiatric or psychological report for sentencing"] == [1, 1, 0, 1, 0.0]
    assert rows["Total"] == [2, 2, 1, 1, 50.0]
    assert found.headline == "50% on time (1 of 2 with a due date)"


def test_caseload_per_lead_clinician(cast, service, period):
    found = figure(cast, "caseload", period)
    assert found.rows == [["Clare Clinician", 2, 0, 2], ["Oscar Other", 0, 1, 1]]


def test_treatment_completion(cast, service, period):
    found = figure(cast, "treatment-outcomes", period)
    assert rows_by_label(found)["Completed"] == [1, 50.0]
    assert rows_by_label(found)["Disengaged"] == [1, 50.0]
    assert found.headline == "Completion rate 50% (1 of 2)"


def test_attendance_and_non_attendance_rate(cast, service, period):
    found = figure(cast, "attendance", period)
    rows = rows_by_label(found)
    assert rows["Attended"] == [3, 42.9]
    assert rows["Attended late"] == [1, 14.3]
    assert rows["Did not attend"] == [2, 28.6]
    assert rows["Cancelled by the client"] == [1, 14.3]
    assert rows["Cancelled by the clinic"] == [0, 0.0]
    assert found.headline == "Non-attendance rate 33.3% (2 of 6)"


def test_follow_up_outcomes(cast, service, period):
    found = figure(cast, "follow-up", period)
    rows = rows_by_label(found)
    assert rows["At 6 months"] == [2, 0, 0.0, 1, 50.0, 0, 0.0]
    assert rows["At 12 months"] == [0, 0, None, 0, None, 0, None]
    assert "Rosenfeld" in found.note


def test_stalker_types(cast, service, period):
    rows = rows_by_label(figure(cast, "stalker-types", period))
    assert rows["Rejected"] == [1, 100.0]
    assert rows["Resentful"] == [0, 0.0]
    assert rows["Not yet recorded"] == [1, None]


def test_relationships_beside_the_published_figures(cast, service, period):
    found = figure(cast, "relationships", period)
    rows = rows_by_label(found)
    assert rows["Ex-intimate partner"] == [1, 50.0, 30.0]
    assert rows["Stranger"] == [1, 50.0, 14.0]
    assert rows["Family member"] == [0, 0.0, None]
    assert "Mullen et al. 1999" in found.note


def test_a_narrower_period_counts_less(cast, service):
    march = figures.Period(dt.date(2026, 3, 1), dt.date(2026, 3, 1))
    assert rows_by_label(figure(cast, "referrals-by-agency", march))["Total"][-1] == 2
    assert figure(cast, "decisions", march).headline == "Acceptance rate 50% (1 of 2)"


def test_no_figure_names_a_client_or_a_victim(cast, service, period):
    every = figures.all_figures(cast.clinical_lead, period)
    text = repr([(f.rows, f.headline, f.note, f.chart_description) for f in every])
    for name in ("Vee", "Sam Subject", service.a.subject_family_name, service.b.subject_family_name):
        assert name not in text
