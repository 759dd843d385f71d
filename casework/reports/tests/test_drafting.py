"""Writing a report: started from the record, saved section by section with every version kept,
two editors never losing each other's work, comments, the two sign-offs, issue as frozen and signed
PDF and DOCX, corrections as new issues, and the register entry each issue writes."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import PermissionDenied

from casework.audit.models import AuditEvent
from casework.reports import rendering, services
from casework.reports.choices import DraftStatus, RequestStatus
from casework.reports.models import DisclosureEntry, ReportSection, ReportVersion
from casework.reports.services import drafting, issuing


@pytest.fixture
def started(cast, rworld):
    made = services.requests_from_case(case=rworld.case, by=cast.clinician)
    request_ = next(r for r in made if r.report_type == "sentencing")
    return drafting.report_start(request_=request_, by=cast.clinician)


def _edit(report, key, body):
    section = ReportSection.objects.get(report=report, key=key)
    return {key: {"body": body, "version": section.row_version}}


def _write_everything(report, by):
    edits = {
        s.key: {"body": s.body or f"{s.title}: written.", "version": s.row_version}
        for s in ReportSection.objects.filter(report=report)
    }
    drafting.sections_save(report=report, edits=edits, by=by)


def _approve(report, cast):
    _write_everything(report, cast.clinician)
    drafting.author_sign(report=report, by=cast.clinician)
    return drafting.lead_sign(report=report, by=cast.clinical_lead)


def test_starting_lays_out_the_types_sections_filled_from_the_record_once(cast, rworld, started):
    keys = list(ReportSection.objects.filter(report=started).values_list("key", flat=True))
    assert keys[0] == "instructions" and "opinion" in keys and keys[-1] == "declaration"
    instructions = ReportSection.objects.get(report=started, key="instructions")
    assert instructions.statements and all(s["source"]["path"] for s in instructions.statements)
    assert "DC Dana Instructing" in instructions.body
    started.request.refresh_from_db()
    assert started.request.status == RequestStatus.IN_PROGRESS
    assert ReportVersion.objects.filter(report=started).count() == 1
    assert drafting.report_start(request_=started.request, by=cast.clinician) == started


def test_every_save_keeps_a_version_and_an_unchanged_save_keeps_none(cast, started):
    version = drafting.sections_save(
        report=started, edits=_edit(started, "opinion", "First opinion."), by=cast.clinician
    )
    assert version.number == 2 and version.sections[[s["key"] for s in version.sections].index("opinion")]["body"]
    again = drafting.sections_save(report=started, edits=_edit(started, "opinion", "First opinion."), by=cast.clinician)
    assert again is None
    drafting.sections_save(report=started, edits=_edit(started, "opinion", "Second opinion."), by=cast.clinician)
    bodies = [
        next(s["body"] for s in v.sections if s["key"] == "opinion")
        for v in ReportVersion.objects.filter(report=started).order_by("number")
    ]
    assert bodies[1:] == ["First opinion.", "Second opinion."]
    event = AuditEvent.objects.filter(object_label__contains=started.audit_label).order_by("-id").first()
    assert "Second opinion" not in str(event.changes)  # the trail says what changed, never the words


def test_two_editors_of_one_section_never_lose_each_others_work(cast, started):
    mine = _edit(started, "history", "Written by the author.")
    theirs = _edit(started, "history", "Written by a colleague.")
    drafting.sections_save(report=started, edits=theirs, by=cast.clinical_lead)
    with pytest.raises(drafting.EditConflict) as conflict:
        drafting.sections_save(report=started, edits=mine, by=cast.clinician)
    assert conflict.value.theirs["history"]["body"] == "Written by a colleague."
    assert ReportSection.objects.get(report=started, key="history").body == "Written by a colleague."
    merged = {"history": {"body": "Both texts, merged.", "version": conflict.value.theirs["history"]["version"]}}
    drafting.sections_save(report=started, edits=merged, by=cast.clinician)
    assert ReportSection.objects.get(report=started, key="history").body == "Both texts, merged."


def test_two_editors_of_different_sections_both_save(cast, started):
    first = _edit(started, "history", "History.")
    second = _edit(started, "mental_state", "Mental state.")
    drafting.sections_save(report=started, edits=first, by=cast.clinician)
    drafting.sections_save(report=started, edits=second, by=cast.clinical_lead)
    saved = dict(ReportSection.objects.filter(report=started).values_list("key", "body"))
    assert saved["history"] == "History." and saved["mental_state"] == "Mental state."


def test_sign_off_needs_comments_resolved_the_author_first_then_another_lead(cast, started):
    _write_everything(started, cast.clinician)
    comment = drafting.comment_add(report=started, section_key="opinion", body="Say why.", by=cast.clinical_lead)
    with pytest.raises(drafting.DraftRefused, match="Resolve every review comment"):
        drafting.author_sign(report=started, by=cast.clinician)
    drafting.comment_resolve(comment=comment, by=cast.clinician)
    with pytest.raises(drafting.DraftRefused, match="author signs"):
        drafting.lead_sign(report=started, by=cast.clinical_lead)
    with pytest.raises(PermissionDenied):
        drafting.author_sign(report=started, by=cast.clinical_lead)  # not the author
    drafting.author_sign(report=started, by=cast.clinician)
    with pytest.raises(drafting.DraftRefused, match="return it for changes"):
        drafting.sections_save(report=started, edits=_edit(started, "opinion", "Late change."), by=cast.clinician)
    with pytest.raises(PermissionDenied):
        drafting.lead_sign(report=started, by=cast.clinician)
    report = drafting.lead_sign(report=started, by=cast.clinical_lead)
    assert report.status == DraftStatus.APPROVED and report.lead_signed_by == cast.clinical_lead


def test_returning_a_signed_report_withdraws_both_sign_offs(cast, started):
    _approve(started, cast)
    report = drafting.report_return(report=started, comment="The opinion needs sources.", by=cast.clinical_lead)
    assert report.status == DraftStatus.DRAFTING and report.lead_signed_at is None and report.author_signed_at is None
    assert report.comments.filter(resolved_at__isnull=True).count() == 1


def test_issuing_freezes_a_signed_pdf_and_a_docx_with_their_hashes_and_logs_the_release(cast, rworld, started):
    report = _approve(started, cast)
    with pytest.raises(PermissionDenied):
        issuing.report_issue(
            report=report,
            recipient=cast.organisation,
            recipient_side="police",
            method="secure_email",
            legal_basis="letter_of_instruction",
            by=cast.other_clinician,
        )
    issued = issuing.report_issue(
        report=report,
        recipient=cast.organisation,
        recipient_side="police",
        recipient_name="DC Dana Instructing",
        method="secure_email",
        legal_basis="letter_of_instruction",
        by=cast.clinician,
    )
    pdf = issued.pdf.open("rb").read()
    docx = issued.docx.open("rb").read()
    assert hashlib.sha256(pdf).hexdigest() == issued.pdf_sha256
    assert hashlib.sha256(docx).hexdigest() == issued.docx_sha256
    check = rendering.verify_pdf(pdf)
    assert check.intact and check.valid
    entry = DisclosureEntry.objects.get(issued_report=issued)
    assert (entry.method, entry.legal_basis, entry.recipient) == (
        "secure_email",
        "letter_of_instruction",
        cast.organisation,
    )
    report.refresh_from_db()
    report.request.refresh_from_db()
    assert report.status == DraftStatus.ISSUED and report.request.status == RequestStatus.ISSUED


def test_a_report_changed_after_sign_off_cannot_be_issued(cast, started):
    report = _approve(started, cast)
    report.signed_version = 1
    report.save(update_fields=["signed_version"])
    with pytest.raises(issuing.IssueRefused, match="changed after it was signed"):
        issuing.report_issue(
            report=report,
            recipient=cast.organisation,
            recipient_side="police",
            method="post",
            legal_basis="letter_of_instruction",
            by=cast.clinician,
        )


def test_a_correction_is_a_new_issue_that_says_what_it_replaces_and_leaves_the_first_untouched(cast, started):
    report = _approve(started, cast)
    kwargs = {"recipient": cast.organisation, "recipient_side": "police", "method": "post"}
    first = issuing.report_issue(report=report, legal_basis="letter_of_instruction", by=cast.clinician, **kwargs)
    first_pdf = first.pdf.open("rb").read()
    drafting.correction_start(report=report, reason="The date of the index offence was wrong.", by=cast.clinician)
    drafting.sections_save(report=report, edits=_edit(report, "history", "Corrected history."), by=cast.clinician)
    drafting.author_sign(report=report, by=cast.clinician)
    drafting.lead_sign(report=report, by=cast.clinical_lead)
    second = issuing.report_issue(report=report, legal_basis="letter_of_instruction", by=cast.clinician, **kwargs)
    assert second.number == 2 and second.replaces == first
    assert second.correction_reason == "The date of the index offence was wrong."
    first.refresh_from_db()
    assert first.pdf.open("rb").read() == first_pdf
    assert hashlib.sha256(first_pdf).hexdigest() == first.pdf_sha256
    assert DisclosureEntry.objects.filter(issued_report__report=report).count() == 2


def test_an_issued_file_altered_on_disk_is_refused_not_served(cast, rworld, started, client_for):
    from django.urls import reverse

    report = _approve(started, cast)
    issued = issuing.report_issue(
        report=report,
        recipient=cast.organisation,
        recipient_side="police",
        method="portal",
        legal_basis="letter_of_instruction",
        by=cast.clinician,
    )
    url = reverse("reports:issued_pdf", args=[rworld.case.reference, report.request_id, issued.pk])
    assert client_for(cast.clinician).get(url).status_code == 200
    with open(issued.pdf.path, "r+b") as handle:  # one byte changed behind the application's back
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 1]))
    response = client_for(cast.clinician).get(url)
    assert response.status_code == 409 and b"does not match the SHA-256" in response.content
    portal = client_for(cast.by_name("agency")).get(reverse("portal:report_pdf", args=[issued.pk]))
    assert portal.status_code == 409
