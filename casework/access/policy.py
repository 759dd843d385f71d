"""The questions every page, export, search and service asks: which records may this user see,
and may they read or change this one?

- ``visible(user, Model)`` — the records of a registered type the user may read (their anchor is
  readable: ``scopes``). Every queryset that reaches a user starts here.
- ``relationship(user, obj)`` — NONE, BREAK_GLASS (reading only), RELATED (team, allocation, care
  team, own organisation) or CASELOAD (the role's whole caseload).
- ``can_read(user, obj)`` / ``can_change(user, obj)`` — a break-glass grant reads and never
  changes; changing needs a real relationship. The apps' ``rules`` combine ``can_change`` with
  what each role may do (``access.rules.has_real_relationship``).
- ``is_across_barrier(user, obj)`` — the record sits on the far side of an information barrier
  from the user's side.
- ``get_or_404(request, Model, **lookup)`` — one readable record or 404; an existing record the
  user may not read is logged as a refused attempt (``audit.services.record_refusal``), without
  changing the answer.
"""

from __future__ import annotations

import hashlib
from enum import IntEnum
from typing import TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import F, Model, QuerySet
from django.http import Http404, HttpRequest

from casework.access import barrier, memo, registry, scopes, sealed
from casework.audit.services import record_refusal
from casework.core.roles import Role

M = TypeVar("M", bound=Model)


class Relationship(IntEnum):
    NONE = 0
    BREAK_GLASS = 1
    RELATED = 2
    CASELOAD = 3

    @property
    def reads(self) -> bool:
        return self >= Relationship.BREAK_GLASS

    @property
    def changes(self) -> bool:
        return self >= Relationship.RELATED


def visible(user, model: type[Model]) -> QuerySet:
    """The records of ``model`` that ``user`` may read. Deny by default: an unregistered type
    raises ``registry.NotRegistered``. A sealed person's contact details are among them only for
    their care team and break-glass (``sealed``)."""
    kind = registry.kind_of(model)
    condition = scopes.READABLE[kind.within](user)
    if kind.is_anchor:
        return model._default_manager.filter(condition)
    anchors = registry.anchor_model(kind.within)._default_manager.filter(condition)
    if kind.sealed:
        anchors = anchors.filter(sealed.persons_with_visible_details(user))
    return model._default_manager.filter(**{f"{kind.path}__in": anchors.values("pk")})


def related(user, model: type[Model]) -> QuerySet:
    """The records of ``model`` that ``user`` has a real relationship to (break-glass left out)."""
    kind = registry.kind_of(model)
    condition = scopes.RELATED[kind.within](user)
    if kind.is_anchor:
        return model._default_manager.filter(condition)
    anchors = registry.anchor_model(kind.within)._default_manager.filter(condition)
    if kind.sealed:
        anchors = anchors.filter(sealed.details_open_without_break_glass(user))
    return model._default_manager.filter(**{f"{kind.path}__in": anchors.values("pk")})


def related_fingerprint(user) -> str:
    """A digest of everything beside the data that decides what ``related(user, ...)`` returns, so
    that a result computed from it may be shared only between users for whom it is identical.

    For the caseload roles (coordinator, clinical lead) ``related`` is "everything submitted, less
    what sits across a barrier from the user's side": the role, the cases across the barrier and
    the referrals behind it decide it entirely (``scopes.case_related``, ``scopes.referral_related``).
    Two leads on opposite sides of a barrier exclude different cases, so their digests differ. For
    every other role the user's own relationships (team, allocation, organisation) decide it, so
    the user is part of the digest. Sealed contact details are not covered (who sees them depends
    on the user's care teams, ``sealed``): a result that reads them must not be shared on this
    digest. Worked out from the request's remembered barrier answer
    (``barrier.across_rows``), at no extra query where the page asks it anyway."""
    if not scopes.is_active_user(user):
        return "nothing"
    across = barrier.across_rows(user)
    parts: list[object] = [
        str(user.role),
        sorted(pk for pk, _, _ in across),
        barrier.referrals_behind(user, across),
    ]
    if user.role not in scopes.CASELOAD_ROLES:
        parts += [user.pk, getattr(user, "organisation_id", None)]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


_CACHE = "_access_relationships"


