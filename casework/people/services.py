"""Writers for the person index. Each function is one transaction with its audit events inside.

Audit rules here: changes to clear fields (names, dates, kinds) are recorded old and new; an
encrypted field is recorded only as having changed (``"[encrypted]"``), never its value. Every
event about a person, or one of their names, addresses, numbers or links, is recorded against
the person (``people.person``, labelled with its reference) so that the person's access log holds
everything that happened to the record.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import diff, record
from casework.core import identifiers
from casework.core.changes import announce
from casework.core.models import next_reference
from casework.core.permissions import require, requires
from casework.people import crypto
from casework.people.candidates import delete_match_keys, refresh_match_keys
from casework.people.models import (
    BIDX_NHS,
    CONTACT_MODELS,
    NameKind,
    OnlineIdentifier,
    Person,
    PersonAddress,
    PersonCareTeam,
    PersonEmail,
    PersonMerge,
    PersonName,
    PersonPhone,
    ReferralPersonLink,
)
from casework.people.queries import persons_visible_to, staff_member

REFERENCE_PREFIX = "PER"
ENCRYPTED = "[encrypted]"

PERSON_FIELDS = (
    "given_name",
    "middle_names",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "nhs_number",
    "pnc_id",
    "prison_number",
    "workplace",
)


# --- Audit helpers ------------------------------------------------------------------------------


def _values(obj, fields) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in fields}


def _changes(before: dict[str, Any], after: dict[str, Any], model, prefix: str = "") -> dict[str, Any]:
    """Changed fields (``audit.services.diff``: free text only as changed); an encrypted field
    says only that it was set or cleared."""
    changes = diff(before, after, model=model, prefix=prefix)
    for name in getattr(model, "ENCRYPTED_FIELDS", ()):
        key = f"{prefix}{name}"
        if key in changes:
            changes[key] = {"old": ENCRYPTED if before.get(name) else "", "new": ENCRYPTED if after.get(name) else ""}
    return changes


def _fields_of(obj) -> tuple[str, ...]:
    return tuple(obj.AUDITED_FIELDS) + tuple(getattr(obj, "ENCRYPTED_FIELDS", ()))


# --- Validation shared by forms and services ----------------------------------------------------


def _clean_identifiers(fields: dict[str, Any]) -> None:
    """Normalise identifiers as they are stored; raise ValidationError keyed by field."""

    def pnc_id(value):
        parsed = identifiers.clean_pnc_id(value)
        return parsed.canonical if parsed else ""

    def prison_number(value):
        parsed = identifiers.clean_prison_number(value)
        return parsed.value if parsed else ""

    errors: dict[str, list[str]] = {}
    for name, cleaner in (
        ("nhs_number", identifiers.clean_nhs_number),
        ("pnc_id", pnc_id),
        ("prison_number", prison_number),
    ):
        if name in fields:
            try:
                fields[name] = cleaner(fields[name])
            except ValidationError as error:
                errors[name] = error.messages
    if errors:
        raise ValidationError(errors)


def nhs_number_holder(nhs_number: str, exclude: Person | None = None) -> Person | None:
    """The person (not merged away) who already has this NHS number, if any."""
    if not nhs_number:
        return None
    queryset = Person.objects.filter(
        merged_into__isnull=True, nhs_number_bidx__in=crypto.blind_indexes(BIDX_NHS, nhs_number)
    )
    if exclude is not None and exclude.pk:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset.first()


def _refuse_duplicate_nhs_number(person: Person, by) -> None:
    holder = nhs_number_holder(person.nhs_number, exclude=person)
    if holder is None:
        return
    if persons_visible_to(by).filter(pk=holder.pk).exists():
        message = f"{holder.reference} already has this NHS number. Check whether they are the same person"
    else:
        message = "Another person record already has this NHS number. Ask a referrals coordinator to check it"
    raise ValidationError({"nhs_number": [message]})


# --- Persons --------------------------------------------------------------------------------------


@requires("people.create")
def person_create(*, by, request: HttpRequest | None = None, is_sealed: bool = False, **fields: Any) -> Person:
    """Add a person to the index. ``fields`` are any of ``PERSON_FIELDS``."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown person fields: {sorted(unknown)}")
    _clean_identifiers(fields)
    now = timezone.now()
    with transaction.atomic():
        person = Person(created_by=by, is_sealed=is_sealed, sealed_at=now if is_sealed else None, **fields)
        person.reference = next_reference(REFERENCE_PREFIX)
        person.full_clean()
        _refuse_duplicate_nhs_number(person, by)
        person.refresh_blind_indexes()
        person.save()
        after = _values(person, Person.AUDITED_FIELDS + Person.ENCRYPTED_FIELDS)
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=person,
            changes=_changes({}, after, Person),
        )
        refresh_match_keys(person)
    return person


