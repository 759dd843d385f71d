"""The only writers of report requests: create them from the case's accepted report services (no
retyping), add one by hand, change one.

Every function checks its own permission, runs in one transaction and records its audit event
against the case (``cases.case``), so the case's access log holds everything done to it; the
questions asked are recorded only as changed, never their words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.models import Case, CaseService
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.referrals.choices import REPORT_SERVICES, DocumentKind
from casework.referrals.models import ReferralDocument
from casework.reports.choices import SETTABLE_STATUSES, ReportType, RequestStatus, report_type_for
from casework.reports.models import QUESTIONS_LIMIT, ReportRequest

# Recorded as "changed", never with their words.
FREE_TEXT = ("questions", "instructing_officer_name", "instructing_officer_email")


class ReportRefused(Refused):
    """A report request action refused, with the reason for the person who asked."""


def _audit(*, action: Action, case: Case, label: str, by, request: HttpRequest | None, changes: dict[str, Any]) -> None:
    record(
        action=action,
        actor=by,
        request=request,
        obj=case,
        object_label=f"{case.reference}: {label}",
        changes=changes,
    )


def _values(report: ReportRequest) -> dict[str, Any]:
    return {
        name: ("given" if getattr(report, name) else "") if name in FREE_TEXT else str(getattr(report, name) or "")
        for name in ReportRequest.AUDITED_FIELDS
    }


def letter_of_instruction_for(referral) -> ReferralDocument | None:
    """The referral's latest letter of instruction (None when it came without one)."""
    return (
        ReferralDocument.objects.filter(referral=referral, kind=DocumentKind.LETTER_OF_INSTRUCTION)
        .order_by("-uploaded_at", "-id")
        .first()
    )


def pending_from_case(case: Case) -> list[tuple[CaseService, str]]:
    """The case's accepted report services that have no request yet, with the report each asks for."""
    owed = (
        CaseService.objects.filter(case=case, service__in=[s.value for s in REPORT_SERVICES])
        .select_related("source_referral__referring_organisation")
        .order_by("id")
    )
    held: set[tuple[str, int | None, dt.date | None]] = set(
        ReportRequest.objects.filter(case=case).values_list("report_type", "source_referral_id", "due_on")
    )
    held_from = {(kind, source) for kind, source, _ in held if source is not None}
    pending = []
    for service in owed:
        referral = service.source_referral
        kind = report_type_for(service.service, referral.referring_organisation.kind if referral else None)
        if kind is None:
            continue
        if referral is not None and (kind, referral.pk) in held_from:
            continue
        if referral is None and (kind, None, service.due_on) in held:
            continue
        pending.append((service, kind))
    return pending


def requests_from_case(*, case: Case, by, request: HttpRequest | None = None) -> list[ReportRequest]:
    """A request for each report service accepted on the case's referrals that has none yet, with
    the referral's due date, referring organisation and officer, and its letter of instruction.
    Idempotent: run again, it makes nothing it made before."""
    require(by, "reports.add", case)
    made: list[ReportRequest] = []
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()  # one at a time per case
        now = timezone.now()
        for service, kind in pending_from_case(case):
            referral = service.source_referral
            made.append(
                ReportRequest.objects.create(
                    case=case,
                    report_type=kind,
                    instructing_party=referral.referring_organisation if referral else None,
                    instructing_officer_name=(referral.referrer_name if referral else "")[:150],
                    instructing_officer_email=referral.referrer_email if referral else "",
                    due_on=service.due_on,
                    letter_of_instruction=letter_of_instruction_for(referral) if referral else None,
                    source_referral=referral,
                    created_at=now,
                    created_by=by,
                    updated_at=now,
                    updated_by=by,
                )
            )
        if made:
            _audit(
                action=Action.CREATE,
                case=case,
                label="report requests from the referral",
                by=by,
                request=request,
                changes={r.audit_label: {"old": None, "new": _values(r)} for r in made},
            )
    return made


