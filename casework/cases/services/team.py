"""The case team, and the case's status."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases import barrier
from casework.cases.choices import STATUS_WORKFLOW, CaseKind, CaseStatus, ClosureReason, TeamRole
from casework.cases.errors import CaseRefused
from casework.cases.models import Case, CaseStatusChange, CaseTeamMember
from casework.cases.queries import case_clinician
from casework.cases.services._shared import require, sync_care_team_add, sync_care_team_remove
from casework.core.workflow import InvalidTransition


def _locked(case: Case) -> Case:
    locked = Case.objects.select_for_update().select_related("subject").get(pk=case.pk)
    locked._team_roles = None
    return locked


def team_add(*, case: Case, user, role: str, by, request: HttpRequest | None = None) -> CaseTeamMember:
    """Put a clinician on the team. Adding a lead clinician makes the current lead a clinician.
    Refused if they would be on both sides of an information barrier."""
    require(by, "cases.manage_team", case)
    if user is None or case_clinician(user.pk) is None:
        raise CaseRefused("Select a clinician or clinical lead", "user")
    if role not in TeamRole.values:
        raise CaseRefused("Select the role on the team", "role")
    if case.kind == CaseKind.VICTIM and user.pk == by.pk:
        raise CaseRefused(
            "You cannot add yourself to the team of a victim case: joining it opens the victim's sealed details. "
            "Ask another clinical lead.",
            "user",
        )
    with transaction.atomic():
        case = _locked(case)
        existing = CaseTeamMember.objects.filter(case=case, user=user).first()
        if existing is not None and (existing.role == role or role == TeamRole.CLINICIAN):
            raise CaseRefused(f"{user.full_name} is already on the team", "user")
        now = timezone.now()
        changes: dict[str, dict[str, Any]] = {}
        if role == TeamRole.LEAD_CLINICIAN:
            current = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).first()
            if current is not None:
                current.role = TeamRole.CLINICIAN
                current.save(update_fields=["role"])
                changes[f"team {current.pk} role"] = {
                    "old": TeamRole.LEAD_CLINICIAN.value,
                    "new": TeamRole.CLINICIAN.value,
                }
        if existing is not None:
            existing.role = role
            existing.save(update_fields=["role"])
            member = existing
            changes[f"team {member.pk} role"] = {"old": TeamRole.CLINICIAN.value, "new": role}
        else:
            member = CaseTeamMember.objects.create(case=case, user=user, role=role, added_at=now, added_by=by)
            changes[f"team {member.pk}"] = {"old": None, "new": {"user_id": user.pk, "role": role}}
        record(action=Action.UPDATE, actor=by, request=request, obj=case, changes=changes)
        barrier.check_case(case, "user", by=by)
        sync_care_team_add(case=case, member=member, by=by, request=request)
    return member


def team_remove(*, member: CaseTeamMember, by, request: HttpRequest | None = None) -> None:
    case = member.case
    require(by, "cases.manage_team", case)
    if member.role == TeamRole.LEAD_CLINICIAN:
        raise CaseRefused("Choose a new lead clinician before taking the current one off the team")
    with transaction.atomic():
        case = _locked(case)
        old = {"user_id": member.user_id, "role": member.role}
        label = f"team {member.pk}"
        user = member.user
        member.delete()
        record(action=Action.UPDATE, actor=by, request=request, obj=case, changes={label: {"old": old, "new": None}})
        sync_care_team_remove(case=case, user=user, by=by, request=request)


def case_change_status(
    *,
    case: Case,
    to: str,
    by,
    request: HttpRequest | None = None,
    closure_reason: str = "",
    note: str = "",
) -> Case:
    """Put a case on hold, close it (with a reason), or open it again."""
    require(by, "cases.change_status", case)
    note = (note or "").strip()
    with transaction.atomic():
        case = _locked(case)
        current = CaseStatus(case.status)
        try:
            STATUS_WORKFLOW.check(current, to)
        except InvalidTransition as refused:  # a case's refusals are CaseRefused, by the "to" field
            raise CaseRefused(refused.message, "to") from refused
        target = CaseStatus(to)
        if target == CaseStatus.CLOSED:
            if closure_reason not in ClosureReason.values:
                raise CaseRefused("Select why the case is closing", "closure_reason")
            if closure_reason == ClosureReason.OTHER and not note:
                raise CaseRefused("Enter the reason the case is closing", "note")
            case.closed_on = timezone.localdate()
            case.closure_reason = closure_reason
            case.closure_note = note
        else:
            if current == CaseStatus.CLOSED and not by.has_perm("cases.open"):
                raise CaseRefused("Only a clinical lead can open a closed case again", "to")
            if target == CaseStatus.ON_HOLD and not note:
                raise CaseRefused("Enter why the case is on hold", "note")
            closure_reason = ""
            case.closed_on = None
            case.closure_reason = ""
            case.closure_note = ""
        case.status = target
        case.save(update_fields=["status", "closed_on", "closure_reason", "closure_note", "updated_at"])
        CaseStatusChange.objects.create(
            case=case,
            from_status=current,
            to_status=target,
            closure_reason=closure_reason,
            note=note,
            by=by,
            at=timezone.now(),
        )
        record(
            action=Action.TRANSITION,
            actor=by,
            request=request,
            obj=case,
            reason=note,
            changes={
                "status": {"old": current.value, "new": target.value},
                **({"closure_reason": {"old": None, "new": closure_reason}} if closure_reason else {}),
            },
        )
    return case
