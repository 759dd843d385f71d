"""My work: the referral queues each role sees, scoped to what the user may see, each with a
count, at most ten rows, a link to the full list, and an empty state that says what will appear;
and a fixed number of queries however much data there is."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from casework.core.testing import assert_page_queries_flat
from casework.referrals import work_queries
from casework.referrals.choices import Status
from casework.referrals.tests.factories import DraftReferralFactory, ReferralFactory
from casework.referrals.work import referral_sections

LONDON = ZoneInfo("Europe/London")  # settings.TIME_ZONE: the clinic's working day


def sections(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return {s.title: s for s in referral_sections(request)}


def in_days(days: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


REFERRAL_TITLES = {
    "Referrals awaiting screening",
    "Information requests overdue",
    "Accepted work awaiting allocation",
    "Report due dates coming up",
    "Referrals allocated to you",
}


def referral_titles(user) -> set[str]:
    return set(sections(user))


# --- Who gets which queue -----------------------------------------------------------------------


def test_each_role_gets_its_own_queues(cast):
    assert referral_titles(cast.coordinator) == {
        "Referrals awaiting screening",
        "Information requests overdue",
        "Report due dates coming up",
    }
    assert referral_titles(cast.clinical_lead) == {
        "Accepted work awaiting allocation",
        "Report due dates coming up",
        "Referrals allocated to you",
    }
    assert referral_titles(cast.clinician) == {"Referrals allocated to you"}
    for name in ("agency", "finance", "researcher", "sysadmin"):  # the agency's queues are the portal's
        assert referral_titles(cast.by_name(name)) == set(), name


def test_empty_queues_say_what_will_appear_there(cast):
    for user in (cast.coordinator, cast.clinical_lead, cast.clinician, cast.agency):
        for section in sections(user).values():
            assert section.count == 0 and section.items == []
            assert "appear" in section.empty_text, section.title


# --- Referrals coordinators ------------------------------------------------------------------------


def test_the_screening_queue_lists_received_and_screening_referrals_oldest_first(cast):
    newer = ReferralFactory(status=Status.RECEIVED, received_at=days_ago(1))
    older = ReferralFactory(status=Status.SCREENING, received_at=days_ago(5))
    for status in (Status.ACCEPTED, Status.DECLINED, Status.AWAITING_INFORMATION, Status.DRAFT):
        ReferralFactory(status=status)
    section = sections(cast.coordinator)["Referrals awaiting screening"]
    assert section.count == 2
    assert [item.text for item in section.items] == [older.reference, newer.reference]
    assert section.items[0].href == reverse("referrals:detail", kwargs={"reference": older.reference})
    assert section.items[0].tag == "Screening"


def test_a_queue_shows_ten_rows_and_links_to_the_full_list(cast):
    ReferralFactory.create_batch(12, status=Status.RECEIVED)
    section = sections(cast.coordinator)["Referrals awaiting screening"]
    assert section.count == 12 and len(section.items) == 10
    assert section.more_href.startswith(reverse("referrals:list") + "?")


def test_information_requests_are_overdue_after_ten_working_days(cast):
    overdue = ReferralFactory(status=Status.AWAITING_INFORMATION, information_requested_at=days_ago(20))
    ReferralFactory(status=Status.AWAITING_INFORMATION, information_requested_at=days_ago(5))
    ReferralFactory(status=Status.SCREENING, information_requested_at=days_ago(30))  # it arrived
    section = sections(cast.coordinator)["Information requests overdue"]
    assert [item.text for item in section.items] == [overdue.reference]
    assert section.items[0].tag == "Overdue"


@pytest.mark.parametrize(
    ("requested", "overdue"),
    [
        (dt.datetime(2026, 11, 13, 16, 0, tzinfo=LONDON), True),  # Friday before the cutoff: 11 working days
        (dt.datetime(2026, 11, 16, 9, 0, tzinfo=LONDON), False),  # the cutoff Monday itself: exactly 10
        (dt.datetime(2026, 11, 20, 9, 0, tzinfo=LONDON), False),
    ],
)
def test_overdue_counts_working_days_monday_to_friday(requested, overdue, cast):
    today = dt.date(2026, 11, 30)  # a Monday; ten working days before is Monday 16 November
    ReferralFactory(status=Status.AWAITING_INFORMATION, information_requested_at=requested)
    assert work_queries.information_overdue(cast.coordinator, today=today).exists() is overdue


def test_the_overdue_threshold_is_a_setting(cast, settings):
    settings.CASEWORK_INFORMATION_OVERDUE_WORKING_DAYS = 2
    today = dt.date(2026, 11, 30)
    ReferralFactory(
        status=Status.AWAITING_INFORMATION, information_requested_at=dt.datetime(2026, 11, 25, 12, 0, tzinfo=LONDON)
    )
    assert work_queries.information_overdue(cast.coordinator, today=today).exists()


def test_due_dates_coming_up_are_open_referrals_due_within_two_weeks_or_overdue(cast):
    soon = ReferralFactory(status=Status.ALLOCATED, report_due_on=in_days(3))
    overdue = ReferralFactory(status=Status.ACCEPTED, report_due_on=in_days(-2))
    ReferralFactory(status=Status.ALLOCATED, report_due_on=in_days(20))
    ReferralFactory(status=Status.CLOSED, report_due_on=in_days(2))
    ReferralFactory(status=Status.WITHDRAWN, report_due_on=in_days(2))
    ReferralFactory(status=Status.ALLOCATED, report_due_on=None)
    section = sections(cast.coordinator)["Report due dates coming up"]
    assert [item.text for item in section.items] == [overdue.reference, soon.reference]
    assert section.items[0].tag == "Overdue"
    assert "in 3 days" in section.items[1].detail


# --- Clinical leads and clinicians ---------------------------------------------------------------


def test_clinical_leads_see_accepted_work_waiting_for_allocation(cast):
    accepted = ReferralFactory(status=Status.ACCEPTED, decided_at=days_ago(2))
    ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    section = sections(cast.clinical_lead)["Accepted work awaiting allocation"]
    assert [item.text for item in section.items] == [accepted.reference]


def test_clinicians_see_only_their_own_allocated_referrals_soonest_due_first(cast):
    later = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician, report_due_on=in_days(30))
    sooner = ReferralFactory(status=Status.ALLOCATED, second_assessor=cast.clinician, report_due_on=in_days(4))
    undated = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician, report_due_on=None)
    ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.other_clinician, report_due_on=in_days(1))
    ReferralFactory(status=Status.CLOSED, lead_clinician=cast.clinician)
    section = sections(cast.clinician)["Referrals allocated to you"]
    assert [item.text for item in section.items] == [sooner.reference, later.reference, undated.reference]
    assert "you are the second assessor" in section.items[0].detail
    assert sections(cast.other_clinician)["Referrals allocated to you"].count == 1


def test_the_my_work_page_shows_the_queues(cast, client_for):
    ReferralFactory(status=Status.RECEIVED)
    html = client_for(cast.coordinator).get(reverse("core:my_work")).content.decode()
    assert "Referrals awaiting screening (1)" in html


# --- A fixed number of queries ---------------------------------------------------------------------


def _add_data(cast, n: int) -> None:
    for _ in range(n):
        ReferralFactory(status=Status.RECEIVED)
        ReferralFactory(status=Status.AWAITING_INFORMATION, information_requested_at=days_ago(30))
        ReferralFactory(status=Status.ACCEPTED, report_due_on=in_days(2))
        ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician, report_due_on=in_days(5))
        ReferralFactory(
            status=Status.AWAITING_INFORMATION,
            referring_organisation=cast.organisation,
            information_requested_at=days_ago(2),
        )
        DraftReferralFactory(created_by=cast.agency, referring_organisation=cast.organisation)


@pytest.mark.parametrize("role", ["coordinator", "clinical_lead", "clinician", "agency"])
def test_my_work_runs_the_same_number_of_queries_however_much_work(role, cast, client_for):
    client = client_for(cast.by_name(role))
    _add_data(cast, 1)
    assert_page_queries_flat(client, reverse("core:my_work"), grow=lambda: _add_data(cast, 12))


# --- Late work, for clinical leads ------------------------------------------------------------


def late_sections(user) -> dict:
    from casework.referrals.work import late_work_sections

    request = RequestFactory().get("/")
    request.user = user
    return {s.title: s for s in late_work_sections(request)}


def test_a_clinical_lead_sees_late_referrals_and_no_other_role_does(cast):
    late = ReferralFactory(status=Status.ACCEPTED, report_due_on=in_days(-3))
    ReferralFactory(status=Status.ACCEPTED, report_due_on=in_days(5))  # not late yet
    ReferralFactory(status=Status.ALLOCATED, report_due_on=in_days(-3))  # allocated: with its clinician
    section = late_sections(cast.clinical_lead)["Late referrals"]
    assert [item.text for item in section.items] == [late.reference]
    assert section.items[0].tag == "Late" and "not yet allocated" in section.items[0].detail
    for name in ("coordinator", "clinician", "finance", "researcher", "sysadmin", "agency"):
        assert late_sections(cast.by_name(name)) == {}, name