def _check(case: Case, fields: dict[str, Any], *, statuses=SETTABLE_STATUSES) -> None:
    if fields.get("report_type") not in ReportType.values:
        raise ReportRefused("Select the type of report", "report_type")
    if fields.get("status", RequestStatus.REQUESTED) not in [s.value for s in statuses]:
        raise ReportRefused("Select the request's status", "status")
    if len(fields.get("questions") or "") > QUESTIONS_LIMIT:
        raise ReportRefused(f"Questions asked must be {QUESTIONS_LIMIT:,} characters or fewer", "questions")
    if len(fields.get("instructing_officer_name") or "") > 150:
        raise ReportRefused("Instructing officer must be 150 characters or fewer", "instructing_officer_name")
    letter = fields.get("letter_of_instruction")
    if letter is not None and (
        letter.kind != DocumentKind.LETTER_OF_INSTRUCTION
        or not case.case_referrals.filter(referral_id=letter.referral_id).exists()
    ):
        raise ReportRefused(
            "Select a letter of instruction sent with one of this case's referrals", "letter_of_instruction"
        )
    due_on = fields.get("due_on")
    if due_on is not None and not isinstance(due_on, dt.date):
        raise ReportRefused("Enter the due date", "due_on")


def request_add(*, case: Case, by, request: HttpRequest | None = None, **fields: Any) -> ReportRequest:
    """A request added by hand (an instruction that came after the referral)."""
    require(by, "reports.add", case)
    _check(case, fields)
    with transaction.atomic():
        now = timezone.now()
        report = ReportRequest.objects.create(
            case=case,
            report_type=fields["report_type"],
            instructing_party=fields.get("instructing_party"),
            instructing_officer_name=(fields.get("instructing_officer_name") or "").strip(),
            instructing_officer_email=(fields.get("instructing_officer_email") or "").strip(),
            questions=(fields.get("questions") or "").strip(),
            due_on=fields.get("due_on"),
            status=fields.get("status") or RequestStatus.REQUESTED,
            letter_of_instruction=fields.get("letter_of_instruction"),
            created_at=now,
            created_by=by,
            updated_at=now,
            updated_by=by,
        )
        _audit(
            action=Action.CREATE,
            case=case,
            label=report.audit_label,
            by=by,
            request=request,
            changes={report.audit_label: {"old": None, "new": _values(report)}},
        )
    return report


EDITABLE = (
    "status",
    "due_on",
    "questions",
    "instructing_party",
    "instructing_officer_name",
    "instructing_officer_email",
    "letter_of_instruction",
)


def request_update(*, report: ReportRequest, by, request: HttpRequest | None = None, **fields: Any) -> ReportRequest:
    """Change a request's status (requested, in progress, withdrawn: issuing is its own step), due
    date, questions, instructing party and officer, or letter of instruction."""
    require(by, "reports.edit", report)
    if report.status == RequestStatus.ISSUED:
        raise ReportRefused("This report has been issued: its request can no longer change", "status")
    merged = {name: fields.get(name, getattr(report, name)) for name in EDITABLE}
    _check(report.case, {**merged, "report_type": report.report_type})
    with transaction.atomic():
        raw_before = {name: getattr(report, name) for name in ReportRequest.AUDITED_FIELDS}
        before = _values(report)
        for name, value in merged.items():
            setattr(report, name, value.strip() if isinstance(value, str) else value)
        report.updated_by = by
        report.updated_at = timezone.now()
        report.save()
        after = _values(report)
        changed = {
            f"{report.audit_label} {name}": (
                {"old": None, "new": "changed"} if name in FREE_TEXT else {"old": before[name], "new": after[name]}
            )
            for name in ReportRequest.AUDITED_FIELDS
            if raw_before[name] != getattr(report, name)
        }
        if changed:
            _audit(
                action=Action.UPDATE,
                case=report.case,
                label=report.audit_label,
                by=by,
                request=request,
                changes=changed,
            )
    return report
