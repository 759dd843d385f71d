"""The report rendering engine on real files: WeasyPrint's PDF read back by poppler's pdftotext and
pikepdf, the Word file by python-docx, signatures made and checked by pyHanko."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import hashlib
import html.parser
import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
from django.core.checks import run_checks
from django.test import override_settings

from casework.reports import checks, rendering
from casework.reports.rendering import DocumentSection, ReportDocument
from casework.reports.tests.certificates import own_certificate

MARKING = "OFFICIAL-SENSITIVE"

PARAGRAPH = (
    "Mr Example described repeated contact with the victim over eighteen months, including messages, "
    "visits to her workplace and waiting outside her home. He minimised the effect of his behaviour and "
    "said that he had only wanted to talk. The pattern is consistent with a rejected ex-intimate motivation."
)


def body(n_paragraphs: int, extra: str = "") -> str:
    return "\n\n".join([PARAGRAPH] * n_paragraphs) + ("\n\n" + extra if extra else "")


def make_document(*, draft: bool, sections: int = 6, paragraphs: int = 8, **changes) -> ReportDocument:
    fields = {
        "title": "Psychiatric or psychological report for sentencing",
        "case_reference": "CAS-2026-00042",
        "subject_name": "Sam Example",
        "subject_date_of_birth": dt.date(1984, 5, 17),
        "recipient": "Crown Prosecution Service, Ms A Officer",
        "author_name": "Dr Jo Author",
        "author_role": "Consultant forensic psychiatrist",
        "approved_by": "" if draft else "Dr Lee Lead",
        "dated": dt.date(2026, 12, 6),
        "version_label": "Draft version 7" if draft else "Issue 2, correcting issue 1",
        "correction_note": "" if draft else "The date of the second interview was wrong.",
        "sections": tuple(
            DocumentSection(
                key=f"section-{i}",
                title=f"Section {i}: history of the behaviour",
                body_markdown=body(
                    paragraphs, f"- bullet point in section {i}\n- another point\n\n1. first\n2. second"
                ),
            )
            for i in range(1, sections + 1)
        ),
        "draft": draft,
    }
    fields.update(changes)
    return ReportDocument(**fields)


def pdf_pages_text(pdf: bytes, *, raw: bool = False) -> list[str]:
    """The text of each page, by poppler's pdftotext."""
    count = len(pikepdf.open(io.BytesIO(pdf)).pages)
    pages = []
    for number in range(1, count + 1):
        args = ["pdftotext", "-f", str(number), "-l", str(number), *(["-raw"] if raw else []), "-", "-"]
        pages.append(subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode())  # noqa: S603
    return pages


@pytest.fixture(scope="module")
def draft_pdf() -> bytes:
    return rendering.render_pdf(make_document(draft=True))


@pytest.fixture(scope="module")
def issued_pdf() -> bytes:
    return rendering.render_pdf(make_document(draft=False))


@pytest.fixture(scope="module")
def signed(issued_pdf) -> tuple[bytes, str]:
    return rendering.sign_pdf(issued_pdf)


# --- PDF ------------------------------------------------------------------------------------------


def test_every_page_of_a_long_report_carries_the_marking_at_top_and_bottom_and_its_page_number(issued_pdf):
    pages = pdf_pages_text(issued_pdf)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        lines = [line for line in text.splitlines() if line.strip()]
        assert lines[0] == MARKING, f"page {number} does not start with the marking"
        assert text.count(MARKING) >= 2, f"page {number} lacks the marking at the bottom"
        assert f"Page {number} of {len(pages)}" in text
    assert "Page 1 of" in pages[0]


def test_the_pdf_is_tagged_with_its_language_and_title(issued_pdf):
    pdf = pikepdf.open(io.BytesIO(issued_pdf))
    root = pdf.Root
    assert bool(root.MarkInfo.Marked) is True
    assert "/StructTreeRoot" in root
    assert str(root.Lang) == "en-GB"
    assert str(pdf.docinfo.Title) == "Psychiatric or psychological report for sentencing – CAS-2026-00042"
    assert bool(root.ViewerPreferences.DisplayDocTitle) is True
    mediabox = [float(v) for v in pdf.pages[0].MediaBox]
    assert round(mediabox[2]) == 595 and round(mediabox[3]) == 842  # A4


def test_a_draft_pdf_is_watermarked_draft_on_every_page_and_an_issued_one_nowhere(draft_pdf, issued_pdf):
    draft_pages = pdf_pages_text(draft_pdf, raw=True)
    assert len(draft_pages) >= 3
    for text in draft_pages:  # the diagonal letters come out one a line
        assert "DRAFT" in re.sub(r"\s+", "", text)
    for text in pdf_pages_text(issued_pdf, raw=True):
        assert "DRAFT" not in re.sub(r"\s+", "", text)


