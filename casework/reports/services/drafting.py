"""The only writers of a report's draft: start it from the record, save sections (also what autosave
calls), refresh a section's statements from the record, comment, sign off (the author, then a
clinical lead), return it for changes, and open a correction after issue.

Every save keeps a numbered ``ReportVersion`` of the whole draft. Each section carries its own
``row_version``: two people editing different sections never collide, and a save of a section
someone else saved since it was opened is refused with ``EditConflict`` carrying their text, so
the editor keeps theirs and sees the other (never lost). Audit events are recorded against the
case with what changed, never the report's words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import F, Max
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.models import Action
from casework.audit.services import record
from casework.core.permissions import require
from casework.core.refusals import Refused
from casework.reports import prefill, sections
from casework.reports.choices import DraftStatus, RecipientSide, RequestStatus
from casework.reports.models import (
    COMMENT_LIMIT,
    CORRECTION_REASON_LIMIT,
    SECTION_BODY_LIMIT,
    Report,
    ReportComment,
    ReportRequest,
    ReportSection,
    ReportVersion,
)


class DraftRefused(Refused):
    """A drafting action refused, with the reason for the person who asked."""


class EditConflict(DraftRefused):
    """Someone else saved a section since this editor opened it: ``theirs`` maps each section key
    to what is saved now (and its version), so the editor can merge instead of overwriting."""

    def __init__(self, message: str, theirs: dict[str, dict[str, Any]]) -> None:
        super().__init__(message)
        self.theirs = theirs


def _audit(*, action: Action, report: Report, by, request: HttpRequest | None, changes: dict[str, Any]) -> None:
    case = report.request.case
    record(
        action=action,
        actor=by,
        request=request,
        obj=case,
        object_label=f"{case.reference}: {report.audit_label}",
        changes=changes,
    )


def _snapshot(report: Report) -> list[dict[str, Any]]:
    return [
        {"key": s.key, "title": s.title, "body": s.body, "withheld_from": list(s.withheld_from)}
        for s in ReportSection.objects.filter(report=report).order_by("position", "id")
    ]


def _keep_version(report: Report, *, by, reason: str) -> ReportVersion:
    """A numbered copy of the whole draft as it stands (inside the caller's transaction, with the
    report row locked so numbers never collide)."""
    number = (ReportVersion.objects.filter(report=report).aggregate(n=Max("number"))["n"] or 0) + 1
    return ReportVersion.objects.create(
        report=report, number=number, sections=_snapshot(report), saved_by=by, reason=reason
    )


def latest_version(report: Report) -> ReportVersion | None:
    return ReportVersion.objects.filter(report=report).order_by("-number").first()


def _statements_as_text(statements: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(f"- {s['text']}" for s in statements)


def report_start(*, request_: ReportRequest, by, request: HttpRequest | None = None) -> Report:
    """Start the report for a request: a section per the type's template, each pre-filled with the
    template's starting text and the statements drawn from the record (with their sources).
    Starting twice returns the report already started."""
    require(by, "reports.draft", request_)
    if request_.status == RequestStatus.WITHDRAWN:
        raise DraftRefused("This request has been withdrawn: no report can be written for it")
    with transaction.atomic():
        ReportRequest.objects.select_for_update().filter(pk=request_.pk).first()
        existing = Report.objects.filter(request=request_).first()
        if existing is not None:
            return existing
        now = timezone.now()
        report = Report.objects.create(request=request_, author=by, created_by=by, created_at=now, updated_at=now)
        found = prefill.prefill_all(request_)
        for position, spec in enumerate(sections.sections_for(request_.report_type), start=1):
            statements = found.get(spec.key, [])
            body = "\n\n".join(part for part in (spec.starter, _statements_as_text(statements)) if part)
            ReportSection.objects.create(
                report=report,
                key=spec.key,
                title=spec.title,
                position=position,
                body=body,
                statements=statements,
                prefilled_at=now if spec.prefilled else None,
                updated_at=now,
                updated_by=by,
            )
        _keep_version(report, by=by, reason="started")
        if request_.status == RequestStatus.REQUESTED:
            ReportRequest.objects.filter(pk=request_.pk).update(
                status=RequestStatus.IN_PROGRESS, updated_at=now, updated_by=by
            )
        _audit(
            action=Action.CREATE,
            report=report,
            by=by,
            request=request,
            changes={report.audit_label: {"old": None, "new": f"started for {request_.audit_label}"}},
        )
    return report


def _check_sections(edits: Mapping[str, Mapping[str, Any]], known: Mapping[str, ReportSection]) -> None:
    for key, edit in edits.items():
        if key not in known:
            raise DraftRefused("That section is not part of this report")
        body = edit.get("body")
        if body is not None and len(body) > SECTION_BODY_LIMIT:
            raise DraftRefused(f"{known[key].title} must be {SECTION_BODY_LIMIT:,} characters or fewer", key)
        sides = edit.get("withheld_from")
        if sides is not None and any(side not in RecipientSide.values for side in sides):
            raise DraftRefused("Select who the section is not for from the list", key)


def _version(value: Any) -> int:
    """The section version an editor sent (anything that is not a number counts as none: stale)."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


