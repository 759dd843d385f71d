"""The report pages: a clinician starts the report from the request, writes it in the browser
(saved with Save or autosave, a stale save shown with both texts), compares versions, a lead
comments and signs off, the report is issued with a redaction preview and downloaded; the pages
keep a fixed query count as the record grows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from casework.cases.tests.factories import IncidentFactory
from casework.core.idempotency import FIELD
from casework.core.testing import assert_page_queries_flat
from casework.reports import services
from casework.reports.models import IssuedReport, Report, ReportSection
from casework.reports.services import drafting


def _token(page: str) -> str:
    return re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]


def _url(name, case, *args):
    return reverse(f"reports:{name}", args=[case.reference, *args])


def _form(page: str) -> dict[str, str]:
    """The writing form's hidden fields and texts, as the browser would send them."""
    data = dict(re.findall(r'<input type="hidden" name="([vh]_[a-z_]+)" value="([^"]*)"', page))
    for key, body in re.findall(
        r'<textarea class="nhsuk-textarea" id="b_[a-z_]+" name="(b_[a-z_]+)"[^>]*>(.*?)</textarea>', page, re.S
    ):
        data[key] = _unescape(body)
    return data


def _unescape(text: str) -> str:
    import html

    return html.unescape(text[1:] if text.startswith("\n") else text)


@pytest.fixture
def req(cast, rworld):
    made = services.requests_from_case(case=rworld.case, by=cast.clinician)
    return next(r for r in made if r.report_type == "sentencing")


def test_a_clinician_starts_the_report_and_sees_where_each_statement_came_from(cast, rworld, req, client_for):
    client = client_for(cast.clinician)
    detail = client.get(_url("detail", rworld.case, req.pk)).content.decode()
    response = client.post(_url("start", rworld.case, req.pk), {FIELD: _token(detail)})
    assert response.status_code == 302 and response["Location"] == _url("write", rworld.case, req.pk)
    page = client.get(_url("write", rworld.case, req.pk)).content.decode()
    assert 'data-testid="statements-instructions"' in page
    assert "Statement of truth" in page or "statement of truth" in page
    assert reverse("cases:detail", args=[rworld.case.reference]) in page  # a statement links to its record


def test_saving_in_the_browser_keeps_a_version_and_a_stale_save_shows_both_texts(cast, rworld, req, client_for):
    report = drafting.report_start(request_=req, by=cast.clinician)
    author, lead = client_for(cast.clinician), client_for(cast.clinical_lead)
    mine = _form(author.get(_url("write", rworld.case, req.pk)).content.decode())
    theirs = _form(lead.get(_url("write", rworld.case, req.pk)).content.decode())
    theirs["b_history"] = "The lead's history."
    assert lead.post(_url("write", rworld.case, req.pk), theirs).status_code == 302
    mine["b_history"] = "The author's history."
    mine["b_opinion"] = "The author's opinion."
    response = author.post(_url("write", rworld.case, req.pk), mine)
    assert response.status_code == 409
    page = response.content.decode()
    theirs = re.search(r'data-testid="theirs-history">(.*?)</pre>', page, re.S)
    assert theirs and theirs[1] == "The lead&#39;s history."  # theirs beside the box…
    assert "The author&#39;s history." in page  # …and mine in it: nothing lost
    assert ReportSection.objects.get(report=report, key="history").body == "The lead's history."
    merged = _form(page)
    merged["b_history"] = "Merged history."
    assert author.post(_url("write", rworld.case, req.pk), merged).status_code == 302
    saved = dict(ReportSection.objects.filter(report=report).values_list("key", "body"))
    assert saved["history"] == "Merged history." and saved["opinion"] == "The author's opinion."


def test_autosave_answers_the_new_versions_or_the_other_text(cast, rworld, req, client_for):
    drafting.report_start(request_=req, by=cast.clinician)
    client = client_for(cast.clinician)
    form = _form(client.get(_url("write", rworld.case, req.pk)).content.decode())
    form["b_opinion"] = "Autosaved opinion."
    answer = client.post(_url("autosave", rworld.case, req.pk), form).json()
    assert answer["saved"] and set(answer["sections"]) == {"opinion"}
    stale = dict(form, b_opinion="A stale opinion.")
    stale["h_opinion"] = form["h_opinion"]  # the page was never told of the save
    response = client.post(_url("autosave", rworld.case, req.pk), stale)
    assert response.status_code == 409 and response.json()["theirs"]["opinion"]["body"] == "Autosaved opinion."


