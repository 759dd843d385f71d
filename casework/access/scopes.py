"""Who may see which case, person and referral: the one definition (deny by default).

Each anchor has two conditions, both filters on its own table:

- **related**: the user has a legitimate relationship to the record — the role sees the whole
  caseload, or the user is on the case team, allocated to the referral, on the person's care team.
  A related user reads the record, and may change it as far as their role's rules allow.
- **readable**: related, *or* the user holds an active break-glass grant that opens it. A grant
  gives reading only: nothing here lets a grant holder change anything (``policy.can_change``).

Who is related, by role:

| role | cases | persons | referrals |
|---|---|---|---|
| referrals coordinator | every case (administration only: cases' rules) | every person | every submitted referral |
| clinical lead | every case | every person | every submitted referral |
| clinician | cases they are on the team of | persons linked to a referral they are related to, on their care team, or the subject or a party of a case they are on the team of | referrals allocated to them, or held by a case they are on the team of |
| agency referrer | none | none | their organisation's submitted referrals and their own drafts |
| finance, researcher, system administrator | none | none | none |

In every row, records on the far side of an information barrier from the user's side
(``barrier``) are not related, whatever the role: a clinical lead on the stalker's case team does
not see the victim's case, her person record or her referral; an agency referrer does not see
referrals of their organisation that sit across a barrier from a referral they sent.

Break-glass opens a record for reading: the record itself, and for a case or referral also what
hangs off it (a grant on a case shows its referrals and its subject's person record, read-only).
"""

from __future__ import annotations

from functools import cached_property

from django.db.models import Exists, OuterRef, Q, QuerySet

from casework.access import barrier, grants, memo, registry
from casework.access.vocabulary import DRAFT_REFERRAL, VICTIM_CASE
from casework.core.roles import Role

CASELOAD_ROLES = (Role.REFERRALS_COORDINATOR, Role.CLINICAL_LEAD)
NOTHING = Q(pk__in=[])
# Every row, as a condition that survives ``|`` (``Q() | other`` is just ``other``).
EVERYTHING = Q(pk__isnull=False)