def person_update(*, person: Person, by, request: HttpRequest | None = None, **fields: Any) -> Person:
    """Correct a person's names, demographics and identifiers (and workplace, for those who may
    see it). Only the fields given change."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"Unknown person fields: {sorted(unknown)}")
    if "workplace" in fields:
        require(by, "people.edit_contact_details", person)
    _clean_identifiers(fields)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        before = _values(person, Person.AUDITED_FIELDS + Person.ENCRYPTED_FIELDS)
        for name, value in fields.items():
            setattr(person, name, value)
        person.full_clean()
        _refuse_duplicate_nhs_number(person, by)
        after = _values(person, Person.AUDITED_FIELDS + Person.ENCRYPTED_FIELDS)
        changed = [name for name in fields if before.get(name) != after.get(name)]
        if not changed:
            return person
        changed += person.refresh_blind_indexes()
        person.save(update_fields=[*changed, "updated_at"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes=_changes(before, after, Person),
        )
        refresh_match_keys(person)
        announce(person)
    return person


def person_seal(*, person: Person, by, request: HttpRequest | None = None, reason: str = "") -> Person:
    require(by, "people.seal", person)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.is_sealed:
            return person
        person.is_sealed = True
        person.sealed_at = timezone.now()
        person.save(update_fields=["is_sealed", "sealed_at", "updated_at"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            reason=reason,
            changes={"is_sealed": {"old": False, "new": True}},
        )
    return person


def person_unseal(*, person: Person, by, request: HttpRequest | None = None, reason: str) -> Person:
    require(by, "people.unseal", person)
    if not (reason or "").strip():
        raise ValidationError({"reason": ["Enter why the details no longer need to be sealed"]})
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if not person.is_sealed:
            return person
        person.is_sealed = False
        person.sealed_at = None
        person.save(update_fields=["is_sealed", "sealed_at", "updated_at"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            reason=reason.strip(),
            changes={"is_sealed": {"old": True, "new": False}},
        )
    return person


def person_set_opt_out(*, person: Person, opted_out: bool, by, request: HttpRequest | None = None) -> Person:
    """Record whether the person has opted out under the National Data Opt-out (who, when). Anyone
    who may correct the person's record may record it; research extracts leave them out."""
    require(by, "people.edit", person)
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.national_data_opt_out == opted_out:
            return person
        before = person.national_data_opt_out
        person.national_data_opt_out = opted_out
        person.national_data_opt_out_recorded_at = timezone.now()
        person.national_data_opt_out_recorded_by = by
        person.save(
            update_fields=[
                "national_data_opt_out",
                "national_data_opt_out_recorded_at",
                "national_data_opt_out_recorded_by",
                "updated_at",
            ]
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            reason="National Data Opt-out recorded",
            changes={"national_data_opt_out": {"old": before, "new": opted_out}},
        )
    return person


# --- Names, addresses, numbers, emails, online identifiers -------------------------------------

DETAIL_LABELS = {
    PersonName: "other name",
    PersonAddress: "address",
    PersonPhone: "telephone number",
    PersonEmail: "email address",
    OnlineIdentifier: "online identifier",
}
DETAIL_FIELDS = {
    PersonName: ("kind", "given_name", "family_name", "used_from", "used_to"),
    PersonAddress: ("kind", "address", "postcode", "lived_from", "lived_to"),
    PersonPhone: ("kind", "number", "safe_to_contact", "notes"),
    PersonEmail: ("address", "safe_to_contact"),
    OnlineIdentifier: ("platform", "handle"),
}


