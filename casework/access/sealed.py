"""Sealed details: a sealed person's addresses, telephone numbers, email addresses, online
identifiers and workplace.

Seeing the person at all is ``scopes``' question. Their sealed details are shown only to members of
their care team (a victim case's team is its subject's care team: the cases app keeps the two the
same) and to whoever holds an active break-glass grant on the person. Not to clinical leads as
such (docs/adr/0006): a lead who is not on the team uses break-glass, which is audited and alerted.
An unsealed person's details follow the person.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from casework.access import barrier, grants, registry
from casework.access.scopes import is_active_user


def sealed_details_visible_ids(user, person_ids: Iterable[int]) -> set[int]:
    """Of ``person_ids``, the sealed persons whose details ``user`` may see (two queries at most)."""
    ids = list(person_ids)
    if not ids or not is_active_user(user):
        return set()
    people = registry.people()
    visible = set(
        people.care_team._default_manager.filter(user=user, person_id__in=ids).values_list("person_id", flat=True)
    )
    visible |= grants.granted_ids(user, grants.label_of(people.person), ids)
    return visible


def can_see_sealed_details(user, person) -> bool:
    """Whether ``user`` may see this person's contact details, addresses, online identifiers and
    workplace: always for a person who is not sealed; for a sealed person, only their care team and
    break-glass."""
    if person is None or not is_active_user(user):
        return False
    if not person.is_sealed:
        return True
    return bool(sealed_details_visible_ids(user, [person.pk]))


def persons_with_visible_details(user) -> Q:
    """A filter on persons: those whose contact details ``user`` may see (for look-ups by contact
    detail, so that a search by a sealed person's telephone number is no oracle)."""
    people = registry.people()
    on_team = people.care_team._default_manager.filter(person=OuterRef("pk"), user=user)
    return Q(is_sealed=False) | Q(Exists(on_team)) | Q(grants.grant_exists(user, grants.label_of(people.person)))


def details_open_without_break_glass(user) -> Q:
    """A filter on persons: those whose contact details ``user`` sees without break-glass (for
    changing them: a grant reads and never changes)."""
    on_team = registry.people().care_team._default_manager.filter(person=OuterRef("pk"), user=user)
    return Q(is_sealed=False) | Q(Exists(on_team))


def is_on_care_team(user, person) -> bool:
    if person is None or not is_active_user(user):
        return False
    return registry.people().care_team._default_manager.filter(person=person, user=user).exists()


def withheld_party_ids(user, referral) -> set[int]:
    """The referral's named parties whose free-text details ``user`` must not read: those linked to
    a sealed person whose details the user may not see, or to a person behind an information
    barrier from the user's cases. (The name as given and the relationship stay visible.)"""
    links = list(
        registry.people()
        .referral_link._default_manager.filter(referral=referral, named_party__isnull=False)
        .values_list("named_party_id", "person_id", "person__is_sealed")
    )
    if not links:
        return set()
    behind = set(barrier.persons_behind_barrier_for(user))
    sealed = [person for _, person, is_sealed in links if is_sealed]
    visible_sealed = sealed_details_visible_ids(user, sealed) if sealed else set()
    return {
        party for party, person, is_sealed in links if person in behind or (is_sealed and person not in visible_sealed)
    }