def sections_save(
    *,
    report: Report,
    edits: Mapping[str, Mapping[str, Any]],
    by,
    autosave: bool = False,
    request: HttpRequest | None = None,
) -> ReportVersion | None:
    """Save the sections an editor changed: ``edits`` maps a section key to ``{"body", "version"}``
    (and optionally ``"withheld_from"``), ``version`` being the section's ``row_version`` when the
    editor opened it. Sections saved by someone else since are refused all together with
    ``EditConflict`` (nothing is saved); the others' text is in the refusal. Returns the new
    version, or None when nothing changed."""
    require(by, "reports.draft", report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != DraftStatus.DRAFTING:
            raise DraftRefused("This report has been signed: return it for changes before editing")
        known = {s.key: s for s in ReportSection.objects.select_for_update().filter(report=locked)}
        _check_sections(edits, known)
        stale = {
            key: {"body": known[key].body, "version": known[key].row_version, "title": known[key].title}
            for key, edit in edits.items()
            if _version(edit.get("version")) != known[key].row_version
            and (edit.get("body") is not None and edit.get("body") != known[key].body)
        }
        if stale:
            titles = ", ".join(str(v["title"]) for v in stale.values())
            raise EditConflict(
                f"Someone else saved {titles} while you were editing: your text is kept below theirs, "
                "merge the two and save again",
                stale,
            )
        changed = []
        now = timezone.now()
        for key, edit in edits.items():
            section = known[key]
            body = section.body if edit.get("body") is None else str(edit["body"]).replace("\r\n", "\n")
            sides = section.withheld_from if edit.get("withheld_from") is None else sorted(set(edit["withheld_from"]))
            if body == section.body and sides == section.withheld_from:
                continue
            ReportSection.objects.filter(pk=section.pk).update(
                body=body, withheld_from=sides, row_version=F("row_version") + 1, updated_at=now, updated_by=by
            )
            changed.append(key)
        if not changed:
            return None
        Report.objects.filter(pk=locked.pk).update(updated_at=now)
        version = _keep_version(locked, by=by, reason="autosaved" if autosave else "saved")
        _audit(
            action=Action.UPDATE,
            report=locked,
            by=by,
            request=request,
            changes={"sections": {"old": None, "new": f"changed: {', '.join(changed)}"}, "version": version.number},
        )
    return version


def section_refresh(*, section: ReportSection, by, request: HttpRequest | None = None) -> dict[str, Any]:
    """Draw the section's statements from the record again; returns what changed in the record
    since they were last drawn (``prefill.statement_changes``). The author's text is theirs and is
    not touched: they bring the changes in themselves."""
    require(by, "reports.draft", section.report)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=section.report_id)
        if report.status != DraftStatus.DRAFTING:
            raise DraftRefused("This report has been signed: return it for changes before refreshing")
        section = ReportSection.objects.select_for_update().get(pk=section.pk)
        fresh = prefill.prefill(report.request, section.key)
        changes = prefill.statement_changes(section.statements, fresh)
        ReportSection.objects.filter(pk=section.pk).update(statements=fresh, prefilled_at=timezone.now())
        _audit(
            action=Action.UPDATE,
            report=report,
            by=by,
            request=request,
            changes={"statements": {"old": None, "new": f"refreshed: {section.key}"}},
        )
    return changes


def comment_add(*, report: Report, section_key: str, body: str, by, request: HttpRequest | None = None):
    require(by, "reports.comment", report)
    body = (body or "").strip()
    if not body:
        raise DraftRefused("Enter your comment", "body")
    if len(body) > COMMENT_LIMIT:
        raise DraftRefused(f"Comment must be {COMMENT_LIMIT:,} characters or fewer", "body")
    if not ReportSection.objects.filter(report=report, key=section_key).exists():
        raise DraftRefused("Select the section the comment is about", "section_key")
    with transaction.atomic():
        comment = ReportComment.objects.create(report=report, section_key=section_key, body=body, created_by=by)
        _audit(
            action=Action.CREATE,
            report=report,
            by=by,
            request=request,
            changes={f"comment {comment.pk}": {"old": None, "new": f"on {section_key}"}},
        )
    return comment