def _clean_detail(model, fields: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    cleaners_by_model: dict[type, dict[str, Callable[[Any], Any]]] = {
        PersonAddress: {"postcode": identifiers.clean_postcode},
        PersonPhone: {"number": identifiers.clean_phone},
        PersonEmail: {"address": identifiers.clean_email},
        OnlineIdentifier: {"handle": identifiers.clean_handle},
    }
    cleaners = cleaners_by_model.get(model, {})
    for name, cleaner in cleaners.items():
        if name in fields:
            try:
                fields[name] = cleaner(fields[name])
            except ValidationError as error:
                errors[name] = error.messages
    if model is PersonName and not (fields.get("given_name") or fields.get("family_name")):
        errors["given_name"] = ["Enter a given name or a family name"]
    span = {PersonName: ("used_from", "used_to"), PersonAddress: ("lived_from", "lived_to")}.get(model)
    if span:
        start, end = span
        if fields.get(start) and fields.get(end) and fields[end] < fields[start]:
            errors[end] = ["The end date must be the same as or after the start date"]
    if errors:
        raise ValidationError(errors)


def _detail_permission(model) -> str:
    return "people.edit_contact_details" if model in CONTACT_MODELS else "people.edit"


def detail_add(*, person: Person, model, by, request: HttpRequest | None = None, **fields: Any):
    """Add an other name, address, telephone number, email address or online identifier."""
    require(by, _detail_permission(model), person)
    unknown = set(fields) - set(DETAIL_FIELDS[model])
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    _clean_detail(model, fields)
    with transaction.atomic():
        detail = model(person=person, **fields)
        detail.full_clean()
        if hasattr(detail, "refresh_blind_indexes"):
            detail.refresh_blind_indexes()
        detail.save()
        label = f"{DETAIL_LABELS[model]} {detail.pk}: "
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes=_changes({}, _values(detail, _fields_of(detail)), model, prefix=label),
        )
        refresh_match_keys(person)
    return detail


def detail_update(*, detail, by, request: HttpRequest | None = None, **fields: Any):
    model = type(detail)
    person = detail.person
    require(by, _detail_permission(model), person)
    unknown = set(fields) - set(DETAIL_FIELDS[model])
    if unknown:
        raise ValueError(f"Unknown fields: {sorted(unknown)}")
    merged = {**_values(detail, DETAIL_FIELDS[model]), **fields}
    _clean_detail(model, merged)
    with transaction.atomic():
        before = _values(detail, _fields_of(detail))
        for name in fields:
            setattr(detail, name, merged[name])
        detail.full_clean()
        after = _values(detail, _fields_of(detail))
        changed = [name for name in fields if before.get(name) != after.get(name)]
        if not changed:
            return detail
        if hasattr(detail, "refresh_blind_indexes"):
            changed += detail.refresh_blind_indexes()
        detail.save(update_fields=changed)
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes=_changes(before, after, model, prefix=f"{DETAIL_LABELS[model]} {detail.pk}: "),
        )
        refresh_match_keys(person)
    return detail


def detail_remove(*, detail, by, request: HttpRequest | None = None) -> None:
    model = type(detail)
    person = detail.person
    require(by, _detail_permission(model), person)
    with transaction.atomic():
        before = _values(detail, _fields_of(detail))
        label = f"{DETAIL_LABELS[model]} {detail.pk}: "
        detail.delete()
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes=_changes(before, {}, model, prefix=label),
        )
        refresh_match_keys(person)


# --- Care teams ---------------------------------------------------------------------------------


def care_team_add(*, person: Person, user, role: str, by, request: HttpRequest | None = None) -> PersonCareTeam:
    require(by, "people.manage_care_team", person)
    if staff_member(user.pk) is None:
        raise ValidationError({"user": ["Select a member of clinic staff"]})
    if user.pk == by.pk:
        # Joining the team yourself would open a sealed person's details without anyone else's
        # say: another clinical lead adds you, or you use break-glass.
        raise ValidationError({"user": ["You cannot add yourself to a care team. Ask another clinical lead"]})
    with transaction.atomic():
        if PersonCareTeam.objects.filter(person=person, user=user).exists():
            raise ValidationError({"user": ["This person is already on the care team"]})
        member = PersonCareTeam.objects.create(
            person=person, user=user, role=role, added_at=timezone.now(), added_by=by
        )
        member.full_clean()
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes={f"care team {member.pk}": {"old": None, "new": {"user_id": user.pk, "role": role}}},
        )
    return member


