"""The information barrier between a victim case and the case of the person who stalks them.

When the person stalked in a perpetrator case (or a consultation) is also a client of the clinic
(a victim case exists for the same person), the two cases sit either side of a barrier:

- nothing from the victim case, and none of the victim's sealed details, reaches the perpetrator
  side. Case pages on that side show the victim only by the name the referral gave and the
  relationship (``CaseParty.name_as_given``), never the person record (which may hold a new
  identity) and never a link to it;
- the same member of staff cannot be on both case teams: opening a case, adding to a team, adding
  a party and adding a referral's work are refused with the reason (``BarrierConflict``);
- a user on one side's team opens the other side only by break-glass, which only a clinical lead
  may use across the barrier, and which alerts the other clinical leads.

The pair is found in both directions: the victim case's subject is a victim party of the other
case, or the other case's subject is the "person who stalks" party of the victim case. See
docs/adr/0007-information-barrier.md.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from casework.cases.choices import CaseKind, PartyRole
from casework.cases.errors import BarrierConflict
from casework.cases.models import Case, CaseParty, CaseTeamMember

NOT_VICTIM = (CaseKind.PERPETRATOR, CaseKind.CONSULTATION)


def cases_across_barrier_from(case_ids) -> QuerySet[Case]:
    """Cases on the other side of an information barrier from any of ``case_ids`` (a list or a
    ``values("pk")`` subquery). One query when evaluated."""
    mine = Case.objects.filter(pk__in=case_ids)
    # Victims in my perpetrator cases and consultations, and the people who stalk in my victim cases.
    my_victims = CaseParty.objects.filter(
        case__in=mine.filter(kind__in=NOT_VICTIM), role=PartyRole.VICTIM
    ).values("person_id")
    my_stalkers = CaseParty.objects.filter(
        case__in=mine.filter(kind=CaseKind.VICTIM), role=PartyRole.PERSON_WHO_STALKS
    ).values("person_id")
    my_perpetrator_subjects = mine.filter(kind__in=NOT_VICTIM).values("subject_id")
    my_victim_subjects = mine.filter(kind=CaseKind.VICTIM).values("subject_id")
    victim_side = Q(kind=CaseKind.VICTIM) & (
        Q(subject_id__in=my_victims)
        | Q(pk__in=CaseParty.objects.filter(
            role=PartyRole.PERSON_WHO_STALKS, person_id__in=my_perpetrator_subjects
        ).values("case_id"))
    )
    perpetrator_side = Q(kind__in=NOT_VICTIM) & (
        Q(pk__in=CaseParty.objects.filter(role=PartyRole.VICTIM, person_id__in=my_victim_subjects).values("case_id"))
        | Q(subject_id__in=my_stalkers)
    )
    return Case.objects.filter(victim_side | perpetrator_side)


def team_case_ids(user) -> QuerySet:
    """The cases ``user`` is on the team of, as a subquery."""
    return CaseTeamMember.objects.filter(user=user).values("case_id")


def cases_across_barrier_for(user) -> QuerySet[Case]:
    """Cases on the other side of a barrier from a case ``user`` is on the team of."""
    return cases_across_barrier_from(team_case_ids(user))


def is_across_barrier(user, case: Case) -> bool:
    """Whether ``case`` is on the other side of a barrier from work ``user`` is doing."""
    if case is None or not getattr(user, "is_authenticated", False):
        return False
    return cases_across_barrier_for(user).filter(pk=case.pk).exists()


def persons_behind_barrier_for(user) -> QuerySet:
    """Persons ``user`` must not see beyond what their own case needs: the subjects of victim cases
    across a barrier from the user's cases (a ``values`` subquery of person ids)."""
    return cases_across_barrier_for(user).filter(kind=CaseKind.VICTIM).values_list("subject_id", flat=True)


def victim_clients(person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, those who are the subject of a victim case (one query). On a perpetrator
    case page, these are shown by the name as given and the relationship, and never linked."""
    ids = [pk for pk in person_ids if pk is not None]
    if not ids:
        return set()
    return set(
        Case.objects.filter(kind=CaseKind.VICTIM, subject_id__in=ids).values_list("subject_id", flat=True)
    )


def check_case(case: Case, field: str | None = None, *, by=None) -> None:
    """Refuse (``BarrierConflict``) if anyone on ``case``'s team is also on the team of a case
    across a barrier from it. Called inside the writing transaction, after the change, so that a
    refusal rolls everything back. Clinical leads (who allocate) are told who; anyone else only
    that a clinical lead must decide, which says as little as a refusal can."""
    across = cases_across_barrier_from([case.pk]).values("pk")
    conflicts = list(
        CaseTeamMember.objects.filter(case_id__in=across, user__in=CaseTeamMember.objects.filter(case=case).values("user"))
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )
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