def test_the_pdf_shows_the_particulars_sections_and_correction_note(issued_pdf):
    text = " ".join(pdf_pages_text(issued_pdf))
    flat = re.sub(r"\s+", " ", text)
    for expected in (
        "Psychiatric or psychological report for sentencing",
        "CAS-2026-00042",
        "17 May 1984",
        "Crown Prosecution Service, Ms A Officer",
        "Dr Jo Author, Consultant forensic psychiatrist",
        "Dr Lee Lead",
        "6 December 2026",
        "Issue 2, correcting issue 1",
        "The date of the second interview was wrong.",
        "Section 1: history of the behaviour",
        "Section 6: history of the behaviour",
        "bullet point in section 3",
    ):
        assert expected in flat


def test_user_text_in_the_particulars_is_escaped_in_the_html():
    html = rendering.render_html(
        make_document(draft=True, sections=1, paragraphs=1, subject_name="<script>alert(1)</script>")
    )
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<html lang="en-GB">' in html


def test_the_preview_carries_exactly_the_stylesheet_its_csp_hash_allows():
    html = rendering.render_html(make_document(draft=True, sections=1, paragraphs=1))
    assert f"<style>{rendering.REPORT_CSS}</style>" in html
    digest = base64.b64encode(hashlib.sha256(rendering.REPORT_CSS.encode()).digest()).decode()
    assert rendering.REPORT_CSS_HASH == f"'sha256-{digest}'"


# --- Markdown -------------------------------------------------------------------------------------