def care_team_remove(*, member: PersonCareTeam, by, request: HttpRequest | None = None) -> None:
    person = member.person
    require(by, "people.manage_care_team", person)
    with transaction.atomic():
        old = {"user_id": member.user_id, "role": member.role}
        label = f"care team {member.pk}"
        member.delete()
        record(action=Action.UPDATE, actor=by, request=request, obj=person, changes={label: {"old": old, "new": None}})


# --- Links from referrals ------------------------------------------------------------------------


def _party_label(named_party) -> str:
    return "subject" if named_party is None else f"named party {named_party.pk}"


def referral_link(
    *, referral, named_party, person: Person, by, request: HttpRequest | None = None
) -> ReferralPersonLink:
    """Say that the referral's subject (``named_party`` None) or a named party is this person.
    A slot already linked to someone else is re-pointed (and the change audited)."""
    require(by, "people.link_referral")
    if named_party is not None and named_party.referral_id != referral.pk:
        raise ValueError("The named party belongs to another referral")
    if person.merged_into_id is not None:
        raise ValidationError("This person record has been merged into another: link that one instead")
    with transaction.atomic():
        existing = (
            ReferralPersonLink.objects.select_for_update().filter(referral=referral, named_party=named_party).first()
        )
        if existing is not None and existing.person_id == person.pk:
            return existing
        now = timezone.now()
        slot = _party_label(named_party)
        previous = existing.person if existing is not None else None
        if existing is not None:
            existing.person, existing.linked_by, existing.linked_at = person, by, now
            existing.save(update_fields=["person", "linked_by", "linked_at"])
            link = existing
            record(
                action=Action.UPDATE,
                actor=by,
                request=request,
                obj=previous,
                changes={"referral link": {"old": f"{referral.reference} {slot}", "new": None}},
            )
        else:
            link = ReferralPersonLink.objects.create(
                referral=referral, named_party=named_party, person=person, linked_by=by, linked_at=now
            )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=person,
            changes={"referral link": {"old": None, "new": f"{referral.reference} {slot}"}},
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=referral,
            changes={f"person for {slot}": {"old": previous and previous.reference, "new": person.reference}},
        )
    return link


def person_create_and_link(
    *,
    referral,
    named_party,
    by,
    request: HttpRequest | None = None,
    contact: dict[str, Any] | None = None,
    **fields: Any,
) -> tuple[Person, ReferralPersonLink]:
    """A new person from the referral's details, linked to it: one transaction.

    ``contact`` may hold ``address``, ``postcode``, ``phone`` and ``email`` taken from the
    referral; they are added before the record is sealed (a coordinator who seals a victim's
    record may add what the referrer sent, but will not see it again)."""
    require(by, "people.link_referral")
    require(by, "people.create")
    is_sealed = bool(fields.pop("is_sealed", False))
    contact = contact or {}
    with transaction.atomic():
        person = person_create(by=by, request=request, **fields)
        if contact.get("address"):
            detail_add(
                person=person,
                model=PersonAddress,
                by=by,
                request=request,
                address=contact["address"],
                postcode=contact.get("postcode", ""),
            )
        if contact.get("phone"):
            detail_add(person=person, model=PersonPhone, by=by, request=request, number=contact["phone"])
        if contact.get("email"):
            detail_add(person=person, model=PersonEmail, by=by, request=request, address=contact["email"])
        if is_sealed:
            person = person_seal(person=person, by=by, request=request, reason="Sealed when added from a referral")
        link = referral_link(referral=referral, named_party=named_party, person=person, by=by, request=request)
    return person, link


# --- Merging and unmerging ------------------------------------------------------------------------

# Fields a merge fills on the surviving record when it has no value and the other record has one.
FILLABLE_FIELDS = (
    "middle_names",
    "preferred_name",
    "date_of_birth",
    "sex",
    "gender",
    "nhs_number",
    "pnc_id",
    "prison_number",
    "workplace",
)
MOVED_MODELS = (
    PersonName,
    PersonAddress,
    PersonPhone,
    PersonEmail,
    OnlineIdentifier,
    ReferralPersonLink,
    PersonCareTeam,
)


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


