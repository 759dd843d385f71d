"""Moving referrals through the triage workflow: valid steps are stored and audited in one
transaction; invalid ones are refused with a clear message and leave nothing behind."""

from __future__ import annotations

import pytest

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Status
from casework.referrals.models import Transition
from casework.referrals.services.triage import TriageRefused, transition
from casework.referrals.tests.factories import ReferralFactory
from casework.referrals.workflow import TRANSITIONS, InvalidTransition, can_transition


def _events(referral, action=Action.TRANSITION):
    return list(AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk), action=action))


def test_start_screening_stores_a_transition_and_audits_old_and_new_status(cast):
    referral = ReferralFactory(status=Status.RECEIVED)
    step = transition(referral=referral, to=Status.SCREENING, by=cast.coordinator)
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    assert (step.from_status, step.to_status, step.by, step.reason) == (
        Status.RECEIVED,
        Status.SCREENING,
        cast.coordinator,
        "Screening started",
    )
    [event] = _events(referral)
    assert event.changes == {"status": {"old": "received", "new": "screening"}}
    assert event.actor == cast.coordinator
    assert event.object_label == referral.reference


def test_information_received_returns_to_screening(cast):
    referral = ReferralFactory(status=Status.AWAITING_INFORMATION)
    step = transition(referral=referral, to=Status.SCREENING, by=cast.coordinator)
    assert step.reason == "Information received"
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING


def test_withdrawing_needs_a_reason(cast):
    referral = ReferralFactory(status=Status.SCREENING)
    with pytest.raises(TriageRefused, match="Enter why the referral is withdrawn"):
        transition(referral=referral, to=Status.WITHDRAWN, by=cast.coordinator, reason="  ")
    transition(referral=referral, to=Status.WITHDRAWN, by=cast.coordinator, reason="Referrer withdrew by phone")
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


def test_an_invalid_transition_is_refused_with_its_message_and_nothing_is_written(cast):
    referral = ReferralFactory(status=Status.CLOSED)
    with pytest.raises(InvalidTransition) as refused:
        transition(referral=referral, to=Status.SCREENING, by=cast.coordinator)
    assert (
        str(refused.value)
        == "A referral that is closed cannot become screening. From closed it can become: nothing: it is final."
    )
    assert not Transition.objects.filter(referral=referral).exists()
    assert _events(referral) == []


def test_received_cannot_jump_to_closed(cast):
    referral = ReferralFactory(status=Status.RECEIVED)
    with pytest.raises(InvalidTransition, match="From received it can become: screening, withdrawn"):
        transition(referral=referral, to=Status.CLOSED, by=cast.coordinator, reason="Done")


@pytest.mark.parametrize("target", [Status.ACCEPTED, Status.DECLINED, Status.AWAITING_INFORMATION, Status.ALLOCATED])
def test_steps_with_their_own_service_cannot_be_taken_by_hand(cast, target):
    referral = ReferralFactory(status=Status.SCREENING)
    with pytest.raises(TriageRefused, match="through its own step"):
        transition(referral=referral, to=target, by=cast.coordinator, reason="x")


def test_the_status_is_reread_under_lock_so_a_stale_copy_cannot_move_twice(cast):
    referral = ReferralFactory(status=Status.RECEIVED)
    stale = type(referral).objects.get(pk=referral.pk)
    transition(referral=referral, to=Status.WITHDRAWN, by=cast.coordinator, reason="Withdrawn by referrer")
    with pytest.raises(InvalidTransition):
        transition(referral=stale, to=Status.SCREENING, by=cast.coordinator)
    assert Transition.objects.filter(referral=referral).count() == 1


def test_the_state_machine_has_the_documented_paths():
    assert can_transition(Status.RECEIVED, Status.SCREENING)
    assert can_transition(Status.SCREENING, Status.AWAITING_INFORMATION)
    assert can_transition(Status.AWAITING_INFORMATION, Status.SCREENING)
    assert can_transition(Status.ACCEPTED, Status.ALLOCATED)
    assert not can_transition(Status.RECEIVED, Status.ALLOCATED)
    assert TRANSITIONS[Status.CLOSED] == frozenset()