def comment_resolve(*, comment: ReportComment, by, request: HttpRequest | None = None) -> ReportComment:
    require(by, "reports.draft", comment.report)
    with transaction.atomic():
        updated = ReportComment.objects.filter(pk=comment.pk, resolved_at__isnull=True).update(
            resolved_at=timezone.now(), resolved_by=by
        )
        if updated:
            _audit(
                action=Action.UPDATE,
                report=comment.report,
                by=by,
                request=request,
                changes={f"comment {comment.pk}": {"old": "open", "new": "resolved"}},
            )
    comment.refresh_from_db()
    return comment


def author_sign(*, report: Report, by, request: HttpRequest | None = None) -> Report:
    """The author signs the draft as it stands; it can no longer change unless returned."""
    require(by, "reports.sign_author", report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != DraftStatus.DRAFTING:
            raise DraftRefused("Only a report being drafted can be signed by its author")
        if ReportComment.objects.filter(report=locked, resolved_at__isnull=True).exists():
            raise DraftRefused("Resolve every review comment before signing")
        empty = [s.title for s in ReportSection.objects.filter(report=locked) if not s.body.strip()]
        if empty:
            raise DraftRefused(f"Write every section before signing: {', '.join(empty)} is empty")
        version = latest_version(locked)
        now = timezone.now()
        Report.objects.filter(pk=locked.pk).update(
            status=DraftStatus.AUTHOR_SIGNED,
            author_signed_at=now,
            signed_version=version.number if version else None,
            updated_at=now,
        )
        _audit(
            action=Action.UPDATE,
            report=locked,
            by=by,
            request=request,
            changes={"status": {"old": locked.status, "new": DraftStatus.AUTHOR_SIGNED.value}},
        )
    report.refresh_from_db()
    return report


def lead_sign(*, report: Report, by, request: HttpRequest | None = None) -> Report:
    """A clinical lead other than the author signs the report off: it may be issued."""
    require(by, "reports.sign_lead", report)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != DraftStatus.AUTHOR_SIGNED:
            raise DraftRefused("The author signs the report before a clinical lead signs it off")
        if locked.author_id == by.pk:
            raise DraftRefused("A clinical lead other than the author signs the report off")
        now = timezone.now()
        Report.objects.filter(pk=locked.pk).update(
            status=DraftStatus.APPROVED, lead_signed_by=by, lead_signed_at=now, updated_at=now
        )
        _audit(
            action=Action.UPDATE,
            report=locked,
            by=by,
            request=request,
            changes={"status": {"old": locked.status, "new": DraftStatus.APPROVED.value}},
        )
    report.refresh_from_db()
    return report


def report_return(*, report: Report, comment: str, by, request: HttpRequest | None = None) -> Report:
    """Send a signed draft back for changes: both sign-offs are withdrawn; the reason is kept as a
    review comment on the first section."""
    require(by, "reports.comment", report)
    if report.status not in (DraftStatus.AUTHOR_SIGNED, DraftStatus.APPROVED):
        raise DraftRefused("Only a signed draft can be returned for changes")
    if not (comment or "").strip():
        raise DraftRefused("Enter what needs to change", "body")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        first = ReportSection.objects.filter(report=locked).order_by("position").first()
        comment_add(report=locked, section_key=first.key if first else "", body=comment, by=by, request=request)
        Report.objects.filter(pk=locked.pk).update(
            status=DraftStatus.DRAFTING,
            author_signed_at=None,
            lead_signed_by=None,
            lead_signed_at=None,
            signed_version=None,
            updated_at=timezone.now(),
        )
        _audit(
            action=Action.UPDATE,
            report=locked,
            by=by,
            request=request,
            changes={"status": {"old": locked.status, "new": DraftStatus.DRAFTING.value}},
        )
    report.refresh_from_db()
    return report


def correction_start(*, report: Report, reason: str, by, request: HttpRequest | None = None) -> Report:
    """Reopen an issued report to correct it. What was issued stays frozen; the corrected report is
    issued later as a new issue saying what it replaces and why."""
    require(by, "reports.correct", report)
    reason = (reason or "").strip()
    if not reason:
        raise DraftRefused("Enter why the report needs correcting", "reason")
    if len(reason) > CORRECTION_REASON_LIMIT:
        raise DraftRefused(f"Reason must be {CORRECTION_REASON_LIMIT:,} characters or fewer", "reason")
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status != DraftStatus.ISSUED:
            raise DraftRefused("Only an issued report can be corrected")
        Report.objects.filter(pk=locked.pk).update(
            status=DraftStatus.DRAFTING,
            correction_reason=reason,
            author_signed_at=None,
            lead_signed_by=None,
            lead_signed_at=None,
            signed_version=None,
            updated_at=timezone.now(),
        )
        locked.refresh_from_db()
        _keep_version(locked, by=by, reason="correction")
        _audit(
            action=Action.UPDATE,
            report=locked,
            by=by,
            request=request,
            changes={"status": {"old": DraftStatus.ISSUED.value, "new": "correcting"}, "reason": "given"},
        )
    report.refresh_from_db()
    return report
