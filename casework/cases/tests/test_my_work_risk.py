"""My work puts risk first: a clinician's own cases, escalating and likely breaching first, with
their next hearing and report due; for clinical leads, alerts, then escalating cases and likely
breaches across the service, then late work."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.cases import queries
from casework.cases.choices import Behaviour, CaseKind, Channel
from casework.cases.models import KeptRisk
from casework.cases.tests.factories import HearingFactory, IncidentFactory, OrderFactory, make_case
from casework.core.testing import assert_page_queries_flat, assert_same_count, count_queries
from casework.people.tests.factories import create_person


def my_work(client) -> str:
    return client.get(reverse("core:my_work")).content.decode()


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def make_escalating(case) -> None:
    """Rising severity: a severity-4 incident in the last 8 weeks, after only severity 1 before."""
    IncidentFactory(case=case, occurred_on=days_ago(120), severity=1)
    IncidentFactory(case=case, occurred_on=days_ago(5), severity=4)


def make_breach(case) -> None:
    """A text to a victim a no-contact order protects, 10 days ago."""
    victim = case.parties.filter(role="victim").first()
    OrderFactory(case=case, protects=[victim], no_contact=True)
    IncidentFactory(case=case, victim=victim, behaviour=Behaviour.TEXT, channel=Channel.TEXT, occurred_on=days_ago(10))


def new_case(cast, lead, **fields):
    victim = create_person(by=cast.coordinator, given_name="Vic", family_name="Synthetic", sex="female")
    return make_case(lead=lead, by=cast.clinical_lead, victims=[(victim, "Vic S", "Neighbour")], **fields)


def test_a_clinician_sees_their_escalating_case_first_with_its_flag(cast, world, client_for):
    HearingFactory(case=world.case, hearing_on=timezone.localdate() + dt.timedelta(days=2))
    escalating = new_case(cast, cast.clinician)
    make_escalating(escalating)
    body = my_work(client_for(cast.clinician))
    assert "Your cases (2)" in body
    section = body[body.index("Your cases") :]
    assert section.index(escalating.reference) < section.index(world.case.reference)
    row = section[section.index(escalating.reference) : section.index(world.case.reference)]
    assert "Escalating" in row and "rising severity" in row
    # The quiet case shows its next hearing.
    assert "Sentencing hearing" in section and "in 2 days" in section


def test_a_likely_breach_is_flagged_and_sorted_before_escalation(cast, world, client_for):
    escalating = new_case(cast, cast.clinician)
    make_escalating(escalating)
    make_breach(world.case)
    section = my_work(client_for(cast.clinician)).split("Your cases", 1)[1]
    assert section.index(world.case.reference) < section.index(escalating.reference)
    assert "Likely breach" in section
    assert f"Likely breach of an order on {days_ago(10).day}" in section


def test_a_breach_more_than_8_weeks_ago_does_not_flag_the_case(cast, world, client_for):
    victim = world.victim_party
    OrderFactory(case=world.case, protects=[victim], starts_on=days_ago(400))
    IncidentFactory(case=world.case, victim=victim, occurred_on=days_ago(100))
    body = my_work(client_for(cast.clinical_lead))
    assert "Escalating cases and likely breaches (0)" in body


def test_the_report_due_date_the_referral_carried_is_shown(cast, client_for):
    due = timezone.localdate() + dt.timedelta(days=9)
    case = new_case(cast, cast.clinician, report_due_on=due)
    section = my_work(client_for(cast.clinician)).split("Your cases", 1)[1]
    assert case.reference in section and "Report due" in section and "in 9 days" in section


def test_a_clinician_does_not_see_cases_they_are_not_on(cast, world, client_for):
    theirs = new_case(cast, cast.other_clinician)
    make_escalating(theirs)
    make_breach(theirs)
    body = my_work(client_for(cast.clinician))
    assert "Your cases (1)" in body
    assert theirs.reference not in body
    assert "Escalating cases and likely breaches" not in body  # a clinical lead's section
    assert "Your cases" not in my_work(client_for(cast.coordinator))


def test_a_closed_case_is_not_in_your_cases(cast, world, client_for):
    type(world.case).objects.filter(pk=world.case.pk).update(
        status="closed", closed_on=timezone.localdate(), closure_reason="other"
    )
    assert "Your cases (0)" in my_work(client_for(cast.clinician))


def test_a_lead_sees_alerts_then_escalating_cases_then_late_work(cast, world, client_for):
    escalating = new_case(cast, cast.other_clinician)
    make_escalating(escalating)
    body = my_work(client_for(cast.clinical_lead))
    alerts = body.index("Break-glass alerts")
    risk = body.index("Escalating cases and likely breaches (1)")
    late = body.index("Late referrals")
    allocation = body.index("Accepted work awaiting allocation")
    assert alerts < risk < late < allocation
    assert escalating.reference in body[risk:late]
    assert world.case.reference not in body[risk:late]


def test_the_risk_list_links_to_the_full_list_when_there_are_more(cast, client_for, monkeypatch):
    from casework.cases import work

    monkeypatch.setattr(work, "SECTION_LIMIT", 1)
    for _ in range(2):
        make_escalating(new_case(cast, cast.clinician))
    body = my_work(client_for(cast.clinical_lead))
    assert "Escalating cases and likely breaches (2)" in body
    assert f'href="{reverse("cases:list")}?risk=on"' in body
    assert f'href="{reverse("cases:list")}?mine=on"' in my_work(client_for(cast.clinician))


def test_the_case_list_filters_to_escalating_cases_and_likely_breaches(cast, world, client_for):
    escalating = new_case(cast, cast.clinician)
    make_escalating(escalating)
    body = client_for(cast.clinical_lead).get(reverse("cases:list"), {"risk": "on"}).content.decode()
    assert escalating.reference in body and world.case.reference not in body
    # Coordinators see no clinical content: the filter is neither offered nor applied.
    body = client_for(cast.coordinator).get(reverse("cases:list"), {"risk": "on"}).content.decode()
    assert world.case.reference in body and "Only escalating cases" not in body


def _add_cases(cast, count: int) -> None:
    for index in range(count):
        case = new_case(cast, cast.clinician, report_due_on=timezone.localdate() + dt.timedelta(days=index + 1))
        make_escalating(case)
        make_breach(case)
        HearingFactory(case=case)


def test_my_work_runs_the_same_queries_for_2_cases_as_for_8(cast, client_for):
    """Counted with every kept risk current (as after the nightly assessment), and again with none
    current (the day's first view with no nightly run): the same queries at both sizes each time."""
    clinician, lead = client_for(cast.clinician), client_for(cast.clinical_lead)
    _add_cases(cast, 2)

    def grow_kept_current() -> None:
        _add_cases(cast, 3)
        queries.refresh_kept_risks()

    assert_page_queries_flat(clinician, reverse("core:my_work"), grow=grow_kept_current)
    assert_page_queries_flat(lead, reverse("core:my_work"), grow=grow_kept_current)
    for client in (clinician, lead):
        KeptRisk.objects.all().delete()
        small = count_queries(lambda c=client: c.get(reverse("core:my_work")))
        _add_cases(cast, 3)
        KeptRisk.objects.all().delete()
        assert_same_count(small, count_queries(lambda c=client: c.get(reverse("core:my_work"))))
    assert "Escalating cases and likely breaches (14)" in my_work(lead)
    assert "Your cases (14)" in my_work(clinician)


def test_a_victim_case_is_assessed_too(cast, client_for):
    vera = create_person(by=cast.coordinator, given_name="Vee", family_name="Synthetic", sex="female")
    case = make_case(
        lead=cast.clinician, by=cast.clinical_lead, kind=CaseKind.VICTIM, subject=vera, subject_role="victim"
    )
    subject_party = case.parties.get(role="subject")
    OrderFactory(case=case, protects=[subject_party])
    IncidentFactory(case=case, victim=subject_party, occurred_on=days_ago(3))
    assert "Likely breach" in my_work(client_for(cast.clinician))
