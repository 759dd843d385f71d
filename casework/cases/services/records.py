"""What a case holds: parties, stalking episodes, incidents, orders, hearings, MAPPA and agencies.

Each function is one transaction with its audit event inside, recorded against the case
(services.common). Clinical content needs ``cases.edit_clinical``; hearings, MAPPA meetings and
agencies need ``cases.edit_admin`` (referrals coordinators keep those too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record, snapshot
from casework.cases import barrier
from casework.cases.choices import Behaviour, CaseKind, DatePrecision, PartyRole, StalkerType
from casework.cases.errors import CaseRefused
from casework.cases.models import (
    AgencyOfficer,
    Case,
    CaseParty,
    Hearing,
    Incident,
    InvolvedAgency,
    LegalOrder,
    MappaMeeting,
    MappaRegistration,
    StalkingEpisode,
)
from casework.cases.queries import documents_of
from casework.cases.services._shared import audit_changed, audit_created, require
from casework.cases.services.kept import risk_changed
from casework.core.changes import announce
from casework.core.forms import date_range_error
from casework.core.limits import check_text_limits


def _validated(obj) -> None:
    """Model validation, as a refusal naming the first field at fault."""
    try:
        check_text_limits(obj)
        obj.full_clean(
            exclude=[
                "case",
                "recorded_by",
                "added_by",
                "updated_by",
                "agency",
                "victim",
                "person",
                "named_party",
                "organisation",
            ]
        )
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise CaseRefused(messages[0], None if name == "__all__" else name) from None


def _set(obj, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(obj, name, value)


def _save_new(*, case: Case, by, request: HttpRequest | None, obj, label: str):
    """Validate, save and audit a new record of the case (inside the caller's transaction)."""
    _validated(obj)
    obj.save()
    audit_created(case=case, by=by, request=request, obj=obj, label=label, fields=type(obj).AUDITED_FIELDS)
    return obj


def _save_changes(*, case: Case, by, request: HttpRequest | None, obj, label: str, fields: dict[str, Any]):
    """Apply ``fields``, validate, save and audit the change, old and new values."""
    before = snapshot(obj, type(obj).AUDITED_FIELDS)
    _set(obj, fields)
    _validated(obj)
    obj.save()
    audit_changed(
        case=case, by=by, request=request, obj=obj, label=label, before=before, fields=type(obj).AUDITED_FIELDS
    )
    return obj


# --- Parties ------------------------------------------------------------------------------------


def _check_party_role(case: Case, role: str) -> None:
    if role == PartyRole.SUBJECT or role not in PartyRole.values:
        raise CaseRefused("Select the person's role in the case", "role")
    if case.kind == CaseKind.VICTIM and role == PartyRole.VICTIM:
        raise CaseRefused("In a victim case the subject is the victim: choose another role", "role")
    if case.kind != CaseKind.VICTIM and role == PartyRole.PERSON_WHO_STALKS:
        raise CaseRefused("In this case the subject is the person who stalks: choose another role", "role")


def party_add(
    *,
    case: Case,
    person,
    role: str,
    name_as_given: str = "",
    relationship_to_subject: str = "",
    by,
    request: HttpRequest | None = None,
) -> CaseParty:
    require(by, "cases.edit_clinical", case)
    _check_party_role(case, role)
    if person is None or person.merged_into_id is not None:
        raise CaseRefused("Enter the reference of a person in the index", "person")
    with transaction.atomic():
        if CaseParty.objects.filter(case=case, person=person).exists():
            raise CaseRefused("This person is already in the case", "person")
        party = CaseParty(
            case=case,
            person=person,
            role=role,
            name_as_given=(name_as_given or person.full_name).strip()[:200],
            relationship_to_subject=relationship_to_subject.strip(),
            added_at=timezone.now(),
            added_by=by,
        )
        _validated(party)
        party.save()
        audit_created(case=case, by=by, request=request, obj=party, label="party", fields=CaseParty.AUDITED_FIELDS)
        barrier.check_case(case, "person", by=by)
        announce(case)
    return party


def party_update(
    *,
    party: CaseParty,
    role: str,
    name_as_given: str,
    relationship_to_subject: str,
    by,
    request: HttpRequest | None = None,
) -> CaseParty:
    case = party.case
    require(by, "cases.edit_clinical", case)
    _check_party_role(case, role)
    with transaction.atomic():
        if (
            party.role == PartyRole.VICTIM
            and role != PartyRole.VICTIM
            and (
                StalkingEpisode.objects.filter(victim=party).exists() or Incident.objects.filter(victim=party).exists()
            )
        ):
            raise CaseRefused("This victim has a stalking episode or incidents: they stay a victim", "role")
        before = snapshot(party, CaseParty.AUDITED_FIELDS)
        _set(
            party,
            {
                "role": role,
                "name_as_given": name_as_given.strip()[:200],
                "relationship_to_subject": relationship_to_subject.strip(),
            },
        )
        _validated(party)
        party.save()
        audit_changed(
            case=case, by=by, request=request, obj=party, label="party", before=before, fields=CaseParty.AUDITED_FIELDS
        )
        barrier.check_case(case, "role", by=by)
        announce(case)
    return party


# --- Stalking episodes --------------------------------------------------------------------------


def _is_victim_of(case: Case, party: CaseParty) -> bool:
    wanted = PartyRole.SUBJECT if case.kind == CaseKind.VICTIM else PartyRole.VICTIM
    return party is not None and party.case_id == case.pk and party.role == wanted


def episode_save(
    *,
    case: Case,
    victim: CaseParty,
    prior_relationship: str,
    started_on: dt.date | None,
    started_precision: str,
    behaviours: list[str],
    motivation_in_own_words: str,
    by,
    request: HttpRequest | None = None,
) -> StalkingEpisode:
    """Record or correct the stalking episode of one victim."""
    require(by, "cases.edit_clinical", case)
    if not _is_victim_of(case, victim):
        raise CaseRefused("An episode is recorded for a victim in the case", "victim")
    if started_precision not in (DatePrecision.DAY, DatePrecision.MONTH):
        raise CaseRefused("Select whether the date is exact or the month only", "started_precision")
    if started_on and started_precision == DatePrecision.MONTH:
        started_on = started_on.replace(day=1)
    behaviours = [b.value for b in Behaviour if b.value in set(behaviours or [])]
    fields = {
        "prior_relationship": prior_relationship,
        "started_on": started_on,
        "started_precision": started_precision,
        "behaviours": behaviours,
        "motivation_in_own_words": (motivation_in_own_words or "").strip(),
        "updated_at": timezone.now(),
        "updated_by": by,
    }
    with transaction.atomic():
        episode = StalkingEpisode.objects.select_for_update().filter(victim=victim).first()
        if episode is None:
            episode = StalkingEpisode(case=case, victim=victim, **fields)
            _validated(episode)
            episode.save()
            audit_created(
                case=case, by=by, request=request, obj=episode, label="episode", fields=StalkingEpisode.AUDITED_FIELDS
            )
            return episode
        before = snapshot(episode, StalkingEpisode.AUDITED_FIELDS)
        _set(episode, fields)
        _validated(episode)
        episode.save()
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=episode,
            label="episode",
            before=before,
            fields=StalkingEpisode.AUDITED_FIELDS,
        )
    return episode


