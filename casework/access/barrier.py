"""The information barrier between a victim case and the case of the person who stalks them.

When the person stalked in a perpetrator case (or a consultation) is also a client of the clinic
(a victim case exists for the same person), the two cases sit either side of a barrier:

- nothing from the victim case, and none of the victim's sealed details, reaches the perpetrator
  side: not the case, not her person record, not her referral, not what the audit trail recorded
  about them (``scopes``, ``review``);
- the same member of staff cannot be on both case teams (``team_conflicts``, which the case
  services call inside their writing transaction);
- a user on one side's team opens the other side only by break-glass, which only a clinical lead
  may use across the barrier, which grants reading only, and which alerts someone independent and
  the victim case's lead clinician (``breakglass``).

The pair is found in both directions: the victim case's subject is a victim party of the other
case, or the other case's subject is the "person who stalks" party of the victim case. Nothing is
stored: the barrier exists the moment either side records the link. Who is "on a side" is decided
by case-team membership, and for an agency referrer by the referrals they sent. See
docs/adr/0007-information-barrier.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from casework.access import memo, registry
from casework.access.vocabulary import (
    LEAD_CLINICIAN,
    NOT_VICTIM_CASES,
    REFERRAL_ABOUT_VICTIM,
    STALKER_PARTY,
    VICTIM_CASE,
    VICTIM_PARTY,
)
from casework.core.roles import Role


def cases_across_barrier_from(case_ids) -> QuerySet:
    """Cases on the other side of an information barrier from any of ``case_ids`` (a list or a
    ``values("pk")`` subquery). One query when evaluated."""
    models = registry.cases()
    Case, Party = models.case, models.party
    mine = Case._default_manager.filter(pk__in=case_ids)
    # Victims in my perpetrator cases and consultations, and the people who stalk in my victim cases.
    my_victims = Party._default_manager.filter(
        case__in=mine.filter(kind__in=NOT_VICTIM_CASES), role=VICTIM_PARTY
    ).values("person_id")
    my_stalkers = Party._default_manager.filter(case__in=mine.filter(kind=VICTIM_CASE), role=STALKER_PARTY).values(
        "person_id"
    )
    my_perpetrator_subjects = mine.filter(kind__in=NOT_VICTIM_CASES).values("subject_id")
    my_victim_subjects = mine.filter(kind=VICTIM_CASE).values("subject_id")
    victim_side = Q(kind=VICTIM_CASE) & (
        Q(subject_id__in=my_victims)
        | Q(
            pk__in=Party._default_manager.filter(role=STALKER_PARTY, person_id__in=my_perpetrator_subjects).values(
                "case_id"
            )
        )
    )
    perpetrator_side = Q(kind__in=NOT_VICTIM_CASES) & (
        Q(pk__in=Party._default_manager.filter(role=VICTIM_PARTY, person_id__in=my_victim_subjects).values("case_id"))
        | Q(subject_id__in=my_stalkers)
    )
    return Case._default_manager.filter(victim_side | perpetrator_side)


def staff_across_barrier_from_referral(referral) -> set[int]:
    """Staff on the team of a case that would sit across a barrier from the case ``referral`` would
    open, so that allocation offers them no choice (opening the case would refuse them anyway:
    ``team_conflicts``). For a referral about the person who stalks: the teams of the victim cases of
    the victims it names (as linked to the person index), and of the victim cases naming its subject as
    the person who stalks them. For a referral about a person stalked: the teams of the cases that
    name its subject as a victim. Two queries."""
    person_links = registry.people().referral_link._default_manager
    models = registry.cases()
    Case, Party = models.case, models.party
    subjects = person_links.filter(referral=referral, named_party__isnull=True).values("person_id")
    if referral.subject_role == REFERRAL_ABOUT_VICTIM:
        other_side = Case._default_manager.filter(
            kind__in=NOT_VICTIM_CASES,
            pk__in=Party._default_manager.filter(role=VICTIM_PARTY, person_id__in=subjects).values("case_id"),
        )
    else:
        victims = person_links.filter(referral=referral, named_party__role=VICTIM_PARTY).values("person_id")
        other_side = Case._default_manager.filter(kind=VICTIM_CASE).filter(
            Q(subject_id__in=victims)
            | Q(pk__in=Party._default_manager.filter(role=STALKER_PARTY, person_id__in=subjects).values("case_id"))
        )
    return set(models.team._default_manager.filter(case__in=other_side).values_list("user_id", flat=True))


def team_case_ids(user) -> QuerySet:
    """The cases ``user`` is on the team of, as a subquery."""
    return registry.cases().team._default_manager.filter(user=user).values("case_id")


def own_side_case_ids(user) -> QuerySet:
    """The cases whose side of any barrier ``user`` stands on: for staff, the cases they are on the
    team of; for an agency referrer, the cases that hold referrals they sent."""
    if getattr(user, "role", None) == Role.AGENCY_REFERRER:
        return registry.cases().referral_link._default_manager.filter(referral__created_by=user).values("case_id")
    return team_case_ids(user)


def cases_across_barrier_for(user) -> QuerySet:
    """Cases on the other side of a barrier from a case ``user`` stands beside."""
    return cases_across_barrier_from(own_side_case_ids(user))


def across_rows(user) -> list[tuple[int, str, int]]:
    """(id, kind, subject id) of the cases across a barrier from the user's side: one query, once
    per request (``memo``), usually an empty list.

    The scoped queries nest each other; evaluating the barrier here, rather than nesting it as one
    more subquery, keeps the SQL within SQLite's parser depth, and lets every question a page asks
    reuse the one answer."""
    if not getattr(user, "is_authenticated", False):
        return []
    return memo.remembered(
        ("across", user.pk),
        lambda: list(cases_across_barrier_for(user).order_by().values_list("pk", "kind", "subject_id")),
    )


def across_ids(user) -> list[int]:
    """The ids of ``cases_across_barrier_for(user)``, evaluated (at most one query per request)."""
    return [pk for pk, _, _ in across_rows(user)]


def victim_case_ids_across(user) -> list[tuple[int, int]]:
    """(case id, subject id) of the victim cases across a barrier from the user's side."""
    return [(pk, subject) for pk, kind, subject in across_rows(user) if kind == VICTIM_CASE]