def is_active_user(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _outside(ids: list[int] | QuerySet) -> Q:
    """Rows whose pk is not among ``ids`` (a list, or a subquery; every row when the list is empty)."""
    if isinstance(ids, list) and not ids:
        return EVERYTHING
    return ~Q(pk__in=ids)


class Side:
    """What stands across a barrier from ``user``'s side, worked out at most once per question
    and, within a request, once for the whole request (``barrier`` remembers it: ``memo``). Each
    list costs one query when first asked, and is usually empty."""

    def __init__(self, user) -> None:
        self.user = user

    @cached_property
    def _across(self) -> list[tuple[int, str, int]]:
        return barrier.across_rows(self.user)

    @cached_property
    def cases(self) -> list[int] | QuerySet:
        """Within a request, the ids (worked out once for the whole request); outside one, a
        subquery, which costs no query of its own."""
        if memo.active():
            return [pk for pk, _, _ in self._across]
        return barrier.cases_across_barrier_for(self.user).values("pk")

    @cached_property
    def persons(self) -> list[int]:
        return [subject for _, kind, subject in self._across if kind == VICTIM_CASE]

    @cached_property
    def referrals(self) -> list[int]:
        return barrier.referrals_behind(self.user, self._across)


def _grant_opens(user, label: str, outside: Q) -> Q:
    """Records ``user`` holds an active grant on. A clinician's grant never opens a record across a
    barrier from their side (one they broke glass into before the barrier appeared stays shut);
    a clinical lead's does, because only a lead may break glass across one, knowingly."""
    granted = Q(grants.grant_exists(user, label))
    return granted if user.role == Role.CLINICAL_LEAD else granted & outside


def _may_break_glass(user) -> bool:
    return is_active_user(user) and user.role in (Role.CLINICIAN, Role.CLINICAL_LEAD)


def _lead_sees_all_of(user, across: list[int] | QuerySet) -> bool:
    """Whether ``user`` is a clinical lead with nothing of the kind across a barrier from them (known,
    within a request: an empty list). Their related records are then every record of the kind (every
    submitted referral, every current person), so what a grant opens adds none and the condition is
    left out of the query: it cost every scoped query of a lead's page a subquery or two to build and
    to plan (issue 19)."""
    return user.role == Role.CLINICAL_LEAD and isinstance(across, list) and not across


# --- Cases ----------------------------------------------------------------------------------------


def case_related(user, side: Side | None = None) -> Q:
    if not is_active_user(user):
        return NOTHING
    side = side or Side(user)
    not_across = _outside(side.cases)
    if user.role in CASELOAD_ROLES:
        # (Coordinators join no team, so for them nothing is ever across a barrier.)
        return not_across
    if user.role == Role.CLINICIAN:
        return Q(Exists(registry.cases().team._default_manager.filter(case=OuterRef("pk"), user=user))) & not_across
    return NOTHING


def _granted_case_ids(user, side: Side) -> QuerySet:
    """The cases a grant opens for ``user`` (as ``case_readable`` decides), as a subquery."""
    Case = registry.cases().case
    return Case._default_manager.filter(_grant_opens(user, grants.label_of(Case), _outside(side.cases))).values("pk")


def case_readable(user, side: Side | None = None) -> Q:
    side = side or Side(user)
    related = case_related(user, side)
    if not _may_break_glass(user) or _lead_sees_all_of(user, side.cases):
        return related
    return related | _grant_opens(user, grants.label_of(registry.cases().case), _outside(side.cases))


def cases_related_to(user) -> QuerySet:
    return registry.cases().case._default_manager.filter(case_related(user))


def cases_readable_by(user) -> QuerySet:
    return registry.cases().case._default_manager.filter(case_readable(user))


# --- Referrals ------------------------------------------------------------------------------------


def referral_related(user, side: Side | None = None) -> Q:
    if not is_active_user(user):
        return NOTHING
    side = side or Side(user)
    not_behind = _outside(side.referrals)
    submitted = ~Q(status=DRAFT_REFERRAL)
    if user.role in CASELOAD_ROLES:
        return submitted & not_behind
    if user.role == Role.CLINICIAN:
        in_team_case = Q(pk__in=_referrals_held_by(barrier.team_case_ids(user)))
        allocated = Q(lead_clinician=user) | Q(second_assessor=user)
        return submitted & (allocated | in_team_case) & not_behind
    if user.role == Role.AGENCY_REFERRER and user.organisation_id:
        # What they sent (and their own drafts) always; the rest of their organisation's submitted
        # referrals unless one sits across a barrier from something they sent.
        return Q(created_by=user) | (Q(referring_organisation_id=user.organisation_id) & submitted & not_behind)
    return NOTHING


def _referrals_held_by(case_ids: QuerySet) -> QuerySet:
    """The referrals the cases of ``case_ids`` hold, as a subquery of the referral's own key: where
    the condition followed the link from the referral (``case_link__case__in``), every scoped query
    joined the links and PostgreSQL walked every referral through that join to test it (issue 19)."""
    return registry.cases().referral_link._default_manager.filter(case__in=case_ids).values("referral_id")


def _granted_referral_ids(user, side: Side) -> QuerySet:
    Referral = registry.referrals().referral
    return Referral._default_manager.filter(
        _grant_opens(user, grants.label_of(Referral), _outside(side.referrals))
    ).values("pk")


def referral_readable(user, side: Side | None = None) -> Q:
    side = side or Side(user)
    related = referral_related(user, side)
    if not _may_break_glass(user) or _lead_sees_all_of(user, side.referrals):
        return related
    opened = Q(pk__in=_granted_referral_ids(user, side)) | Q(pk__in=_referrals_held_by(_granted_case_ids(user, side)))
    return related | (~Q(status=DRAFT_REFERRAL) & opened)


def referrals_related_to(user) -> QuerySet:
    return registry.referrals().referral._default_manager.filter(referral_related(user))


def referrals_readable_by(user) -> QuerySet:
    return registry.referrals().referral._default_manager.filter(referral_readable(user))


# --- Persons --------------------------------------------------------------------------------------


def person_related(user, side: Side | None = None) -> Q:
    if not is_active_user(user):
        return NOTHING
    side = side or Side(user)
    not_behind = _outside(side.persons)
    current = Q(merged_into__isnull=True)
    if user.role in CASELOAD_ROLES:
        return current & not_behind
    if user.role == Role.CLINICIAN:
        people, cases = registry.people(), registry.cases()
        team_cases = barrier.team_case_ids(user)
        related_referrals = (
            registry.referrals().referral._default_manager.filter(referral_related(user, side)).values("pk")
        )
        linked = Exists(
            people.referral_link._default_manager.filter(person=OuterRef("pk"), referral__in=related_referrals)
        )
        on_care_team = Exists(people.care_team._default_manager.filter(person=OuterRef("pk"), user=user))
        subject_of_team_case = Exists(cases.case._default_manager.filter(subject=OuterRef("pk"), pk__in=team_cases))
        party_of_team_case = Exists(cases.party._default_manager.filter(person=OuterRef("pk"), case__in=team_cases))
        return current & (Q(linked) | Q(on_care_team) | Q(subject_of_team_case) | Q(party_of_team_case)) & not_behind
    return NOTHING


def person_readable(user, side: Side | None = None) -> Q:
    side = side or Side(user)
    related = person_related(user, side)
    # (Not simplified for a lead as cases and referrals are: the person list's name search is planned
    # around this condition's shape, and with the plain one the planner reads every current person
    # through the "not merged" index rather than the trigram indexes: people/tests/test_name_search.)
    if not _may_break_glass(user):
        return related
    people, cases = registry.people(), registry.cases()
    granted = _grant_opens(user, grants.label_of(people.person), _outside(side.persons))
    # The subject of a case or referral opened by break-glass (not its other parties: a victim named
    # in her stalker's case is shown there by the name as given, never by her person record).
    in_granted = Q(
        Exists(cases.case._default_manager.filter(subject=OuterRef("pk"), pk__in=_granted_case_ids(user, side)))
    ) | Q(
        Exists(
            people.referral_link._default_manager.filter(
                person=OuterRef("pk"),
                referral__in=_granted_referral_ids(user, side),
                named_party=None,
            )
        )
    )
    return related | (Q(merged_into__isnull=True) & (granted | in_granted))


def persons_related_to(user) -> QuerySet:
    return registry.people().person._default_manager.filter(person_related(user))


def persons_readable_by(user) -> QuerySet:
    return registry.people().person._default_manager.filter(person_readable(user))


RELATED = {registry.CASE: case_related, registry.PERSON: person_related, registry.REFERRAL: referral_related}
READABLE = {registry.CASE: case_readable, registry.PERSON: person_readable, registry.REFERRAL: referral_readable}