# --- Incidents ----------------------------------------------------------------------------------


def _incident_fields(case: Case, fields: dict[str, Any]) -> dict[str, Any]:
    fields = dict(fields)
    victim = fields.get("victim")
    if victim is not None and not _is_victim_of(case, victim):
        raise CaseRefused("Select a victim in this case", "victim")
    precision = fields.get("precision")
    if precision == DatePrecision.MONTH and fields.get("occurred_on"):
        fields["occurred_on"] = fields["occurred_on"].replace(day=1)
    if precision != DatePrecision.EXACT:
        fields["occurred_time"] = None
    elif fields.get("occurred_time") is None:
        raise CaseRefused("Enter the time, or choose date only", "occurred_time")
    if fields.get("occurred_on") and (problem := date_range_error("Date", fields["occurred_on"], past_only=True)):
        raise CaseRefused(problem, "occurred_on")
    return fields


def _allowed_documents(case: Case, documents) -> list:
    allowed = {d.pk: d for d in documents_of(case)}
    chosen = []
    for document in documents or []:
        pk = getattr(document, "pk", document)
        if pk not in allowed:
            raise CaseRefused("Select documents of this case's referrals", "documents")
        chosen.append(allowed[pk])
    return chosen


def incident_add(*, case: Case, by, request: HttpRequest | None = None, documents=(), **fields: Any) -> Incident:
    require(by, "cases.edit_clinical", case)
    fields = _incident_fields(case, fields)
    chosen = _allowed_documents(case, documents)
    with transaction.atomic():
        incident = Incident(case=case, recorded_by=by, recorded_at=timezone.now(), **fields)
        _validated(incident)
        incident.save()
        incident.documents.set(chosen)
        audit_created(
            case=case,
            by=by,
            request=request,
            obj=incident,
            label="incident",
            fields=Incident.AUDITED_FIELDS,
            extra={"documents": [d.pk for d in chosen]},
        )
        announce(case)
    return incident