def persons_behind_barrier_for(user) -> list[int]:
    """Persons ``user`` must not see beyond what their own case needs: the subjects of victim cases
    across a barrier from the user's cases."""
    return [subject for _, subject in victim_case_ids_across(user)]


def referrals_behind_barrier_for(user) -> list[int]:
    """Referrals on the far side of a barrier from the user's side: the referrals of the cases
    across it, and any referral whose subject is a victim across it."""
    return referrals_behind(user, across_rows(user))


def referrals_behind(user, across: list[tuple[int, str, int]]) -> list[int]:
    """``referrals_behind_barrier_for`` given ``across_rows(user)`` (at most two queries, once per request)."""
    if not across:
        return []
    return list(memo.remembered(("referrals behind", user.pk), lambda: _referrals_behind(across)))


def _referrals_behind(across: list[tuple[int, str, int]]) -> list[int]:
    victims = [subject for _, kind, subject in across if kind == VICTIM_CASE]
    ids = set(
        registry.cases()
        .referral_link._default_manager.filter(case_id__in=[pk for pk, _, _ in across])
        .values_list("referral_id", flat=True)
    )
    if victims:
        ids |= set(
            registry.people()
            .referral_link._default_manager.filter(named_party__isnull=True, person_id__in=victims)
            .values_list("referral_id", flat=True)
        )
    return sorted(ids)


def victim_clients(person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, those who are the subject of a victim case (one query). On a perpetrator
    case page, these are shown by the name as given and the relationship, and never linked."""
    ids = [pk for pk in person_ids if pk is not None]
    if not ids:
        return set()
    Case = registry.cases().case
    return set(Case._default_manager.filter(kind=VICTIM_CASE, subject_id__in=ids).values_list("subject_id", flat=True))


def team_conflicts(case) -> list:
    """Members of ``case``'s team who are also on the team of a case across a barrier from it
    (their team rows on the far side, with the user loaded), sorted by name. Empty when none."""
    models = registry.cases()
    across = cases_across_barrier_from([case.pk]).values("pk")
    return list(
        models.team._default_manager.filter(
            case_id__in=across, user__in=models.team._default_manager.filter(case=case).values("user")
        )
        .select_related("user")
        .order_by("user__full_name", "user_id")
    )


def lead_clinicians_of(case_ids: Iterable[int]) -> list:
    """The lead clinicians (users) of the given cases."""
    ids = list(case_ids)
    if not ids:
        return []
    # The cases app's team model (fields ``CaseModels`` documents), which this package cannot import.
    rows: QuerySet[Any] = (
        registry.cases().team._default_manager.filter(case_id__in=ids, role=LEAD_CLINICIAN).select_related("user")
    )
    return [row.user for row in rows]
