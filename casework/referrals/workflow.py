"""The triage state machine: which status may follow which. Services enforce it."""

from __future__ import annotations

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


class InvalidTransition(Exception):
    def __init__(self, current: str, target: str) -> None:
        self.current, self.target = Status(current), Status(target)
        allowed = sorted(s.label.lower() for s in TRANSITIONS[self.current])
        options = ", ".join(allowed) if allowed else "nothing: it is final"
        super().__init__(
            f"A referral that is {self.current.label.lower()} cannot become {self.target.label.lower()}. "
            f"From {self.current.label.lower()} it can become: {options}."
        )


def can_transition(current: str, target: str) -> bool:
    return Status(target) in TRANSITIONS[Status(current)]


def check_transition(current: str, target: str) -> None:
    if not can_transition(current, target):
        raise InvalidTransition(current, target)
