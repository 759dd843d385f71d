"""Creating referrals: logged by staff from phone, post or email; drafted and submitted by agencies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import diff, for_trail, record, record_change, record_create, snapshot
from casework.core.changes import announce
from casework.core.models import next_reference
from casework.core.permissions import requires
from casework.referrals.choices import Channel, Status
from casework.referrals.models import NamedParty, Referral, RequestedService, Transition
from casework.referrals.presenters import as_sent

REFERENCE_PREFIX = "REF"


def _set_services(referral: Referral, services: Iterable[str] | None) -> None:
    if services is None:
        return
    wanted = set(services)
    referral.requested_services.exclude(service__in=wanted).delete()
    existing = set(referral.requested_services.values_list("service", flat=True))
    RequestedService.objects.bulk_create(
        RequestedService(referral=referral, service=s) for s in sorted(wanted - existing)
    )


def _set_parties(referral: Referral, parties: Iterable[dict[str, Any]] | None) -> None:
    """Make the referral's named parties these, in order, updating rows in place so that their ids
    (and the person links that hang on them) survive an edit. A dict with an ``id`` updates that
    party; the others take the places of the existing parties in order; extra rows are removed."""
    if parties is None:
        return
    wanted = [dict(party) for party in parties]
    existing = list(referral.named_parties.order_by("id"))
    by_id = {party.pk: party for party in existing}
    kept: set[int] = set()
    unmatched = [party for party in existing if party.pk not in {w.get("id") for w in wanted}]
    for values in wanted:
        party = by_id.get(values.pop("id", None)) or (unmatched.pop(0) if unmatched else None)
        if party is None:
            party = NamedParty(referral=referral)
        for name, value in values.items():
            setattr(party, name, value)
        party.save()
        kept.add(party.pk)
    referral.named_parties.exclude(pk__in=kept).delete()


def _keep_as_sent(referral: Referral) -> None:
    """Keep what the referrer sent, as it reads on receipt. The agency's status page shows this
    copy, so details staff add later (a victim's new address, say) never reach the agency."""
    referral.as_sent = as_sent(referral)
    referral.save(update_fields=["as_sent"])


def _audited_snapshot(referral: Referral) -> dict[str, Any]:
    values = snapshot(referral, Referral.AUDITED_FIELDS)
    values.update(related_snapshot(referral))
    return values


def related_snapshot(referral: Referral) -> dict[str, Any]:
    """The referral's requested services and named parties, for comparing before and after."""
    return {
        "services": sorted(referral.requested_services.values_list("service", flat=True)),
        "named_parties": [snapshot(p, NamedParty.AUDITED_FIELDS) for p in referral.named_parties.order_by("id")],
    }


def referral_changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots, as the trail keeps it: the referral's own fields through
    ``audit.services.diff`` (free text only as changed), the services as they are, and the named
    parties (a victim's name and details) only as changed."""
    own = {k: v for k, v in before.items() if k not in RELATED}
    changes = diff(own, {k: v for k, v in after.items() if k not in RELATED}, model=Referral)
    if before.get("services") != after.get("services") and "services" in after:
        changes["services"] = {"old": before.get("services"), "new": after.get("services")}
    if before.get("named_parties") != after.get("named_parties") and "named_parties" in after:
        changes["named_parties"] = {
            "old": [for_trail(NamedParty, p) for p in before.get("named_parties") or []],
            "new": [for_trail(NamedParty, p) for p in after.get("named_parties") or []],
        }
    return changes


RELATED = ("services", "named_parties")


@requires("referrals.log")
def referral_log(
    *, by, request: HttpRequest | None = None, services: Iterable[str], parties: Iterable[dict] = (), **fields: Any
) -> Referral:
    """A referrals coordinator logs a referral that arrived by phone, post or email. It is received
    at once and gets its reference."""
    if fields.get("received_via") not in {c.value for c in (Channel.PHONE, Channel.POST, Channel.EMAIL)}:
        raise ValueError("Staff log referrals that arrived by telephone, post or email")
    return _receive(by=by, request=request, services=services, parties=parties, reason="", **fields)


@requires("consultations.convert", obj="case")
def referral_from_consultation(*, case, by, request: HttpRequest | None = None, **fields: Any) -> Referral:
    """A consultation case's team turns the consultation into a full referral (the case has reached
    court): received at once, as a logged referral is, saying in its history where it came from."""
    fields.setdefault("received_via", Channel.CONSULTATION)
    return _receive(
        by=by,
        request=request,
        services=(),
        parties=(),
        reason=f"Carried from consultation {case.reference}",
        **fields,
    )


def _receive(
    *, by, request: HttpRequest | None, services: Iterable[str], parties: Iterable[dict], reason: str, **fields: Any
) -> Referral:
    with transaction.atomic():
        referral = Referral(created_by=by, status=Status.RECEIVED, **fields)
        referral.reference = next_reference(REFERENCE_PREFIX, when=timezone.localdate(referral.received_at))
        referral.full_clean()
        referral.save()
        _set_services(referral, services)
        _set_parties(referral, parties)
        _keep_as_sent(referral)
        Transition.objects.create(
            referral=referral,
            from_status=Status.DRAFT,
            to_status=Status.RECEIVED,
            by=by,
            at=timezone.now(),
            reason=reason or f"Logged from {referral.get_received_via_display().lower()}",
        )
        record_create(request=request, actor=by, obj=referral, fields=Referral.AUDITED_FIELDS)
        announce(referral)
    return referral


@requires("referrals.edit", obj="referral")
def referral_update(
    *,
    referral: Referral,
    by,
    request: HttpRequest | None = None,
    services: Iterable[str] | None = None,
    parties: Iterable[dict] | None = None,
    **fields: Any,
) -> Referral:
    """Change a referral's details (not its status: that is triage's job), audited field by field."""
    if "status" in fields:
        raise ValueError("Use a triage service to change a referral's status")
    with transaction.atomic():
        before = _audited_snapshot(referral)
        for name, value in fields.items():
            setattr(referral, name, value)
        referral.full_clean()
        referral.save()
        _set_services(referral, services)
        _set_parties(referral, parties)
        after = _audited_snapshot(referral)
        changes = referral_changes(before, after)
        if changes:
            record(action=Action.UPDATE, actor=by, request=request, obj=referral, changes=changes)
        announce(referral)
    return referral


@requires("referrals.use_portal")
def draft_start(*, by, request: HttpRequest | None = None, channel: str = Channel.PORTAL) -> Referral:
    """An agency referrer starts a portal referral: a draft only they can see until submitted.
    The agency API (``casework.api``) sends its referrals by the same route, ``channel`` API."""
    if channel not in (Channel.PORTAL, Channel.API):
        raise ValueError("Agencies refer through the portal or the API")
    with transaction.atomic():
        referral = Referral.objects.create(
            created_by=by,
            referrer_user=by,
            status=Status.DRAFT,
            received_via=channel,
            referring_organisation_id=by.organisation_id,
            referrer_name=by.full_name,
            referrer_job_title=by.job_title,
            referrer_email=by.email,
            referrer_phone=by.phone,
        )
        record_create(request=request, actor=by, obj=referral, fields=("status", "received_via"))
    return referral


@requires("referrals.portal_edit_draft", obj="referral")
def draft_save(
    *,
    referral: Referral,
    by,
    request: HttpRequest | None = None,
    step: str = "",
    services: Iterable[str] | None = None,
    parties: Iterable[dict] | None = None,
    **fields: Any,
) -> Referral:
    if referral.status != Status.DRAFT:
        raise ValueError("Only a draft can be edited through the portal")
    with transaction.atomic():
        before = snapshot(referral, Referral.AUDITED_FIELDS)
        for name, value in fields.items():
            setattr(referral, name, value)
        referral.portal_step = step or referral.portal_step
        referral.save()
        _set_services(referral, services)
        _set_parties(referral, parties)
        record_change(request=request, actor=by, obj=referral, before=before, fields=Referral.AUDITED_FIELDS)
    return referral


@requires("referrals.portal_edit_draft", obj="referral")
def draft_submit(*, referral: Referral, by, request: HttpRequest | None = None) -> Referral:
    """Submit a portal draft: it is received now and gets its reference."""
    if referral.status != Status.DRAFT:
        raise ValueError("This referral has already been submitted")
    how = "agency API" if referral.received_via == Channel.API else "agency portal"
    with transaction.atomic():
        now = timezone.now()
        referral.status = Status.RECEIVED
        referral.received_at = now
        referral.reference = next_reference(REFERENCE_PREFIX, when=timezone.localdate(now))
        referral.portal_step = ""
        referral.full_clean()
        referral.save()
        _keep_as_sent(referral)
        Transition.objects.create(
            referral=referral,
            from_status=Status.DRAFT,
            to_status=Status.RECEIVED,
            by=by,
            at=now,
            reason=f"Submitted through the {how}",
        )
        record(
            action=Action.TRANSITION,
            actor=by,
            request=request,
            obj=referral,
            changes={"status": {"old": Status.DRAFT.value, "new": Status.RECEIVED.value}},
            reason=f"Submitted through the {how}",
        )
        announce(referral)
    return referral


@requires("referrals.portal_edit_draft", obj="referral")
def draft_discard(*, referral: Referral, by, request: HttpRequest | None = None) -> None:
    if referral.status != Status.DRAFT:
        raise ValueError("Only a draft can be deleted")
    with transaction.atomic():
        record(action=Action.DELETE, actor=by, request=request, obj=referral)
        referral.delete()
