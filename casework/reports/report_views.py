"""The report pages, under a request: /cases/<reference>/reports/<request>/…

Writing (start, the sections with the statements drawn from the record beside them, autosave,
refresh, versions and their comparison, comments, sign-offs, return for changes, the draft PDF) and
issuing (the recipient, the redaction preview, the frozen files, corrections, releases recorded by
hand). The case and the request are loaded for the user (404 if they may not see them); each page
parses a form, calls a service (``drafting``, ``issuing``) or a query, and renders. Every page read
and every download is audited against the case.
"""

from __future__ import annotations

import difflib
import hashlib
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from markupsafe import Markup, escape

from casework.access import policy
from casework.audit.services import record_view
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.reports import queries, rendering
from casework.reports.choices import DraftStatus, RecipientSide
from casework.reports.forms import CommentForm, CorrectionForm, DisclosureForm, IssueForm, ReturnForm
from casework.reports.models import IssuedReport, Report, ReportSection, ReportVersion
from casework.reports.services import drafting, issuing
from casework.reports.views import _case, _report


def _request_and_report(request: HttpRequest, reference: str, pk: int) -> tuple[Any, Any, Report]:
    case = _case(request, reference)
    req = _report(request, case, pk)
    report = queries.report_for_page(request.user, case, req.pk).first()
    if report is None:
        raise Http404("No report has been started for this request")
    return case, req, report


def write_url(report: Report) -> str:
    return reverse("reports:write", args=[report.request.case.reference, report.request_id])


def fingerprint(body: str, withheld: list[str]) -> str:
    """What the editor loaded, so that a save changes only the sections they changed."""
    return hashlib.sha256(f"{body}\x00{','.join(sorted(withheld))}".encode()).hexdigest()


