"""The staff list of referrals: who sees what, filters, sorts, clocks, pagination and a fixed
number of queries per page however many referrals there are."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db.models import F
from django.utils import timezone

from casework.accounts.tests.factories import OrganisationFactory
from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.core.working_days import working_days_before
from casework.referrals.choices import Service, Status
from casework.referrals.tests.factories import ReferralFactory

URL = "/referrals/"


def _references(response) -> list[str]:
    return re.findall(r'<a href="/referrals/(REF-[0-9-]+)/">', response.content.decode())


def _days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def test_coordinators_see_every_submitted_referral_and_the_view_is_audited(cast, client_for):
    mine = ReferralFactory(referring_organisation=cast.organisation)
    other = ReferralFactory(referring_organisation=cast.other_organisation)
    ReferralFactory(status=Status.DRAFT, reference="")
    response = client_for(cast.coordinator).get(URL)
    assert response.status_code == 200
    assert set(_references(response)) == {mine.reference, other.reference}
    assert "Showing 1 to 2 of 2 referrals" in response.content.decode()  # the draft is not counted
    assert AuditEvent.objects.filter(action=Action.VIEW, object_label="referral list, page 1").exists()


def test_a_clinician_sees_only_their_allocated_referrals(cast, client_for):
    theirs = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    second = ReferralFactory(status=Status.ALLOCATED, second_assessor=cast.clinician)
    ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.other_clinician)
    ReferralFactory()
    response = client_for(cast.clinician).get(URL)
    assert set(_references(response)) == {theirs.reference, second.reference}


@pytest.mark.parametrize("who", ["finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_others_are_refused(cast, client_for, who):
    ReferralFactory(referring_organisation=cast.organisation)
    assert client_for(getattr(cast, who)).get(URL).status_code == 403


def test_signed_out_goes_to_sign_in(client_for, db):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_filter_by_status_keeps_the_choice(cast, client_for):
    screening = ReferralFactory(status=Status.SCREENING)
    ReferralFactory(status=Status.RECEIVED)
    response = client_for(cast.coordinator).get(URL, {"status": "screening"})
    assert _references(response) == [screening.reference]
    assert 'value="screening" selected' in response.content.decode()


def test_filter_by_service_requested(cast, client_for):
    consult = ReferralFactory(services=[Service.CONSULTATION, Service.STALKER_ASSESSMENT])
    ReferralFactory(services=[Service.STALKER_ASSESSMENT])
    response = client_for(cast.coordinator).get(URL, {"service": "consultation"})
    assert _references(response) == [consult.reference]
    assert 'value="consultation" selected' in response.content.decode()


def test_filter_by_referring_organisation_type(cast, client_for):
    probation = ReferralFactory(referring_organisation=cast.other_organisation)
    ReferralFactory(referring_organisation=cast.organisation)
    nhs = ReferralFactory(referring_organisation=OrganisationFactory(kind="nhs_trust"))
    client = client_for(cast.coordinator)
    assert _references(client.get(URL, {"organisation_kind": "probation"})) == [probation.reference]
    assert _references(client.get(URL, {"organisation_kind": "nhs_trust"})) == [nhs.reference]


def test_overdue_report_due_dates_that_have_passed(cast, client_for):
    today = timezone.localdate()
    late = ReferralFactory(status=Status.SCREENING, report_due_on=today - dt.timedelta(days=1))
    ReferralFactory(status=Status.ALLOCATED, report_due_on=today - dt.timedelta(days=1))  # allocated: not overdue
    ReferralFactory(status=Status.CLOSED, report_due_on=today - dt.timedelta(days=1))
    ReferralFactory(status=Status.SCREENING, report_due_on=today)  # due today: not yet
    response = client_for(cast.coordinator).get(URL, {"overdue": "on"})
    assert _references(response) == [late.reference]
    page = response.content.decode()
    assert "Report due date passed" in page
    assert 'name="overdue" type="checkbox" value="on" checked' in page


def test_overdue_information_requested_more_than_ten_working_days_ago(cast, client_for, settings):
    settings.CASEWORK_INFORMATION_OVERDUE_WORKING_DAYS = 10
    today = timezone.localdate()
    cutoff = working_days_before(today, 10)
    at_cutoff = timezone.make_aware(dt.datetime.combine(cutoff, dt.time(12)))
    before_cutoff = timezone.make_aware(dt.datetime.combine(cutoff - dt.timedelta(days=1), dt.time(12)))
    late = ReferralFactory(
        status=Status.AWAITING_INFORMATION,
        information_requested_at=before_cutoff,
        received_at=before_cutoff - dt.timedelta(days=2),
    )
    ReferralFactory(
        status=Status.AWAITING_INFORMATION,
        information_requested_at=at_cutoff,
        received_at=at_cutoff - dt.timedelta(days=2),
    )
    response = client_for(cast.coordinator).get(URL, {"overdue": "on"})
    assert _references(response) == [late.reference]
    assert "Information overdue" in response.content.decode()


def test_the_working_days_setting_is_read(cast, client_for, settings):
    settings.CASEWORK_INFORMATION_OVERDUE_WORKING_DAYS = 1
    asked = timezone.make_aware(dt.datetime.combine(working_days_before(timezone.localdate(), 2), dt.time(10)))
    late = ReferralFactory(
        status=Status.AWAITING_INFORMATION, information_requested_at=asked, received_at=asked - dt.timedelta(days=1)
    )
    assert _references(client_for(cast.coordinator).get(URL, {"overdue": "on"})) == [late.reference]


def test_working_days_skip_weekends():
    friday = dt.date(2026, 11, 27)
    assert working_days_before(friday, 1) == dt.date(2026, 11, 26)
    assert working_days_before(dt.date(2026, 11, 30), 1) == friday  # Monday back to Friday
    assert working_days_before(dt.date(2026, 11, 30), 10) == dt.date(2026, 11, 16)


def test_sorting_by_received_and_due_date_both_ways(cast, client_for):
    today = timezone.localdate()
    old = ReferralFactory(received_at=_days_ago(10), report_due_on=today + dt.timedelta(days=5))
    new = ReferralFactory(received_at=_days_ago(1), report_due_on=today + dt.timedelta(days=50))
    middle = ReferralFactory(received_at=_days_ago(5), report_due_on=None)
    client = client_for(cast.coordinator)
    assert _references(client.get(URL)) == [new.reference, middle.reference, old.reference]
    assert _references(client.get(URL, {"sort": "received_asc"})) == [old.reference, middle.reference, new.reference]
    assert _references(client.get(URL, {"sort": "due_asc"})) == [old.reference, new.reference, middle.reference]
    assert _references(client.get(URL, {"sort": "due_desc"})) == [new.reference, old.reference, middle.reference]
    assert 'value="due_desc" selected' in client.get(URL, {"sort": "due_desc"}).content.decode()


def test_clocks_are_shown(cast, client_for):
    ReferralFactory(received_at=_days_ago(4))
    decided = ReferralFactory(received_at=_days_ago(9), status=Status.ACCEPTED, decided_at=_days_ago(2))
    page = client_for(cast.coordinator).get(URL).content.decode()
    assert "To decision: 4 days so far" in page
    assert "To decision: 7 days\n" in page
    assert decided.reference in page


def test_an_empty_result_says_so_and_keeps_the_filters(cast, client_for):
    ReferralFactory(status=Status.RECEIVED)
    response = client_for(cast.coordinator).get(URL, {"status": "closed", "service": "report_parole"})
    page = response.content.decode()
    assert "No referrals match these filters" in page
    assert 'value="closed" selected' in page and 'value="report_parole" selected' in page


def test_nothing_at_all_says_so(cast, client_for):
    assert "There are no referrals for you to see yet" in client_for(cast.coordinator).get(URL).content.decode()


def test_a_nonsense_filter_shows_an_error_rather_than_everything_silently(cast, client_for):
    response = client_for(cast.coordinator).get(URL, {"status": "bogus"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


def test_pages_of_25_keep_the_filters_in_the_links(cast, client_for):
    for n in range(30):
        ReferralFactory(status=Status.SCREENING, received_at=_days_ago(n + 1))
    client = client_for(cast.coordinator)
    first = client.get(URL, {"status": "screening"})
    assert len(_references(first)) == 25
    assert "Showing 1 to 25 of 30 referrals" in first.content.decode()
    assert "status=screening&amp;page=2" in first.content.decode()
    second = client.get(URL, {"status": "screening", "page": "2"})
    assert len(_references(second)) == 5
    assert not set(_references(first)) & set(_references(second))


def _make(count: int, cast) -> None:
    organisations = [cast.organisation, cast.other_organisation]
    for n in range(count):
        ReferralFactory(
            referring_organisation=organisations[n % 2],
            received_at=_days_ago(n % 20 + 1),
            status=[Status.RECEIVED, Status.AWAITING_INFORMATION, Status.ALLOCATED][n % 3],
            information_requested_at=_days_ago(15) if n % 3 == 1 else None,
            lead_clinician=cast.clinician if n % 3 == 2 else None,
            report_due_on=timezone.localdate() - dt.timedelta(days=1) if n % 4 == 0 else None,
            services=[Service.STALKER_ASSESSMENT, Service.REPORT_BAIL],
        )


# The session, the user and the second-factor device; the count and the page of referrals, and
# their requested services; the audit event for reading the list; Django's own permissions, asked
# once by the header navigation; saving the session. None of these grows with the data.
@pytest.mark.parametrize("params", [{}, {"overdue": "on", "sort": "due_asc"}, {"service": "report_bail", "page": "2"}])
def test_each_page_runs_a_fixed_number_of_queries(cast, client_for, params):
    _make(5, cast)
    assert_page_queries_flat(client_for(cast.coordinator), URL, data=params, grow=lambda: _make(55, cast))


def test_a_clinicians_page_runs_a_fixed_number_of_queries(cast, client_for):
    _make(5, cast)
    assert_page_queries_flat(client_for(cast.clinician), URL, grow=lambda: _make(55, cast))


@pytest.mark.django_db
def test_the_default_order_of_the_list_is_an_index():
    """The list's first page reads 25 rows from an index in the list's own order (migration 0010),
    rather than joining and sorting every referral (issue 19); the index and the default sort agree."""
    from django.db import connection

    from casework.referrals.queries import DEFAULT_SORT, SORTS

    assert [str(e) for e in SORTS[DEFAULT_SORT][1]] == [str(F("received_at").desc(nulls_last=True)), "-id"]
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "referrals_referral")
    index = constraints["referral_received_desc_idx"]
    assert index["index"] and index["columns"] == ["received_at", "id"]
    assert index["orders"] == ["DESC", "DESC"]
