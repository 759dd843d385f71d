"""The access scope is worked out once per request and reused (ADR 0025): My work asks the
information barrier once however many sections it has, runs fewer queries than when every section
asked afresh, and the same number at two sizes of data; a change of relationship is never hidden
by what a request remembered."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casework.access import barrier, memo, policy
from casework.cases.models import Case
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat
from casework.referrals.models import Referral
from casework.referrals.tests.factories import ReferralFactory

MY_WORK = reverse("core:my_work")


@pytest.fixture
def barrier_asked(monkeypatch):
    """How many times the barrier query was built (it runs once each time)."""
    calls = []
    original = barrier.cases_across_barrier_for

    def counting(user):
        calls.append(user.pk)
        return original(user)

    monkeypatch.setattr(barrier, "cases_across_barrier_for", counting)
    return calls


def _grow(cast, lead) -> None:
    for _ in range(3):
        make_case(lead=lead, by=cast.clinical_lead)
        ReferralFactory(lead_clinician=lead)


def _users(cast, pair):
    return {
        "clinical lead beside a barrier": pair.lead_on_team,
        "clinician beside a barrier": pair.second_on_team,
        "clinical lead": cast.clinical_lead,
        "coordinator": cast.coordinator,
        "clinician": cast.clinician,
    }


def test_my_work_asks_the_barrier_once_per_request(cast, pair, client_for, barrier_asked):
    for name, user in _users(cast, pair).items():
        client = client_for(user)
        client.get(MY_WORK)  # sign-in and per-session caches warmed
        barrier_asked.clear()
        assert client.get(MY_WORK).status_code == 200
        assert len(barrier_asked) == 1, (name, len(barrier_asked))


def test_my_work_runs_fewer_queries_than_asking_afresh_in_every_section(cast, pair, client_for, monkeypatch):
    counts = {}
    for name, user in _users(cast, pair).items():
        client = client_for(user)
        client.get(MY_WORK)
        with CaptureQueriesContext(connection) as remembered:
            client.get(MY_WORK)
        with monkeypatch.context() as patched:
            patched.setattr(memo, "remembered", lambda key, compute: compute())
            with CaptureQueriesContext(connection) as afresh:
                client.get(MY_WORK)
        counts[name] = (len(afresh), len(remembered))
        assert len(remembered) <= len(afresh), (name, counts[name])
    # Beside a barrier, the saving is a query (or three) in every section that starts from the scope.
    afresh, remembered = counts["clinical lead beside a barrier"]
    assert remembered < afresh, counts


def test_my_work_queries_stay_fixed_as_data_grows(cast, pair, client_for):
    from casework.cases.queries import refresh_kept_risks

    def grow() -> None:
        _grow(cast, pair.second_on_team)
        refresh_kept_risks()  # counted as after the nightly assessment (ADR 0027; the stale path: cases tests)

    for user in _users(cast, pair).values():
        assert_page_queries_flat(client_for(user), MY_WORK, grow=grow)


def test_a_change_inside_a_request_scope_is_seen(cast):
    lead = cast.clinical_lead
    case = make_case(lead=cast.clinician, by=lead)
    with memo.request_scope():
        assert not policy.visible(cast.clinician, Case).exclude(pk=case.pk).exists()
        other = make_case(lead=cast.clinician, by=lead)  # saves a team row: the scope is emptied
        assert policy.visible(cast.clinician, Case).filter(pk=other.pk).exists()


def test_nothing_is_remembered_outside_a_request(cast, barrier_asked):
    user = cast.clinical_lead
    policy.visible(user, Referral).count()
    first = len(barrier_asked)
    policy.visible(user, Referral).count()
    assert first >= 1 and len(barrier_asked) == 2 * first


def test_a_post_is_never_remembered(cast, client_for, barrier_asked):
    client = client_for(cast.clinical_lead)
    with memo.request_scope():
        assert memo.active()
    assert not memo.active()
    client.post(reverse("core:my_work"))
    assert not memo.active()