class _Elements(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def elements(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Elements()
    parser.feed(markup)
    return parser.tags


def test_markdown_becomes_the_allowed_html():
    html = rendering.markdown_to_html(
        "# Heading\n\n#### Lower\n\nSome **bold** and *emphasis* and `code`.\n\n- one\n- two\n\n1. first\n\n"
        "> quoted\n\n| A | B |\n|---|---|\n| 1 | 2 |\n"
    )
    tags = {tag for tag, _ in elements(html)}
    assert tags == {"h3", "h4", "p", "strong", "em", "code", "ul", "ol", "li", "blockquote"} | {
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
    assert tags <= rendering.ALLOWED_TAGS


@pytest.mark.parametrize(
    "markdown",
    [
        "<script>alert(1)</script>",
        "Hello <img src=x onerror=alert(1)> there",
        '<a href="javascript:alert(1)">click</a>',
        "[click](javascript:alert(1))",
        "[click](JaVaScRiPt:alert(1))",
        "<javascript:alert(1)>",
        "![x](javascript:alert(1))",
        '<div onmouseover="alert(1)">x</div>',
        "<svg><script>alert(1)</script></svg>",
    ],
)
def test_markdown_never_lets_script_handlers_or_javascript_links_through(markdown):
    html = rendering.markdown_to_html(markdown)
    for tag, attrs in elements(html):
        assert tag in rendering.ALLOWED_TAGS
        assert attrs == []  # no onerror, no href, no style: no attribute at all
    assert "<script" not in html.lower()
    assert "<a " not in html and "<img" not in html


def test_markdown_drops_characters_xml_cannot_hold():
    assert rendering.markdown_to_html("a\x00b\x1fc") == "<p>abc</p>\n"


# --- Word -----------------------------------------------------------------------------------------


def _docx_parts(data: bytes, prefix: str) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(name).decode() for name in archive.namelist() if name.startswith(prefix))


def test_the_word_file_has_the_marking_page_fields_headings_and_body():
    data = rendering.render_docx(make_document(draft=False))
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    assert section.header.paragraphs[0].text == MARKING
    assert MARKING in [p.text for p in section.footer.paragraphs]
    footer_xml = _docx_parts(data, "word/footer")
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == [f"Section {i}: history of the behaviour" for i in range(1, 7)]
    texts = [p.text for p in document.paragraphs]
    assert PARAGRAPH in texts
    assert "The date of the second interview was wrong." in texts
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "bullet point in section 2" in bullets
    particulars = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert particulars["Case reference"] == "CAS-2026-00042"
    assert particulars["Approved by"] == "Dr Lee Lead"
    assert document.core_properties.title == "Psychiatric or psychological report for sentencing – CAS-2026-00042"
    assert "DRAFT" not in _docx_parts(data, "word/header")


def test_a_draft_word_file_is_marked_draft_in_its_header_with_a_watermark():
    data = rendering.render_docx(make_document(draft=True, sections=2, paragraphs=2))
    document = docx.Document(io.BytesIO(data))
    assert "DRAFT – not issued" in [p.text for p in document.sections[0].header.paragraphs]
    assert 'string="DRAFT"' in _docx_parts(data, "word/header")


def test_user_text_reaches_the_word_file_as_text_never_as_xml():
    hostile = '</w:t></w:r><w:r><w:t>injected & "quoted" <b>'
    document_ = dataclasses.replace(
        make_document(draft=False, sections=1, paragraphs=1),
        subject_name=hostile,
        sections=(DocumentSection("s", hostile, f"{hostile}\n\n- {hostile}\n\n**{hostile}**\x00"),),
    )
    data = rendering.render_docx(document_)
    document = docx.Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [hostile]
    texts = [p.text for p in document.paragraphs]
    assert texts.count(hostile) >= 2
    assert {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}["Subject"] == hostile
    assert "<w:t>injected" not in _docx_parts(data, "word/document.xml")


def test_the_committed_word_template_is_what_make_template_builds(tmp_path):
    from casework.reports.docx import make_template

    rebuilt = make_template.build(tmp_path / "template.docx")

    def parts(path: Path) -> dict[str, bytes]:
        with zipfile.ZipFile(path) as archive:
            return {
                name: archive.read(name)
                for name in archive.namelist()
                if name.startswith("word/") and name.endswith(".xml")
            }

    assert parts(rebuilt) == parts(rendering.DOCX_TEMPLATE)


# --- Signing --------------------------------------------------------------------------------------


def test_a_signed_pdf_verifies_with_the_configured_certificate(signed):
    data, subject = signed
    assert "CN=NSC Casework DEMONSTRATION signing certificate" in subject
    check = rendering.verify_pdf(data)
    assert check.intact and check.valid
    assert check.signer == subject


def test_changing_one_byte_inside_the_signed_range_breaks_the_signature(signed):
    data, _ = signed
    pdf = pikepdf.open(io.BytesIO(data))
    byte_range = [int(v) for v in pdf.Root.AcroForm.Fields[0].V.ByteRange]
    # A byte in the middle of the first signed range (the original document), not in the signature itself.
    position = byte_range[1] // 2
    tampered = bytearray(data)
    tampered[position] = (tampered[position] + 1) % 256
    check = rendering.verify_pdf(bytes(tampered))
    assert not check.intact
    assert not check.valid


def test_an_unsigned_or_unreadable_pdf_is_neither_intact_nor_valid(issued_pdf):
    assert rendering.verify_pdf(issued_pdf) == rendering.SignatureCheck(intact=False, valid=False, signer="")
    assert rendering.verify_pdf(b"not a pdf") == rendering.SignatureCheck(intact=False, valid=False, signer="")


def test_the_configured_certificate_signs_with_its_passphrase_and_is_the_only_trust_root(tmp_path, signed):
    key_path, cert_path = own_certificate(tmp_path, passphrase=b"correct horse")  # pragma: allowlist secret
    pdf = rendering.render_pdf(make_document(draft=False, sections=1, paragraphs=1))
    with override_settings(
        REPORT_SIGNING_KEY=str(key_path),
        REPORT_SIGNING_CERT=str(cert_path),
        REPORT_SIGNING_PASSPHRASE="correct horse",  # pragma: allowlist secret
    ):
        data, subject = rendering.sign_pdf(pdf)
        assert subject == "CN=National Stalking Clinic report signing"
        assert rendering.verify_pdf(data) == rendering.SignatureCheck(True, True, subject)
        # Signed with the demonstration certificate: intact, but not by the certificate configured now.
        other = rendering.verify_pdf(signed[0])
        assert other.intact and not other.valid


def test_sha256_is_the_hex_digest():
    assert rendering.sha256(b"report") == hashlib.sha256(b"report").hexdigest()


# --- The deployment check -------------------------------------------------------------------------


@pytest.mark.django_db  # the other apps' checks read the database
def test_production_without_a_signing_certificate_is_refused():
    with override_settings(PRODUCTION=True, REPORT_SIGNING_KEY=None, REPORT_SIGNING_CERT=None):
        errors = run_checks(include_deployment_checks=True)
    assert "reports.E001" in [error.id for error in errors]


def test_production_with_the_demonstration_certificate_is_refused(signed):
    key, cert, _ = rendering.signing_files()
    with override_settings(PRODUCTION=True, REPORT_SIGNING_KEY=str(key), REPORT_SIGNING_CERT=str(cert)):
        assert [error.id for error in checks.check_report_signing(None)] == ["reports.E003"]


def test_production_with_the_clinics_own_certificate_passes(tmp_path):
    key_path, cert_path = own_certificate(tmp_path)
    with override_settings(PRODUCTION=True, REPORT_SIGNING_KEY=str(key_path), REPORT_SIGNING_CERT=str(cert_path)):
        assert checks.check_report_signing(None) == []
    (tmp_path / "other").mkdir()
    other_key, _ = own_certificate(tmp_path / "other")
    with override_settings(PRODUCTION=True, REPORT_SIGNING_KEY=str(other_key), REPORT_SIGNING_CERT=str(cert_path)):
        assert [error.id for error in checks.check_report_signing(None)] == ["reports.E004"]


def test_checks_outside_production_say_nothing():
    with override_settings(PRODUCTION=False, REPORT_SIGNING_KEY=None, REPORT_SIGNING_CERT=None):
        assert checks.check_report_signing(None) == []
