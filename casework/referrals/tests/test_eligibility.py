"""Each eligibility rule, on its own: pass, fail, warning or does not apply, with a reason and what it blocks."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from casework.referrals import eligibility
from casework.referrals.choices import LegalStatus, Offence, Order, Service, Setting, SubjectRole
from casework.referrals.eligibility import Outcome


def referral(**overrides):
    """A stand-in referral: the rules read attributes only, so they need no database."""
    values = dict(
        legal_status=LegalStatus.CHARGED,
        offences=[Offence.PHA_S2A],
        other_offences="",
        stalking_significant=None,
        orders_in_force=[],
        assessment_setting=Setting.COMMUNITY,
        custody_establishment="",
        prison_number="",
        report_due_on=None,
        subject_role=SubjectRole.PERPETRATOR,
        services=[Service.STALKER_ASSESSMENT],
    )
    values.update(overrides)
    return SimpleNamespace(**values)


# --- 1. Stalking is significant ------------------------------------------------------------


def test_charged_with_a_harassment_act_offence_passes():
    result = eligibility.stalking_is_significant(referral())
    assert result.outcome == Outcome.PASS
    assert "charged with an offence under the Protection from Harassment Act 1997" in result.reason
    assert "Stalking (Protection from Harassment Act 1997, s2A)" in result.reason


def test_convicted_of_s4a_passes():
    result = eligibility.stalking_is_significant(
        referral(legal_status=LegalStatus.CONVICTED, offences=[Offence.PHA_S4A])
    )
    assert result.outcome == Outcome.PASS
    assert "convicted of" in result.reason


def test_other_offence_where_stalking_was_significant_passes():
    result = eligibility.stalking_is_significant(
        referral(offences=[Offence.OTHER], other_offences="Criminal damage", stalking_significant=True)
    )
    assert result.outcome == Outcome.PASS
    assert "Criminal damage" in result.reason


def test_other_offence_where_stalking_was_not_significant_fails_and_blocks_everything():
    result = eligibility.stalking_is_significant(referral(offences=[Offence.OTHER], stalking_significant=False))
    assert result.outcome == Outcome.FAIL
    assert result.blocks == frozenset(Service)
    assert "not a significant part" in result.reason


def test_other_offence_without_the_referrers_view_is_a_warning():
    result = eligibility.stalking_is_significant(referral(offences=[Offence.OTHER], stalking_significant=None))
    assert result.outcome == Outcome.WARNING
    assert "Ask the referrer" in result.reason


def test_charged_with_no_offence_recorded_is_a_warning():
    result = eligibility.stalking_is_significant(referral(offences=[]))
    assert result.outcome == Outcome.WARNING
    assert "no offence is recorded" in result.reason


def test_problem_case_not_charged_passes_when_the_referrer_says_it_is_significant():
    result = eligibility.stalking_is_significant(
        referral(legal_status=LegalStatus.NONE, offences=[], stalking_significant=True)
    )
    assert result.outcome == Outcome.PASS
    assert "problem case not charged" in result.reason


def test_problem_case_under_investigation_fails_when_the_referrer_says_it_is_not_significant():
    result = eligibility.stalking_is_significant(
        referral(legal_status=LegalStatus.UNDER_INVESTIGATION, offences=[], stalking_significant=False)
    )
    assert result.outcome == Outcome.FAIL
    assert "under investigation" in result.reason


def test_problem_case_without_the_referrers_view_is_a_warning():
    result = eligibility.stalking_is_significant(referral(legal_status=LegalStatus.NONE, stalking_significant=None))
    assert result.outcome == Outcome.WARNING


def test_unknown_legal_status_is_a_warning():
    result = eligibility.stalking_is_significant(referral(legal_status=""))
    assert result.outcome == Outcome.WARNING
    assert "legal position is not recorded" in result.reason


# --- 2. Treatment under compulsion, in the community ----------------------------------------


def test_treatment_not_requested_does_not_apply():
    result = eligibility.treatment_under_compulsion(referral())
    assert result.outcome == Outcome.NOT_APPLICABLE
    assert "not requested" in result.reason


def test_treatment_without_compulsion_fails_and_blocks_only_treatment():
    result = eligibility.treatment_under_compulsion(
        referral(
            services=[Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT], orders_in_force=[Order.RESTRAINING_ORDER]
        )
    )
    assert result.outcome == Outcome.FAIL
    assert result.blocks == {Service.STALKER_TREATMENT}
    assert "only under compulsion" in result.reason
    assert "can still be accepted for assessment or consultation" in result.reason


def test_treatment_under_a_community_order_requirement_passes():
    for order in (Order.COMMUNITY_ORDER_REQUIREMENT, Order.BAIL_CONDITIONS, Order.LICENCE_CONDITIONS):
        result = eligibility.treatment_under_compulsion(
            referral(services=[Service.STALKER_TREATMENT], orders_in_force=[order])
        )
        assert result.outcome == Outcome.PASS, order
        assert Order(order).label in result.reason


def test_treatment_under_compulsion_but_in_custody_is_a_warning():
    result = eligibility.treatment_under_compulsion(
        referral(
            services=[Service.STALKER_TREATMENT],
            orders_in_force=[Order.LICENCE_CONDITIONS],
            assessment_setting=Setting.CUSTODY,
        )
    )
    assert result.outcome == Outcome.WARNING
    assert "only in the community" in result.reason


def test_the_services_passed_in_are_used_instead_of_those_requested():
    result = eligibility.treatment_under_compulsion(referral(services=[]), services=[Service.STALKER_TREATMENT])
    assert result.outcome == Outcome.FAIL


# --- 3. A report request needs its due date --------------------------------------------------


def test_no_report_requested_does_not_apply():
    result = eligibility.report_has_due_date(referral())
    assert result.outcome == Outcome.NOT_APPLICABLE
    assert not result.applies
    assert not result.blocks


def test_report_without_due_date_fails_and_blocks_the_reports():
    result = eligibility.report_has_due_date(
        referral(services=[Service.STALKER_ASSESSMENT, Service.REPORT_SENTENCING, Service.REPORT_BAIL])
    )
    assert result.outcome == Outcome.FAIL
    assert result.blocks == {Service.REPORT_SENTENCING, Service.REPORT_BAIL}
    assert "date it is needed by is not recorded" in result.reason


def test_report_with_a_future_due_date_passes_and_says_the_date():
    result = eligibility.report_has_due_date(
        referral(services=[Service.REPORT_PAROLE], report_due_on=dt.date(2030, 11, 27)), today=dt.date(2030, 1, 1)
    )
    assert result.outcome == Outcome.PASS
    assert "27 November 2030" in result.reason


def test_report_due_date_passed_is_a_warning():
    today = timezone.localdate()
    result = eligibility.report_has_due_date(
        referral(services=[Service.REPORT_MAPPA], report_due_on=today - dt.timedelta(days=1))
    )
    assert result.outcome == Outcome.WARNING
    assert "has passed" in result.reason


# --- 4. Custody needs the establishment -----------------------------------------------------


def test_not_in_custody_does_not_apply():
    assert eligibility.custody_has_establishment(referral()).outcome == Outcome.NOT_APPLICABLE


def test_custody_without_establishment_fails_and_blocks_assessments_and_reports():
    result = eligibility.custody_has_establishment(
        referral(
            assessment_setting=Setting.CUSTODY,
            services=[Service.STALKER_ASSESSMENT, Service.REPORT_SENTENCING, Service.CONSULTATION],
        )
    )
    assert result.outcome == Outcome.FAIL
    assert result.blocks == {Service.STALKER_ASSESSMENT, Service.REPORT_SENTENCING}
    assert "establishment is not recorded" in result.reason


def test_custody_with_establishment_but_no_prison_number_is_a_warning():
    result = eligibility.custody_has_establishment(
        referral(assessment_setting=Setting.CUSTODY, custody_establishment="HMP Example")
    )
    assert result.outcome == Outcome.WARNING
    assert "HMP Example" in result.reason


def test_custody_with_establishment_and_number_passes():
    result = eligibility.custody_has_establishment(
        referral(assessment_setting=Setting.CUSTODY, custody_establishment="HMP Example", prison_number="A1234BC")
    )
    assert result.outcome == Outcome.PASS


# --- 5. Services fit the subject -----------------------------------------------------------


def test_stalker_services_for_a_victim_subject_is_a_warning():
    result = eligibility.services_fit_subject(referral(subject_role=SubjectRole.VICTIM))
    assert result.outcome == Outcome.WARNING
    assert not result.blocks


def test_victim_services_for_a_perpetrator_subject_is_a_warning():
    result = eligibility.services_fit_subject(referral(services=[Service.VICTIM_TREATMENT]))
    assert result.outcome == Outcome.WARNING


def test_matching_services_pass():
    assert eligibility.services_fit_subject(referral()).outcome == Outcome.PASS


# --- Putting them together -------------------------------------------------------------------


def test_evaluate_runs_every_rule_in_order():
    results = eligibility.evaluate(referral())
    assert [r.code for r in results] == [
        "stalking_significant",
        "treatment_under_compulsion",
        "report_due_date",
        "custody_establishment",
        "services_fit_subject",
    ]


def test_refused_services_gives_each_blocked_service_its_reason():
    subject = referral(services=[Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT, Service.REPORT_BAIL])
    refused = eligibility.refused_services(subject, subject.services)
    assert set(refused) == {Service.STALKER_TREATMENT, Service.REPORT_BAIL}
    assert "compulsion" in refused[Service.STALKER_TREATMENT]
    assert "needed by" in refused[Service.REPORT_BAIL]
    assert eligibility.acceptable_services(subject) == [Service.STALKER_ASSESSMENT]


def test_a_rule_that_does_not_apply_says_so_in_grey_not_that_it_is_met():
    """Staff read the label: "Meets the rule" for a report nobody asked for misled them."""
    assert (Outcome.NOT_APPLICABLE.label, Outcome.NOT_APPLICABLE.tag_colour) == ("Does not apply", "grey")
    results = {r.code: r for r in eligibility.evaluate(referral())}  # assessment only, in the community
    assert {code for code, r in results.items() if not r.applies} == {
        "treatment_under_compulsion",
        "report_due_date",
        "custody_establishment",
    }
    assert results["stalking_significant"].outcome.label == "Meets the rule"


def test_a_rule_that_does_not_apply_blocks_nothing():
    subject = referral(services=[Service.STALKER_ASSESSMENT, Service.CONSULTATION])
    assert eligibility.refused_services(subject, subject.services) == {}
    assert eligibility.acceptable_services(subject) == [Service.STALKER_ASSESSMENT, Service.CONSULTATION]