def _from_json(value: Any) -> Any:
    if isinstance(value, dict) and "datetime" in value:
        return dt.datetime.fromisoformat(value["datetime"])
    if isinstance(value, dict) and "date" in value:
        return dt.date.fromisoformat(value["date"])
    return value


def person_merge(*, source: Person, target: Person, by, reason: str, request: HttpRequest | None = None) -> PersonMerge:
    """Merge ``source`` into ``target`` (which survives). Names, addresses, numbers, emails,
    online identifiers, referral links and care-team rows move to ``target``; the target's empty
    fields take the source's values; the source's name becomes an alias of the target; a sealed
    source makes the target sealed. The source record stays, hidden, pointing at the target. What
    moved is kept, encrypted, in the merge record so that ``person_unmerge`` can put it back."""
    require(by, "people.merge")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why these records are the same person"]})
    if source.pk == target.pk:
        raise ValidationError("A record cannot be merged into itself")
    with transaction.atomic():
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
        source, target = locked[source.pk], locked[target.pk]
        if source.merged_into_id or target.merged_into_id:
            raise ValidationError("One of these records has already been merged into another")
        now = timezone.now()
        moved, removed_members = _merge_move_rows(source, target)
        taken_over = _merge_take_over_details(source, target, now)
        source.merged_into = target
        source.save(update_fields=["merged_into"])

        snapshot = {"version": 1, "moved": moved, "removed_care_team": removed_members, **taken_over}
        merge = PersonMerge.objects.create(
            source=source,
            target=target,
            reason=reason,
            merged_by=by,
            merged_at=now,
            snapshot=json.dumps(snapshot, sort_keys=True),
        )
        filled, target_before = taken_over["target_filled"], taken_over["target_before"]
        moved_counts = {name: len(ids) for name, ids in moved.items() if ids}
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=target,
            reason=reason,
            changes={
                "merged_from": {"old": None, "new": source.reference},
                "moved": {"old": None, "new": moved_counts},
                **_changes({n: target_before[n] for n in filled}, filled, Person),
            },
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=source,
            reason=reason,
            changes={"merged_into": {"old": None, "new": target.reference}},
        )
        delete_match_keys(source)
        refresh_match_keys(target)
        announce(target)  # the survivor's cases are found by the names it took over
    return merge


def _merge_move_rows(source: Person, target: Person) -> tuple[dict[str, list[int]], list[dict[str, Any]]]:
    """Move the source's rows (MOVED_MODELS) to the target. Returns the ids moved, by model, and the
    source's care-team rows removed: a member of both care teams keeps the target's row; the
    source's row is kept in the snapshot and put back on unmerge."""
    moved: dict[str, list[int]] = {}
    for model in MOVED_MODELS:
        ids = list(model.objects.filter(person=source).order_by("pk").values_list("pk", flat=True))
        moved[model.__name__] = ids
    removed_members: list[dict[str, Any]] = []
    duplicate_members = PersonCareTeam.objects.filter(
        person=source, user_id__in=PersonCareTeam.objects.filter(person=target).values("user_id")
    )
    for member in duplicate_members:
        removed_members.append(
            {
                "id": member.pk,
                "user_id": member.user_id,
                "role": member.role,
                "added_at": member.added_at.isoformat(),
                "added_by_id": member.added_by_id,
            }
        )
    removed_ids = [m["id"] for m in removed_members]
    moved["PersonCareTeam"] = [pk for pk in moved["PersonCareTeam"] if pk not in removed_ids]
    PersonCareTeam.objects.filter(pk__in=removed_ids).delete()
    for model in MOVED_MODELS:
        model.objects.filter(pk__in=moved[model.__name__]).update(person=target)
    return moved, removed_members