def relationship(user, obj: Model | None) -> Relationship:
    """How ``user`` stands to ``obj`` (any registered record: decided on its anchor). Cached on the
    anchor object for the rest of the request, so a page asking many permissions asks once."""
    if obj is None or obj.pk is None or not scopes.is_active_user(user):
        return Relationship.NONE
    kind = registry.kind_of(obj)
    anchor = kind.anchor_of(obj)
    if anchor is None:
        return Relationship.NONE
    cache = anchor.__dict__.setdefault(_CACHE, {})
    key = (user.pk, kind.sealed)
    if key in cache:
        return cache[key]
    answer = _relationship_to_anchor(user, anchor, cache)
    # Only records within a person are sealed (``registry.register``), so the anchor is a person.
    if (
        kind.sealed
        and answer
        and cast(registry.PersonRecord, anchor).is_sealed
        and not sealed.is_on_care_team(user, anchor)
    ):
        # A sealed person's details: break-glass reads them; nothing else opens them.
        granted = bool(sealed.sealed_details_visible_ids(user, [anchor.pk]))
        answer = Relationship.BREAK_GLASS if granted else Relationship.NONE
    cache[key] = answer
    return answer


def _relationship_to_anchor(user, anchor: Model, cache: dict) -> Relationship:
    key = (user.pk, False)
    if key in cache:
        return cache[key]
    anchor_kind = registry.kind_of(anchor)
    rows = anchor_kind.model._default_manager.filter(pk=anchor.pk)
    side = scopes.Side(user)
    if rows.filter(scopes.RELATED[anchor_kind.within](user, side)).exists():
        answer = Relationship.CASELOAD if user.role in scopes.CASELOAD_ROLES else Relationship.RELATED
    elif rows.filter(scopes.READABLE[anchor_kind.within](user, side)).exists():
        answer = Relationship.BREAK_GLASS
    else:
        answer = Relationship.NONE
    cache[key] = answer
    return answer


def forget(obj: Model) -> None:
    """Drop cached relationships (after a change of team, allocation or grant in the same request)."""
    memo.forget()
    kind = registry.kind_of(obj)
    anchor = kind.anchor_of(obj)
    if anchor is not None:
        anchor.__dict__.pop(_CACHE, None)


def can_read(user, obj: Model | None) -> bool:
    return relationship(user, obj).reads


def can_change(user, obj: Model | None) -> bool:
    """A real relationship: never by break-glass alone."""
    return relationship(user, obj).changes


def require_read(user, obj: Model | None) -> None:
    """``PermissionDenied`` unless ``user`` may read ``obj`` (for services that hand out a record)."""
    if not can_read(user, obj):
        raise PermissionDenied


def is_across_barrier(user, obj: Model | None) -> bool:
    """Whether ``obj`` (any registered record) sits across an information barrier from the user's
    side: a victim's case, person record or referral seen from her stalker's case, or the reverse."""
    if obj is None or obj.pk is None or not scopes.is_active_user(user):
        return False
    kind = registry.kind_of(obj)
    anchor = kind.anchor_of(obj)
    if anchor is None:
        return False
    if kind.within == registry.CASE:
        return anchor.pk in barrier.across_ids(user)
    if kind.within == registry.PERSON:
        return anchor.pk in barrier.persons_behind_barrier_for(user)
    return anchor.pk in barrier.referrals_behind_barrier_for(user)


def get_or_404(request: HttpRequest, model: type[M], *, queryset: QuerySet | None = None, **lookup) -> M:
    """The one record matching ``lookup`` among those the user may read (``queryset`` narrows or
    decorates ``visible(user, model)``; it must not widen it), or 404. A 404 for a record that
    exists is logged as a refused attempt."""
    rows = visible(request.user, model) if queryset is None else queryset
    obj = rows.filter(**lookup).first() if lookup else None
    if obj is None:
        note_refusal(request, model, **lookup)
        raise Http404("No such record")
    return obj


def note_refusal(request: HttpRequest, model: type[Model], **lookup) -> None:
    """Log a refused request for an existing record of ``model`` (no-op if none matches)."""
    if not lookup or not scopes.is_active_user(request.user):
        return
    hidden = registry.kind_of(model).model._default_manager.filter(**lookup).first()
    if hidden is not None:
        record_refusal(request, obj=hidden, across_barrier=is_across_barrier(request.user, hidden))


def persons_linked_to(user, referral) -> list:
    """A referral's links to the persons ``user`` may see (subject first, then the named parties in
    order), with the person and the party loaded; a person the user may not see is not listed."""
    Link = registry.people().referral_link
    return list(
        visible(user, Link)
        .filter(referral=referral)
        .select_related("person", "named_party")
        .order_by(F("named_party_id").asc(nulls_first=True), "id")
    )


def may_break_glass_role(user) -> bool:
    return scopes.is_active_user(user) and user.role in (Role.CLINICIAN, Role.CLINICAL_LEAD)
