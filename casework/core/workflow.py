"""One shape for a state machine: which status may follow which, and the refusal that says why
not. The referrals triage workflow and a case's status use it; so will assessments, reports and
treatment (draft → submitted → signed off, and the like).

    REFERRAL_WORKFLOW = Workflow("referral", Status, {Status.RECEIVED: {Status.SCREENING, …}, …})
    REFERRAL_WORKFLOW.check(referral.status, Status.ACCEPTED)   # raises InvalidTransition
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from casework.core.refusals import Refused


class InvalidTransition(Refused):
    """A move the workflow does not allow; the message names where the record may go instead."""

    def __init__(self, message: str, current: str, target: str, field_name: str | None = None) -> None:
        super().__init__(message, field_name)
        self.current, self.target = current, target


@dataclass(frozen=True)
class Workflow:
    """``moves``: for each status, the statuses that may follow it (a status with none is final)."""

    noun: str
    statuses: type[models.TextChoices]
    # Keyed by status: the TextChoices' members or their values (a Mapping's key type is invariant).
    moves: Mapping[Any, Iterable[str]]
    field_name: str | None = None
    _moves: dict[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_moves", {str(k): frozenset(str(v) for v in vs) for k, vs in self.moves.items()})
        unknown = set(self._moves) - set(self.statuses.values)
        if unknown or any(v not in self.statuses.values for vs in self._moves.values() for v in vs):
            raise ValueError(f"The {self.noun} workflow names statuses that do not exist")

    def next_statuses(self, current: str) -> list[str]:
        """Where a record in ``current`` may go, in the order the statuses are declared."""
        allowed = self._moves.get(str(current), frozenset())
        return [value for value in self.statuses.values if value in allowed]

    def allows(self, current: str, target: str) -> bool:
        return str(target) in self._moves.get(str(current), frozenset())

    def is_final(self, current: str) -> bool:
        return not self._moves.get(str(current))

    def check(self, current: str, target: str) -> None:
        if self.allows(current, target):
            return
        label = dict(self.statuses.choices)
        now = label.get(str(current), str(current)).lower()
        wanted = label.get(str(target), str(target)).lower()
        options = ", ".join(sorted(label[s].lower() for s in self.next_statuses(current))) or "nothing: it is final"
        raise InvalidTransition(
            f"A {self.noun} that is {now} cannot become {wanted}. From {now} it can become: {options}.",
            str(current),
            str(target),
            self.field_name,
        )
