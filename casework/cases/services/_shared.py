"""What the case services share: permission checks, audit events recorded against the case, and
keeping a victim's care team (people app) the same as their victim case's team.

Every event about a case, or anything in it (a party, an incident, an order …), is recorded
against the case (``cases.case``, labelled with its reference), so that the case's access log holds
everything that happened to it. Changes name the row (``incident 12``) and hold old and new values.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from casework.audit.models import Action
from casework.audit.services import _json_value, diff, for_trail, record, snapshot
from casework.cases.choices import CaseKind, TeamRole
from casework.cases.models import Case, CaseTeamMember
from casework.core.permissions import require  # noqa: F401  (the case services ask it)
from casework.people.queries import is_on_care_team
from casework.people.services import care_team_add, care_team_remove


def audit_created(
    *,
    case: Case,
    by,
    request: HttpRequest | None,
    obj,
    label: str,
    fields,
    extra: dict[str, Any] | None = None,
) -> None:
    values = for_trail(type(obj), snapshot(obj, fields))
    values.update({name: _json_value(value) for name, value in (extra or {}).items()})
    record(
        action=Action.CREATE,
        actor=by,
        request=request,
        obj=case,
        changes={f"{label} {obj.pk}": {"old": None, "new": values}},
    )


def audit_changed(
    *,
    case: Case,
    by,
    request: HttpRequest | None,
    obj,
    label: str,
    before: dict[str, Any],
    fields,
    extra: dict[str, Any] | None = None,
) -> bool:
    """Record the fields of ``obj`` that changed since ``before`` (free text as "changed", never
    its words: ``audit.services.diff``); nothing if none did. ``extra`` holds (old, new) pairs of
    structured values the snapshot does not cover."""
    changes = diff(before, snapshot(obj, fields), model=type(obj), prefix=f"{label} {obj.pk} ")
    for name, (old, new) in (extra or {}).items():
        if old != new:
            changes[f"{label} {obj.pk} {name}"] = {"old": _json_value(old), "new": _json_value(new)}
    if not changes:
        return False
    record(action=Action.UPDATE, actor=by, request=request, obj=case, changes=changes)
    return True


CARE_TEAM_ROLES: dict[str, str] = {TeamRole.LEAD_CLINICIAN: "lead_clinician", TeamRole.CLINICIAN: "clinician"}


def sync_care_team_add(*, case: Case, member: CaseTeamMember, by, request: HttpRequest | None) -> None:
    """A victim case's team is the care team of its subject (who alone see the victim's sealed
    details: ``people.queries.can_see_sealed_details``)."""
    if case.kind != CaseKind.VICTIM:
        return
    if not is_on_care_team(member.user, case.subject):
        care_team_add(person=case.subject, user=member.user, role=CARE_TEAM_ROLES[member.role], by=by, request=request)


def sync_care_team_remove(*, case: Case, user, by, request: HttpRequest | None) -> None:
    """Someone leaving a victim case's team leaves the subject's care team, unless another victim
    case of the same person still has them."""
    if case.kind != CaseKind.VICTIM:
        return
    still_on_one = (
        CaseTeamMember.objects.filter(user=user, case__kind=CaseKind.VICTIM, case__subject_id=case.subject_id)
        .exclude(case=case)
        .exists()
    )
    if still_on_one:
        return
    member = case.subject.care_team.filter(user=user).first()
    if member is not None:
        care_team_remove(member=member, by=by, request=request)
