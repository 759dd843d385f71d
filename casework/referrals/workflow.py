"""The triage state machine: which status may follow which. Services enforce it."""

from __future__ import annotations

from casework.core.workflow import InvalidTransition, Workflow
from casework.referrals.choices import Status

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.DRAFT: frozenset({Status.RECEIVED}),
    Status.RECEIVED: frozenset({Status.SCREENING, Status.WITHDRAWN}),
    Status.SCREENING: frozenset({Status.AWAITING_INFORMATION, Status.ACCEPTED, Status.DECLINED, Status.WITHDRAWN}),
    Status.AWAITING_INFORMATION: frozenset({Status.SCREENING, Status.WITHDRAWN, Status.CLOSED}),
    Status.ACCEPTED: frozenset({Status.ALLOCATED, Status.WITHDRAWN, Status.CLOSED}),
    Status.ALLOCATED: frozenset({Status.CLOSED, Status.WITHDRAWN}),
    Status.DECLINED: frozenset({Status.CLOSED}),
    Status.WITHDRAWN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset(),
}

# The order the happy path takes, for showing progress.
MAIN_PATH = [Status.RECEIVED, Status.SCREENING, Status.AWAITING_INFORMATION, Status.ACCEPTED, Status.ALLOCATED]


WORKFLOW = Workflow("referral", Status, TRANSITIONS)

__all__ = ["InvalidTransition", "MAIN_PATH", "TRANSITIONS", "WORKFLOW", "can_transition", "check_transition"]


def can_transition(current: str, target: str) -> bool:
    return WORKFLOW.allows(current, target)


def check_transition(current: str, target: str) -> None:
    WORKFLOW.check(current, target)