def incident_update(
    *,
    incident: Incident,
    by,
    request: HttpRequest | None = None,
    documents=(),
    **fields: Any,
) -> Incident:
    case = incident.case
    require(by, "cases.edit_clinical", case)
    fields = _incident_fields(case, fields)
    chosen = _allowed_documents(case, documents)
    with transaction.atomic():
        before = snapshot(incident, Incident.AUDITED_FIELDS)
        old_documents = sorted(incident.documents.values_list("pk", flat=True))
        _set(incident, fields)
        _validated(incident)
        incident.save()
        incident.documents.set(chosen)
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=incident,
            label="incident",
            before=before,
            fields=Incident.AUDITED_FIELDS,
            extra={"documents": (old_documents, sorted(d.pk for d in chosen))},
        )
        announce(case)
    return incident


def incidents_import(
    *, case: Case, rows: list[dict[str, Any]], by, request: HttpRequest | None = None
) -> list[Incident]:
    """Add many incidents at once (from a table). All or nothing: every row is checked first, and a
    single bad row refuses the lot; the rows are written in one transaction with one audit event."""
    require(by, "cases.edit_clinical", case)
    if not rows:
        raise CaseRefused("There are no incidents to add")
    now = timezone.now()
    incidents = []
    for number, row in enumerate(rows, start=1):
        try:
            fields = _incident_fields(case, row)
            incident = Incident(case=case, recorded_by=by, recorded_at=now, **fields)
            _validated(incident)
        except CaseRefused as refused:
            raise CaseRefused(f"Row {number}: {refused.message}") from None
        incidents.append(incident)
    with transaction.atomic():
        created = Incident.objects.bulk_create(incidents)
        risk_changed(case)  # bulk_create sends no post_save (services.kept)
        ids = (
            [i.pk for i in created]
            if all(i.pk for i in created)
            else list(
                Incident.objects.filter(case=case, recorded_at=now, recorded_by=by)
                .order_by("id")
                .values_list("pk", flat=True)
            )
        )
        record(
            action=Action.CREATE,
            actor=by,
            request=request,
            obj=case,
            reason="Incidents added from a table",
            changes={"incidents imported": {"old": None, "new": {"count": len(incidents), "ids": ids}}},
        )
        announce(case)
    return created


# --- Orders and hearings ------------------------------------------------------------------------


def _protected(case: Case, parties) -> list[CaseParty]:
    chosen = []
    for party in parties or []:
        if party.case_id != case.pk or party.role == PartyRole.SUBJECT and case.kind != CaseKind.VICTIM:
            raise CaseRefused("Select people in this case", "protects")
        chosen.append(party)
    return chosen


def order_add(*, case: Case, by, request: HttpRequest | None = None, protects=(), **fields: Any) -> LegalOrder:
    require(by, "cases.edit_clinical", case)
    chosen = _protected(case, protects)
    with transaction.atomic():
        order = LegalOrder(case=case, recorded_by=by, recorded_at=timezone.now(), **fields)
        _validated(order)
        order.save()
        order.protects.set(chosen)
        audit_created(
            case=case,
            by=by,
            request=request,
            obj=order,
            label="order",
            fields=LegalOrder.AUDITED_FIELDS,
            extra={"protects": [p.pk for p in chosen]},
        )
    return order


def order_update(
    *, order: LegalOrder, by, request: HttpRequest | None = None, protects=(), **fields: Any
) -> LegalOrder:
    case = order.case
    require(by, "cases.edit_clinical", case)
    chosen = _protected(case, protects)
    with transaction.atomic():
        before = snapshot(order, LegalOrder.AUDITED_FIELDS)
        old_protects = sorted(order.protects.values_list("pk", flat=True))
        _set(order, fields)
        _validated(order)
        order.save()
        order.protects.set(chosen)
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=order,
            label="order",
            before=before,
            fields=LegalOrder.AUDITED_FIELDS,
            extra={"protects": (old_protects, sorted(p.pk for p in chosen))},
        )
    return order


def hearing_add(*, case: Case, by, request: HttpRequest | None = None, **fields: Any) -> Hearing:
    require(by, "cases.edit_admin", case)
    with transaction.atomic():
        hearing = Hearing(case=case, recorded_by=by, recorded_at=timezone.now(), **fields)
        return _save_new(case=case, by=by, request=request, obj=hearing, label="hearing")


