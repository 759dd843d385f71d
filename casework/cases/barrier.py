"""Refusing a change that would put one member of staff on both sides of an information barrier.

What the barrier is, and everything it hides, is the access rules' (``casework.access.barrier``);
this is the cases app's refusal, which its services call inside their writing transaction, after
the change, so that a refusal rolls everything back. See docs/adr/0007-information-barrier.md.
"""

from __future__ import annotations

from casework.access.barrier import team_conflicts
from casework.cases.errors import BarrierConflict
from casework.cases.models import Case


def check_case(case: Case, field: str | None = None, *, by=None) -> None:
    """Refuse (``BarrierConflict``) if anyone on ``case``'s team is also on the team of a case
    across a barrier from it. Clinical leads (who allocate) are told who; anyone else only that a
    clinical lead must decide, which says as little as a refusal can."""
    conflicts = team_conflicts(case)
    if not conflicts:
        return
    if by is not None and not by.has_perm("cases.manage_team", case):
        raise BarrierConflict(
            "This change would put a member of the case team on both sides of an information barrier. "
            "Ask a clinical lead to make it.",
            field,
        )
    names = sorted({member.user.full_name for member in conflicts})
    raise BarrierConflict(
        f"{_join(names)} {'is' if len(names) == 1 else 'are'} on the team of a case on the other side of an "
        "information barrier from this one. The same clinician cannot work with both a person who is stalked "
        "and the person who stalks them: choose someone else.",
        field,
    )


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
