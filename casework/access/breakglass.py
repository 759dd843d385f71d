"""Break-glass: opening a record one has no relationship to, in an emergency, with a written reason.

The rules, all here:

- only clinicians and clinical leads may ask;
- a grant lasts ``CASEWORK_BREAK_GLASS_HOURS`` and opens the record **for reading only**: no page,
  service or rule lets a grant holder add, change, allocate or change a team (``policy.can_change``);
- across an information barrier only a clinical lead may ask; for a clinician a record across the
  barrier answers 404 like one that does not exist, break-glass page included (``target``);
- every grant alerts someone independent of the person using it: the other active clinical leads
  who may review the record, or, when there is none, the Caldicott guardian (an account a system administrator names). A grant
  across a barrier also tells the lead clinician of the victim's case. When nobody independent can
  be alerted the grant is refused (``BreakGlassRefused``);
- the grant, its audit event and the alerts are one transaction; the emails go once it commits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Generic, TypeVar, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, Q
from django.http import HttpRequest
from django.utils import timezone

from casework.access import barrier, policy, registry, sealed
from casework.access.tasks import email_break_glass_alert
from casework.access.vocabulary import DRAFT_REFERRAL, VICTIM_CASE
from casework.accounts.models import User
from casework.audit.models import Action, Alert, BreakGlassGrant
from casework.audit.services import label_of, object_type_of, record
from casework.core.refusals import Refused
from casework.core.roles import Role

M = TypeVar("M", bound=Model)

REASON_MIN_LENGTH = 20
ALERT_KIND = "break_glass"


class BreakGlassRefused(Refused):
    """Break-glass the rules refuse (``casework.core.refusals``); the message is written for the
    person asking."""


@dataclass(frozen=True)
class Target(Generic[M]):
    """A record the user may ask to open by break-glass."""

    obj: M
    crosses_barrier: bool


def _candidates(kind: registry.Kind):
    model = kind.model
    if kind.within == registry.REFERRAL:
        return model._default_manager.exclude(status=DRAFT_REFERRAL)
    if kind.within == registry.PERSON:
        return model._default_manager.filter(merged_into__isnull=True)
    return model._default_manager.all()


def target(user, model: type[M], **lookup) -> Target[M] | None:
    """The record matching ``lookup`` that ``user`` may ask to open with break-glass, or None (the
    caller answers 404, which says nothing about whether the record exists).

    Cases and referrals: any the user cannot read. Persons: a sealed person the user can see but
    whose sealed details they may not, or (for a clinical lead) a person behind a barrier.
    Across a barrier: clinical leads only."""
    if not policy.may_break_glass_role(user):
        return None
    kind = registry.kind_of(model)
    if not kind.is_anchor:
        return None
    obj = _candidates(kind).filter(**lookup).first()
    if obj is None:
        return None
    across = policy.is_across_barrier(user, obj)
    if across and user.role != Role.CLINICAL_LEAD:
        return None
    if kind.within == registry.PERSON and not across:
        if not policy.can_read(user, obj) or not obj.is_sealed:
            return None
    return Target(obj=obj, crosses_barrier=across)


def is_needed(user, obj: Model) -> bool:
    """The user cannot already read ``obj`` (for a person: their sealed details)."""
    if registry.kind_of(obj).within == registry.PERSON:
        return not (policy.can_read(user, obj) and sealed.can_see_sealed_details(user, obj))
    return not policy.can_read(user, obj)


def oversight_recipients(user, obj: Model) -> list[User]:
    """Who is told of a break-glass by ``user`` on ``obj``: the other active clinical leads who may
    review the record (not those on the far side of a barrier from it, whose review pages hide it),
    or the active Caldicott guardians when there is no such lead."""
    leads = [
        lead
        for lead in User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).exclude(pk=user.pk)
        if not policy.is_across_barrier(lead, obj)
    ]
    if leads:
        return leads
    return list(User.objects.filter(is_caldicott_guardian=True, is_active=True).exclude(pk=user.pk))


def victim_case_leads(user, obj: Model) -> list[User]:
    """The lead clinicians of the victim cases a cross-barrier break-glass on ``obj`` reaches."""
    kind = registry.kind_of(obj)
    anchor = kind.anchor_of(obj)
    # ``target`` offers break-glass on anchors only, and an anchor is its own anchor.
    assert anchor is not None
    cases = registry.cases()
    Case = cases.case
    if kind.within == registry.CASE:
        ids = (
            [anchor.pk]
            if cast(registry.CaseRecord, anchor).kind == VICTIM_CASE
            else list(
                barrier.cases_across_barrier_from([anchor.pk]).filter(kind=VICTIM_CASE).values_list("pk", flat=True)
            )
        )
    elif kind.within == registry.PERSON:
        ids = list(Case._default_manager.filter(kind=VICTIM_CASE, subject=anchor).values_list("pk", flat=True))
    else:
        subjects = (
            registry.people()
            .referral_link._default_manager.filter(referral=anchor, named_party__isnull=True)
            .values("person_id")
        )
        holding = cases.referral_link._default_manager.filter(referral=anchor).values("case_id")
        ids = list(
            Case._default_manager.filter(kind=VICTIM_CASE)
            .filter(Q(pk__in=holding) | Q(subject_id__in=subjects))
            .values_list("pk", flat=True)
        )
    return [lead for lead in barrier.lead_clinicians_of(ids) if lead.pk != user.pk and lead.is_active]


def open_grant(*, user, obj: Model, reason: str, request: HttpRequest | None = None) -> BreakGlassGrant:
    """Grant ``user`` time-limited reading of ``obj``, audit it and alert someone independent.

    Refuses (``PermissionDenied``) anyone who may not use break-glass on ``obj`` at all, and
    (``BreakGlassRefused``) when nobody independent can be alerted; ``ValueError`` for a reason
    shorter than ``REASON_MIN_LENGTH`` characters."""
    kind = registry.kind_of(obj)
    found = target(user, kind.model, pk=obj.pk)
    if found is None:
        raise PermissionDenied("Break-glass is not available for this record")
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise ValueError(f"Give a reason of at least {REASON_MIN_LENGTH} characters")
    oversight = oversight_recipients(user, found.obj)
    if not oversight:
        raise BreakGlassRefused(
            "Break-glass needs someone independent of you to be told, and there is no other clinical lead or "
            "Caldicott guardian with an account. Ask a system administrator to name a Caldicott guardian."
        )
    extra = victim_case_leads(user, found.obj) if found.crosses_barrier else []
    recipients = {person.pk: person for person in [*oversight, *extra]}
    now = timezone.now()
    with transaction.atomic():
        grant = BreakGlassGrant.objects.create(
            user=user,
            object_type=object_type_of(obj),
            object_id=str(obj.pk),
            object_label=label_of(obj)[:200],
            reason=reason,
            granted_at=now,
            expires_at=now + dt.timedelta(hours=settings.CASEWORK_BREAK_GLASS_HOURS),
            crosses_barrier=found.crosses_barrier,
        )
        record(
            action=Action.BREAK_GLASS,
            actor=user,
            request=request,
            obj=obj,
            reason=reason,
            changes={
                "expires_at": {"old": None, "new": grant.expires_at},
                "crosses_barrier": {"old": None, "new": found.crosses_barrier},
                "alerted": {"old": None, "new": sorted(recipients)},
            },
        )
        across = " across an information barrier" if found.crosses_barrier else ""
        message = f"{user.full_name} used break-glass access{across} to {grant.object_label}"
        Alert.objects.bulk_create(
            Alert(
                raised_at=now,
                recipient=person,
                kind=ALERT_KIND,
                message=message[:300],
                object_type=grant.object_type,
                object_id=grant.object_id,
                grant=grant,
            )
            for person in recipients.values()
        )
        grant_id = grant.pk
        transaction.on_commit(lambda: _email_alerts(grant_id))
    policy.forget(obj)
    return grant


def _email_alerts(grant_id: int) -> None:
    email_break_glass_alert.enqueue(grant_id)