@require_POST
@creates_record
def report_start(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    req = _report(request, case, pk)
    try:
        report = drafting.report_start(request_=req, by=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(reverse("reports:detail", args=[case.reference, req.pk]))
    return redirect(write_url(report))


def _edits_from(post, sections: list[ReportSection]) -> dict[str, dict[str, Any]]:
    """The sections the editor changed (those whose text or recipients differ from what they loaded)."""
    edits: dict[str, dict[str, Any]] = {}
    for section in sections:
        body_name = f"b_{section.key}"
        if body_name not in post:
            continue
        body = post.get(body_name, "").replace("\r\n", "\n")
        withheld = sorted(post.getlist(f"w_{section.key}"))
        if fingerprint(body, withheld) == post.get(f"h_{section.key}"):
            continue
        edits[section.key] = {"body": body, "withheld_from": withheld, "version": post.get(f"v_{section.key}")}
    return edits


def _write_context(request: HttpRequest, case, req, report: Report, *, typed=None, theirs=None) -> dict[str, Any]:
    sections = queries.sections_of(report)
    comments = queries.comments_of(report)
    typed = typed or {}
    rows = []
    for section in sections:
        mine = typed.get(section.key)
        body = mine["body"] if mine else section.body
        withheld = mine["withheld_from"] if mine else list(section.withheld_from)
        rows.append(
            {
                "section": section,
                "body": body,
                "withheld": withheld,
                # After a conflict the editor's text stays and the version moves to theirs, so the
                # next Save (after merging) is accepted.
                "version": section.row_version,
                "hash": fingerprint(section.body, list(section.withheld_from)) if not mine else "",
                "theirs": (theirs or {}).get(section.key),
                "comments": [c for c in comments if c.section_key == section.key],
            }
        )
    user = request.user
    may_draft = report.is_editable and user.has_perm("reports.draft", report)
    if not may_draft:
        for row in rows:
            row["html"] = rendering.markdown_to_html(str(row["body"]))
    return {
        "case": case,
        "req": req,
        "report": report,
        "rows": rows,
        "sides": RecipientSide.choices,
        "open_comments": sum(1 for c in comments if c.resolved_at is None),
        "comment_form": CommentForm(sections=sections),
        "may_draft": may_draft,
        "may_comment": user.has_perm("reports.comment", report),
        "may_sign": report.status == DraftStatus.DRAFTING and user.has_perm("reports.sign_author", report),
        "may_approve": report.status == DraftStatus.AUTHOR_SIGNED and user.has_perm("reports.sign_lead", report),
        "may_return": report.status in (DraftStatus.AUTHOR_SIGNED, DraftStatus.APPROVED)
        and user.has_perm("reports.comment", report),
        "may_issue": report.status in (DraftStatus.APPROVED, DraftStatus.ISSUED)
        and user.has_perm("reports.issue", report),
        "may_correct": report.status == DraftStatus.ISSUED and user.has_perm("reports.correct", report),
        "issues": queries.issues_of(report),
        "latest": drafting.latest_version(report),
    }


@require_http_methods(["GET", "POST"])
def report_write(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The report: every section as a text box (for whoever may draft), the statements drawn from
    the record beside each with a link to where each came from, comments, and the sign-offs."""
    case, req, report = _request_and_report(request, reference, pk)
    if request.method == "POST":
        require(request.user, "reports.draft", report)
        edits = _edits_from(request.POST, queries.sections_of(report))
        try:
            version = drafting.sections_save(report=report, edits=edits, by=request.user, request=request)
        except drafting.EditConflict as conflict:
            messages.error(request, conflict.message)
            context = _write_context(request, case, req, report, typed=edits, theirs=conflict.theirs)
            return render(request, "reports/write.jinja", context, status=409)
        except Refused as refused:
            messages.error(request, refused.message)
            context = _write_context(request, case, req, report, typed=edits)
            return render(request, "reports/write.jinja", context, status=400)
        messages.success(request, f"Saved as version {version.number}" if version else "No changes to save")
        return redirect(write_url(report))
    record_view(request, case, object_label=f"{case.reference}: {report.audit_label}")
    return render(request, "reports/write.jinja", _write_context(request, case, req, report))


@require_POST
def report_autosave(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """What the writing page's script posts: the sections changed since the page loaded. Answers
    JSON: each saved section's new version and fingerprint, or (409) the others' text."""
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.draft", report)
    sections = queries.sections_of(report)
    edits = _edits_from(request.POST, sections)
    try:
        version = drafting.sections_save(report=report, edits=edits, by=request.user, autosave=True, request=request)
    except drafting.EditConflict as conflict:
        return JsonResponse(
            {"saved": False, "conflict": True, "message": conflict.message, "theirs": conflict.theirs}, status=409
        )
    except Refused as refused:
        return JsonResponse({"saved": False, "message": refused.message}, status=400)
    fresh = {s.key: s for s in queries.sections_of(report)}
    return JsonResponse(
        {
            "saved": True,
            "sections": {
                key: {
                    "version": fresh[key].row_version,
                    "hash": fingerprint(fresh[key].body, list(fresh[key].withheld_from)),
                }
                for key in edits
            },
            "message": (
                f"Saved as version {version.number} at {timezone.localtime():%H:%M}" if version else "No changes"
            ),
        }
    )


@require_http_methods(["GET", "POST"])
def section_refresh(request: HttpRequest, reference: str, pk: int, key: str) -> HttpResponse:
    """Draw a section's statements from the record again, and show what changed since."""
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.draft", report)
    section = queries.section_of(report, key)
    if section is None:
        raise Http404("No such section")
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {report.audit_label} refresh {key}")
        return render(request, "reports/refresh.jinja", {"case": case, "req": req, "section": section, "changes": None})
    try:
        changes = drafting.section_refresh(section=section, by=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(write_url(report))
    section.refresh_from_db()
    return render(request, "reports/refresh.jinja", {"case": case, "req": req, "section": section, "changes": changes})


def _diff_html(old: str, new: str) -> Markup:
    """Word by word: deletions in <del>, insertions in <ins>, both escaped."""
    a, b = old.split(), new.split()
    parts: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(str(escape(" ".join(a[i1:i2]))))
        if op in ("delete", "replace"):
            parts.append(f"<del>{escape(' '.join(a[i1:i2]))}</del>")
        if op in ("insert", "replace"):
            parts.append(f"<ins>{escape(' '.join(b[j1:j2]))}</ins>")
    return Markup(" ".join(parts))  # noqa: S704 - every part is escaped above


def compare(older: ReportVersion, newer: ReportVersion) -> list[dict[str, Any]]:
    """Section by section, what changed between two versions."""
    before = {s["key"]: s for s in older.sections}
    rows = []
    for section in newer.sections:
        was = before.pop(section["key"], None)
        old_body = was["body"] if was else ""
        if old_body == section["body"]:
            continue
        rows.append({"title": section["title"], "diff": _diff_html(old_body, section["body"])})
    rows += [{"title": s["title"], "diff": _diff_html(s["body"], "")} for s in before.values()]
    return rows


@require_GET
def report_versions(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Every saved version, newest first; two chosen are compared section by section."""
    case, req, report = _request_and_report(request, reference, pk)
    versions = queries.versions_of(report)
    page = paginate(request, versions)
    comparison = None
    numbers = (request.GET.get("from"), request.GET.get("to"))
    if all(n and n.isdigit() for n in numbers):
        found = {v.number: v for v in versions.filter(number__in=[int(n) for n in numbers])}  # type: ignore[arg-type]
        older, newer = (found.get(int(n)) for n in numbers)  # type: ignore[arg-type]
        if older and newer:
            if older.number > newer.number:
                older, newer = newer, older
            comparison = {"older": older, "newer": newer, "rows": compare(older, newer)}
    record_view(request, case, object_label=f"{case.reference}: {report.audit_label} versions")
    return render(
        request,
        "reports/versions.jinja",
        {
            "case": case,
            "req": req,
            "report": report,
            "page": page,
            "pagination": page_links(request, page),
            "comparison": comparison,
        },
    )


@require_POST
@creates_record
def comment_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.comment", report)
    form = CommentForm(request.POST, sections=queries.sections_of(report))
    if form.is_valid():
        try:
            drafting.comment_add(
                report=report,
                section_key=form.cleaned_data["section_key"],
                body=form.cleaned_data["body"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Comment added")
            return redirect(write_url(report) + "#comments")
    context = _write_context(request, case, req, report)
    context["comment_form"] = form
    return render(request, "reports/write.jinja", context, status=400)


@require_POST
def comment_resolve(request: HttpRequest, reference: str, pk: int, comment_pk: int) -> HttpResponse:
    case, req, report = _request_and_report(request, reference, pk)
    comment = queries.comment_of(report, comment_pk)
    if comment is None:
        raise Http404("No such comment")
    drafting.comment_resolve(comment=comment, by=request.user, request=request)
    messages.success(request, "Comment resolved")
    return redirect(write_url(report) + "#comments")


def _step(request: HttpRequest, reference: str, pk: int, service, done: str) -> HttpResponse:
    case, req, report = _request_and_report(request, reference, pk)
    try:
        service(report=report, by=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, done)
    return redirect(write_url(report))


@require_POST
def report_sign(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _step(request, reference, pk, drafting.author_sign, "Signed: a clinical lead signs it off next")


@require_POST
def report_approve(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    return _step(request, reference, pk, drafting.lead_sign, "Signed off: the report may be issued")


def _small_form(request, *, case, req, report, form, title, intro, submit_text, status=None) -> HttpResponse:
    return render(
        request,
        "reports/small_form.jinja",
        {
            "case": case,
            "req": req,
            "report": report,
            "form": form,
            "title": title,
            "intro": intro,
            "submit_text": submit_text,
            "cancel_url": write_url(report),
        },
        status=status or (400 if form.is_bound else 200),
    )


@require_http_methods(["GET", "POST"])
def report_return(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.comment", report)
    form = ReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            drafting.report_return(report=report, comment=form.cleaned_data["body"], by=request.user, request=request)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Returned to the author for changes: the sign-offs are withdrawn")
            return redirect(write_url(report))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {report.audit_label} return")
    return _small_form(
        request,
        case=case,
        req=req,
        report=report,
        form=form,
        title="Return the report for changes",
        intro="The author's and the clinical lead's sign-offs are withdrawn; what you write here becomes a review comment.",
        submit_text="Return for changes",
    )


@require_GET
def draft_pdf(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The latest version as a PDF marked DRAFT on every page."""
    case, req, report = _request_and_report(request, reference, pk)
    try:
        pdf = issuing.draft_pdf(report=report, by=request.user)
    except Refused as refused:
        messages.error(request, refused.message)
        return redirect(write_url(report))
    record_view(request, case, object_label=f"{case.reference}: {report.audit_label} draft PDF")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{case.reference}-draft.pdf"'
    return response


@require_http_methods(["GET", "POST"])
@creates_record
def report_issue(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Choose the recipient, see what they will receive (the redaction preview), and issue."""
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.issue", report)
    if report.status not in (DraftStatus.APPROVED, DraftStatus.ISSUED):
        messages.error(request, "A clinical lead signs the report off before it is issued")
        return redirect(write_url(report))
    organisations = queries.recipients(case)
    default = req.instructing_party
    form = IssueForm(
        request.POST if request.method == "POST" else None,
        organisations=organisations,
        initial={
            "recipient": str(default.pk) if default else "",
            "recipient_name": req.instructing_officer_name,
            "recipient_side": request.GET.get("side") or issuing.side_for(default),
            "legal_basis": "letter_of_instruction",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            issued = issuing.report_issue(report=report, by=request.user, request=request, **form.service_fields())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, f"Issue {issued.number} made to {issued.recipient.name}: signed PDF and DOCX")
            return redirect(write_url(report) + "#issued")
    side = (form.data.get("recipient_side") if form.is_bound else form.initial["recipient_side"]) or ""
    preview, removed = issuing.preview(report=report, recipient_side=side, by=request.user)
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {report.audit_label} issue")
    return render(
        request,
        "reports/issue.jinja",
        {
            "case": case,
            "req": req,
            "report": report,
            "form": form,
            "side": side,
            "sides": RecipientSide.choices,
            "preview": [{"title": s["title"], "html": rendering.markdown_to_html(s["body"])} for s in preview],
            "removed": removed,
            "cancel_url": write_url(report),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def report_correct(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case, req, report = _request_and_report(request, reference, pk)
    require(request.user, "reports.correct", report)
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            drafting.correction_start(
                report=report, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Correction started: what was issued stays as it was")
            return redirect(write_url(report))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {report.audit_label} correct")
    return _small_form(
        request,
        case=case,
        req=req,
        report=report,
        form=form,
        title="Correct the issued report",
        intro=(
            "The issued files never change. The corrected report is signed again and issued as a new issue "
            "that says what it replaces and why; the disclosure register shows both."
        ),
        submit_text="Start the correction",
    )


def _issued(request: HttpRequest, reference: str, pk: int, issue_pk: int) -> tuple[Any, Report, IssuedReport]:
    case, req, report = _request_and_report(request, reference, pk)
    issued = policy.get_or_404(
        request, IssuedReport, queryset=queries.issued_for_page(request.user, case, req.pk, issue_pk), pk=issue_pk
    )
    return case, report, issued


@require_GET
def issued_file(request: HttpRequest, reference: str, pk: int, issue_pk: int, kind: str) -> HttpResponse:
    """The frozen PDF or DOCX, as issued."""
    case, report, issued = _issued(request, reference, pk, issue_pk)
    require(request.user, "reports.download", issued)
    field = issued.pdf if kind == "pdf" else issued.docx
    content_type = (
        "application/pdf"
        if kind == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    try:
        content = issuing.frozen_bytes(issued, kind)
    except issuing.FileAltered as altered:
        return HttpResponse(altered.message, content_type="text/plain; charset=utf-8", status=409)
    record_view(request, case, object_label=f"{case.reference}: {issued.audit_label} {kind}")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{(field.name or kind).rsplit("/", 1)[-1]}"'
    return response


@require_http_methods(["GET", "POST"])
@creates_record
def disclosure_add(request: HttpRequest, reference: str, pk: int, issue_pk: int) -> HttpResponse:
    """Record a release of an issued report made outside the system (posted again, handed over)."""
    case, report, issued = _issued(request, reference, pk, issue_pk)
    require(request.user, "reports.disclose", issued)
    form = DisclosureForm(
        request.POST if request.method == "POST" else None, initial={"legal_basis": "letter_of_instruction"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            issuing.disclosure_record(
                issued=issued,
                method=form.cleaned_data["method"],
                legal_basis=form.cleaned_data["legal_basis"],
                recipient_name=form.cleaned_data.get("recipient_name") or "",
                note=form.cleaned_data.get("note") or "",
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Release recorded in the disclosure register")
            return redirect(write_url(report) + "#issued")
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {issued.audit_label} release")
    return _small_form(
        request,
        case=case,
        req=report.request,
        report=report,
        form=form,
        title=f"Record a release of issue {issued.number}",
        intro=f"Issued to {issued.recipient.name} on {issued.issued_at:%d %B %Y}.",
        submit_text="Record the release",
    )