def hearing_update(*, hearing: Hearing, by, request: HttpRequest | None = None, **fields: Any) -> Hearing:
    case = hearing.case
    require(by, "cases.edit_admin", case)
    with transaction.atomic():
        return _save_changes(case=case, by=by, request=request, obj=hearing, label="hearing", fields=fields)


# --- MAPPA --------------------------------------------------------------------------------------


def mappa_save(*, case: Case, by, request: HttpRequest | None = None, **fields: Any) -> MappaRegistration:
    """Record or change the case's MAPPA category, level and coordinator."""
    require(by, "cases.edit_clinical", case)
    with transaction.atomic():
        registration = MappaRegistration.objects.select_for_update().filter(case=case).first()
        now = timezone.now()
        if registration is None:
            registration = MappaRegistration(case=case, updated_at=now, updated_by=by, **fields)
            _validated(registration)
            registration.save()
            audit_created(
                case=case,
                by=by,
                request=request,
                obj=registration,
                label="MAPPA",
                fields=MappaRegistration.AUDITED_FIELDS,
            )
            return registration
        before = snapshot(registration, MappaRegistration.AUDITED_FIELDS)
        _set(registration, {**fields, "updated_at": now, "updated_by": by})
        _validated(registration)
        registration.save()
        audit_changed(
            case=case,
            by=by,
            request=request,
            obj=registration,
            label="MAPPA",
            before=before,
            fields=MappaRegistration.AUDITED_FIELDS,
        )
    return registration


def mappa_meeting_add(*, case: Case, by, request: HttpRequest | None = None, **fields: Any) -> MappaMeeting:
    require(by, "cases.edit_admin", case)
    with transaction.atomic():
        meeting = MappaMeeting(case=case, recorded_by=by, recorded_at=timezone.now(), **fields)
        return _save_new(case=case, by=by, request=request, obj=meeting, label="MAPPA meeting")


# --- Agencies -----------------------------------------------------------------------------------


def agency_add(
    *, case: Case, organisation=None, name: str = "", by, request: HttpRequest | None = None
) -> InvolvedAgency:
    require(by, "cases.edit_admin", case)
    name = (organisation.name if organisation is not None else (name or "")).strip()
    if not name:
        raise CaseRefused("Select an agency, or enter the name of one that is not listed", "organisation")
    with transaction.atomic():
        duplicate = InvolvedAgency.objects.filter(case=case, name__iexact=name).exists()
        if duplicate:
            raise CaseRefused("This agency is already involved in the case", "organisation")
        agency = InvolvedAgency(
            case=case, organisation=organisation, name=name[:200], added_at=timezone.now(), added_by=by
        )
        _validated(agency)
        agency.save()
        audit_created(
            case=case, by=by, request=request, obj=agency, label="agency", fields=InvolvedAgency.AUDITED_FIELDS
        )
    return agency


def officer_add(*, agency: InvolvedAgency, by, request: HttpRequest | None = None, **fields: Any) -> AgencyOfficer:
    case = agency.case
    require(by, "cases.edit_admin", case)
    with transaction.atomic():
        officer = AgencyOfficer(agency=agency, added_at=timezone.now(), added_by=by, **fields)
        return _save_new(case=case, by=by, request=request, obj=officer, label="officer")


def officer_update(*, officer: AgencyOfficer, by, request: HttpRequest | None = None, **fields: Any) -> AgencyOfficer:
    case = officer.agency.case
    require(by, "cases.edit_admin", case)
    with transaction.atomic():
        return _save_changes(case=case, by=by, request=request, obj=officer, label="officer", fields=fields)


# --- Stalker type ---------------------------------------------------------------------------------


def stalker_type_record(*, case: Case, stalker_type: str, by, request: HttpRequest | None = None) -> Case:
    """Record the stalker type a signed-off assessment decided (never typed on the case itself:
    the assessments app calls this when a clinical lead signs an assessment off)."""
    require(by, "cases.edit_clinical", case)
    if stalker_type not in StalkerType.values:
        raise CaseRefused("Select a stalker type", "stalker_type")
    with transaction.atomic():
        before = snapshot(case, Case.AUDITED_FIELDS)
        case.stalker_type = stalker_type
        case.save(update_fields=["stalker_type", "updated_at"])
        audit_changed(
            case=case, by=by, request=request, obj=case, label="case", before=before, fields=Case.AUDITED_FIELDS
        )
    return case