def test_versions_compare_word_by_word(cast, rworld, req, client_for):
    report = drafting.report_start(request_=req, by=cast.clinician)
    section = ReportSection.objects.get(report=report, key="opinion")
    drafting.sections_save(
        report=report,
        edits={"opinion": {"body": "He poses a risk.", "version": section.row_version}},
        by=cast.clinician,
    )
    section.refresh_from_db()
    drafting.sections_save(
        report=report,
        edits={"opinion": {"body": "He poses a high risk.", "version": section.row_version}},
        by=cast.clinician,
    )
    page = client_for(cast.clinical_lead).get(_url("versions", rworld.case, req.pk), {"from": 2, "to": 3})
    assert "<ins>high</ins>" in page.content.decode()


def test_a_lead_comments_the_author_resolves_signs_and_the_lead_signs_off_and_issues(cast, rworld, req, client_for):
    report = drafting.report_start(request_=req, by=cast.clinician)
    author, lead = client_for(cast.clinician), client_for(cast.clinical_lead)
    page = lead.get(_url("write", rworld.case, req.pk)).content.decode()
    response = lead.post(
        _url("comment_add", rworld.case, req.pk),
        {"section_key": "opinion", "body": "Cite the SRP.", FIELD: _token(page)},
    )
    assert response.status_code == 302
    comment = report.comments.get()
    author.post(_url("comment_resolve", rworld.case, req.pk, comment.pk))
    form = _form(author.get(_url("write", rworld.case, req.pk)).content.decode())
    for name in [n for n in form if n.startswith("b_")]:
        form[name] = form[name] or "Written."
    author.post(_url("write", rworld.case, req.pk), form)
    assert author.post(_url("sign", rworld.case, req.pk)).status_code == 302
    assert lead.post(_url("approve", rworld.case, req.pk)).status_code == 302
    report.refresh_from_db()
    assert report.status == "approved"
    issue_page = author.get(_url("issue", rworld.case, req.pk), {"side": "police"}).content.decode()
    assert 'data-testid="preview"' in issue_page and 'data-testid="removed"' in issue_page
    response = author.post(
        _url("issue", rworld.case, req.pk),
        {
            "recipient": str(cast.organisation.pk),
            "recipient_side": "police",
            "method": "secure_email",
            "legal_basis": "letter_of_instruction",
            FIELD: _token(issue_page),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    issued = IssuedReport.objects.get(report=report)
    pdf = author.get(_url("issued_pdf", rworld.case, req.pk, issued.pk))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = lead.get(_url("issued_docx", rworld.case, req.pk, issued.pk))
    assert docx.content[:2] == b"PK"


def test_issuing_refuses_a_report_not_signed_off_and_says_which_fields_are_missing(cast, rworld, req, client_for):
    drafting.report_start(request_=req, by=cast.clinician)
    client = client_for(cast.clinician)
    response = client.get(_url("issue", rworld.case, req.pk))
    assert response.status_code == 302 and response["Location"] == _url("write", rworld.case, req.pk)


def test_the_writing_page_keeps_a_fixed_query_count_as_the_record_grows(cast, rworld, req, client_for):
    report = drafting.report_start(request_=req, by=cast.clinician)
    client = client_for(cast.clinician)

    def grow():
        IncidentFactory(case=rworld.case)
        drafting.comment_add(report=report, section_key="history", body="More.", by=cast.clinical_lead)
        section = ReportSection.objects.get(report=report, key="opinion")
        drafting.sections_save(
            report=report,
            edits={"opinion": {"body": f"{section.body} more", "version": section.row_version}},
            by=cast.clinician,
        )

    assert_page_queries_flat(client, _url("write", rworld.case, req.pk), grow=grow)
    assert_page_queries_flat(client, _url("versions", rworld.case, req.pk), grow=grow)
    assert Report.objects.count() == 1