def _merge_take_over_details(source: Person, target: Person, now: dt.datetime) -> dict[str, Any]:
    """The target takes the source's values for its empty fields, its seal, and its name as an
    alias, and is saved. Returns what unmerge needs to put the target back (part of the snapshot)."""
    target_before = {name: _to_json(getattr(target, name)) for name in FILLABLE_FIELDS}
    filled = {}
    for name in FILLABLE_FIELDS:
        if getattr(target, name) in (None, "") and getattr(source, name) not in (None, ""):
            setattr(target, name, getattr(source, name))
            filled[name] = _to_json(getattr(target, name))
    sealed_before = {"is_sealed": target.is_sealed, "sealed_at": _to_json(target.sealed_at)}
    if source.is_sealed and not target.is_sealed:
        target.is_sealed, target.sealed_at = True, now
    # An opt-out follows the person: the merged record keeps it (and an unmerge leaves it, so an
    # opt-out is never dropped without someone recording that it no longer applies).
    opted_out_now = source.national_data_opt_out and not target.national_data_opt_out
    if opted_out_now:
        target.national_data_opt_out = True
        target.national_data_opt_out_recorded_at = source.national_data_opt_out_recorded_at or now
        target.national_data_opt_out_recorded_by_id = source.national_data_opt_out_recorded_by_id
    created_names = []
    if (source.given_name, source.family_name) != (target.given_name, target.family_name):
        alias = PersonName.objects.create(
            person=target,
            kind=NameKind.ALIAS,
            given_name=source.given_name,
            family_name=source.family_name,
        )
        created_names.append(alias.pk)
    changed = list(filled) + target.refresh_blind_indexes()
    if target.is_sealed != sealed_before["is_sealed"]:
        changed += ["is_sealed", "sealed_at"]
    if opted_out_now:
        changed += [
            "national_data_opt_out",
            "national_data_opt_out_recorded_at",
            "national_data_opt_out_recorded_by",
        ]
    # updated_at is left alone by merge and unmerge: the merge record holds when they happened,
    # and unmerge gives back the rows exactly as they were.
    if changed:
        target.save(update_fields=changed)
    return {
        "created_names": created_names,
        "target_before": target_before,
        "target_filled": filled,
        "target_sealed_before": sealed_before,
    }


def person_unmerge(*, merge: PersonMerge, by, reason: str, request: HttpRequest | None = None) -> PersonMerge:
    """Undo a merge: the rows that moved go back, the filled fields and the seal go back to what
    they were (unless changed since), the alias the merge added goes, and the source reappears."""
    require(by, "people.merge")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Enter why the merge is being undone"]})
    with transaction.atomic():
        merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.unmerged_at is not None:
            raise ValidationError("This merge has already been undone")
        locked = {p.pk: p for p in Person.objects.select_for_update().filter(pk__in=[merge.source_id, merge.target_id])}
        source, target = locked[merge.source_id], locked[merge.target_id]
        if target.merged_into_id is not None:
            raise ValidationError(
                f"{target.reference} has since been merged into another record: undo that merge first"
            )
        data = merge.snapshot_data()
        for model in MOVED_MODELS:
            ids = data["moved"].get(model.__name__, [])
            model.objects.filter(pk__in=ids, person=target).update(person=source)
        for member in data["removed_care_team"]:
            PersonCareTeam.objects.create(
                id=member["id"],
                person=source,
                user_id=member["user_id"],
                role=member["role"],
                added_at=dt.datetime.fromisoformat(member["added_at"]),
                added_by_id=member["added_by_id"],
            )
        PersonName.objects.filter(pk__in=data["created_names"], person=target).delete()
        restored = []
        for name, value in data["target_filled"].items():
            if getattr(target, name) == _from_json(value):  # not changed since the merge
                setattr(target, name, _from_json(data["target_before"][name]))
                restored.append(name)
        sealed_before = data["target_sealed_before"]
        if target.is_sealed and not sealed_before["is_sealed"]:
            target.is_sealed, target.sealed_at = False, _from_json(sealed_before["sealed_at"])
            restored += ["is_sealed", "sealed_at"]
        restored += target.refresh_blind_indexes()
        if restored:
            target.save(update_fields=restored)
        source.merged_into = None
        source.save(update_fields=["merged_into"])
        merge.unmerged_at, merge.unmerged_by, merge.unmerge_reason = timezone.now(), by, reason
        merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=target,
            reason=reason,
            changes={"merged_from": {"old": source.reference, "new": None}},
        )
        record(
            action=Action.UPDATE,
            actor=by,
            request=request,
            obj=source,
            reason=reason,
            changes={"merged_into": {"old": target.reference, "new": None}},
        )
        refresh_match_keys(source)
        refresh_match_keys(target)
        announce(source)
        announce(target)  # names given back on unmerge leave the survivor's cases' headings
    return merge
