"""Rendering a clinic report: the same document as HTML (on screen, for preview), as a tagged PDF
(WeasyPrint, PDF/UA-1) and as a Word file (docxtpl), and the PDF signed (PAdES, pyHanko) and verified.

Nothing here reads or writes the database: services build a ``ReportDocument`` from the report's
records and store what comes back. Section bodies are Markdown written by clinicians; they are
parsed once (markdown-it-py, CommonMark with tables, raw HTML off) and become sanitised HTML
(``markdown_to_html``, nh3 with a short allow-list) or Word paragraphs built through python-docx, so
no text of a user's is ever put into HTML or XML unescaped.

The page furniture is the letters' (casework.referrals.letters): one font family, and the
Government Security Classification marking at the top and the bottom of every page.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import markupsafe
import nh3
from django.conf import settings
from django.template.loader import render_to_string
from markdown_it import MarkdownIt
from markdown_it.token import Token

from casework.core.formatting import date_gb
from casework.referrals.letters import FONT_FAMILY, PROTECTIVE_MARKING, clinic

DOCUMENT_TEMPLATE = "reports/document/report.jinja"
DOCX_TEMPLATE = Path(__file__).resolve().parent / "docx" / "report-template.docx"
# The common name of the certificate made for the demo and the tests; production refuses it
# (casework.reports.checks).
DEMO_CERTIFICATE_COMMON_NAME = "NSC Casework DEMONSTRATION signing certificate"
DRAFT_MARK = "DRAFT"

# What a section's Markdown may become in HTML, and nothing else: no links, images, attributes or styles.
ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "blockquote",
        "h3",
        "h4",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
    }
)

# The report's stylesheet: one constant for every report, draft or issued, so that the preview
# page's Content Security Policy can allow exactly it by its hash (REPORT_CSS_HASH), as the letters do.
REPORT_CSS = (
    (
        """
@page { size: A4; margin: 2.3cm 2cm 2.4cm; font-family: $font; font-size: 9pt; color: #212b32;
  @top-center { content: "$marking"; font-family: $font; font-weight: bold; font-size: 10pt; }
  @top-right { content: string(version); font-family: $font; font-size: 8pt; color: #4c6272; }
  @bottom-left { content: string(reference); font-family: $font; font-size: 8.5pt; color: #4c6272; }
  @bottom-center { content: "$marking"; font-family: $font; font-weight: bold; font-size: 10pt; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: $font; font-size: 8.5pt;
    color: #4c6272; } }
html, body { font-family: $font; }
body { font-size: 10.5pt; line-height: 1.45; color: #212b32; max-width: 44em; margin: 0 auto; }
.report-reference { string-set: reference content(); }
.report-version { string-set: version content(); }
.report-marking { text-align: center; font-weight: bold; margin: 0 0 1em; }
@media print { .report-marking { display: none; } }
.report-title { font-size: 17pt; line-height: 1.25; margin: 0 0 0.6em; }
.report-particulars { border-collapse: collapse; width: 100%; margin: 0 0 1.2em; font-size: 10pt; }
.report-particulars th, .report-particulars td { text-align: left; vertical-align: top; padding: 0.25em 0.6em 0.25em 0;
  border-bottom: 1px solid #d8dde0; }
.report-particulars th { width: 34%; font-weight: bold; }
.report-correction { border-left: 4px solid #005eb8; padding: 0.2em 0 0.2em 0.8em; margin: 0 0 1.2em; }
.report-section { margin-top: 1.2em; }
.report-section h2 { font-size: 13pt; margin: 0 0 0.4em; break-after: avoid; page-break-after: avoid; }
.report-section h3 { font-size: 11.5pt; margin: 1em 0 0.3em; break-after: avoid; page-break-after: avoid; }
.report-section h4 { font-size: 10.5pt; margin: 0.9em 0 0.3em; break-after: avoid; page-break-after: avoid; }
.report-section blockquote { border-left: 4px solid #aeb7bd; margin: 0.6em 0; padding-left: 0.8em; }
.report-section table { border-collapse: collapse; margin: 0.6em 0; }
.report-section th, .report-section td { border: 1px solid #aeb7bd; padding: 0.2em 0.5em; text-align: left;
  vertical-align: top; }
.report-section > code { display: block; white-space: pre-wrap; margin: 0.6em 0; }
.report-section code { font-family: "Liberation Mono", "DejaVu Sans Mono", monospace; font-size: 9.5pt; }
.report-empty { color: #4c6272; font-style: italic; }
.report-signature { margin-top: 2em; break-inside: avoid; page-break-inside: avoid; }
.report-draft-watermark { position: fixed; top: 40%; left: -10%; width: 120%; text-align: center;
  transform: rotate(-45deg); font-size: 120pt; font-weight: bold; letter-spacing: 0.1em;
  color: rgba(212, 53, 28, 0.18); z-index: -1; }
@media screen { .report-draft-watermark { pointer-events: none; } }
"""
    )
    .replace("$font", FONT_FAMILY)
    .replace("$marking", PROTECTIVE_MARKING)
)
REPORT_CSS_HASH = f"'sha256-{base64.b64encode(hashlib.sha256(REPORT_CSS.encode()).digest()).decode()}'"


@dataclass(frozen=True)
class DocumentSection:
    key: str
    title: str
    body_markdown: str


@dataclass(frozen=True)
class ReportDocument:
    title: str  # e.g. "Psychiatric or psychological report for sentencing"
    case_reference: str  # "CAS-2026-00042"
    subject_name: str
    subject_date_of_birth: dt.date | None
    recipient: str  # organisation and officer, one line
    author_name: str
    author_role: str  # e.g. "Consultant forensic psychiatrist"
    approved_by: str  # clinical lead's name, "" when not yet
    dated: dt.date
    version_label: str  # "Issue 1" / "Issue 2, correcting issue 1" / "Draft version 7"
    correction_note: str  # why this issue replaces the last; "" otherwise
    sections: tuple[DocumentSection, ...]
    draft: bool  # True: DRAFT watermark on every page (PDF and DOCX)


@dataclass(frozen=True)
class SignatureCheck:
    intact: bool  # the signed bytes are unchanged
    valid: bool  # intact, cryptographically sound, by the configured certificate, covering the whole file
    signer: str  # the signing certificate's subject ("" when there is no signature)


# --- Markdown -------------------------------------------------------------------------------------

# Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; lone surrogates;
# U+FFFE and U+FFFF). Removed from every text before it reaches HTML or Word.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean_text(text: str | None) -> str:
    return _NOT_XML.sub("", text or "")


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table")


_MARKDOWN = _parser()


def _tokens(text: str) -> list[Token]:
    """The Markdown's block tokens, its headings moved under the section's own heading (h2): #, ## and
    ### become h3, deeper ones h4, the only heading levels a section body may hold."""
    tokens = _MARKDOWN.parse(_clean_text(text))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = "h3" if int(token.tag[1]) <= 3 else "h4"
    return tokens


def markdown_to_html(text: str) -> markupsafe.Markup:
    """A section body as HTML: Markdown (CommonMark and tables, raw HTML shown as text) rendered,
    then sanitised to ``ALLOWED_TAGS`` with no attributes at all."""
    html = _MARKDOWN.renderer.render(_tokens(text), _MARKDOWN.options, {})
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={},
        url_schemes=set(),
        link_rel=None,
        strip_comments=True,
    )
    return markupsafe.Markup(clean)  # noqa: S704  (sanitised by nh3 just above)


# --- HTML and PDF ---------------------------------------------------------------------------------


def _particulars(doc: ReportDocument) -> list[tuple[str, str]]:
    return [
        ("Case reference", doc.case_reference),
        ("Subject", doc.subject_name),
        ("Date of birth", date_gb(doc.subject_date_of_birth)),
        ("Prepared for", doc.recipient),
        ("Author", f"{doc.author_name}, {doc.author_role}" if doc.author_role else doc.author_name),
        ("Approved by", doc.approved_by or "Not yet approved"),
        ("Date", date_gb(doc.dated)),
        ("Version", doc.version_label),
    ]


def render_html(doc: ReportDocument) -> str:
    """The report as one HTML document: what the PDF is made from, and the on-screen preview (whose
    page must allow the inline stylesheet by ``REPORT_CSS_HASH``)."""
    return render_to_string(
        DOCUMENT_TEMPLATE,
        {
            "doc": doc,
            "particulars": [(label, _clean_text(value)) for label, value in _particulars(doc)],
            "sections": [(section, markdown_to_html(section.body_markdown)) for section in doc.sections],
            "marking": PROTECTIVE_MARKING,
            "draft_mark": DRAFT_MARK,
            "clinic": clinic(),
            "style": markupsafe.Markup(REPORT_CSS),  # noqa: S704  (our constant)
        },
    )


def _no_fetching():
    """A URL fetcher that fetches nothing: a report needs no outside resource, and must never make
    the server reach one."""
    from weasyprint.urls import URLFetcher  # WeasyPrint loads only when a PDF is made

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError("Reports do not load outside resources")

    return NoFetching()


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML document as a tagged A4 PDF (PDF/UA-1: structure tree, marked content,
    language, title), fetching nothing from outside. Reports use it, and so do invoices."""
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_no_fetching()).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def render_pdf(doc: ReportDocument) -> bytes:
    """The report as a tagged A4 PDF (PDF/UA-1: structure tree, marked content, language, title)."""
    return html_to_pdf(render_html(doc))


# --- Word -----------------------------------------------------------------------------------------


class _WordBody:
    """Section bodies as WordprocessingML paragraphs and tables, built with python-docx (which
    escapes every text it is given) in a scratch document made from the same default template as
    the report's template, so the style ids agree. Rendered raw by docxtpl's ``{{p ... }}``."""

    def __init__(self, xml: str) -> None:
        self.xml = xml

    def __str__(self) -> str:
        return self.xml

    def __html__(self) -> str:
        return self.xml


def _runs(paragraph, inline: Token | None, *, base_bold: bool = False) -> None:
    """The inline token's text as runs: bold, italic and code kept, links as their text, images
    left out (as in the HTML)."""
    if inline is None or not inline.children:
        return
    bold, italic, skip = 0, 0, 0
    for child in inline.children:
        kind = child.type
        if kind == "image":
            continue
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind in ("text", "code_inline") and not skip:
            run = paragraph.add_run(child.content)
            run.bold = True if (bold or base_bold) else None
            run.italic = True if italic else None
            if kind == "code_inline":
                run.font.name = "Courier New"
        elif kind == "softbreak":
            paragraph.add_run(" ")
        elif kind == "hardbreak":
            paragraph.add_run().add_break()


class _WordWriter:
    """Walks a section body's block tokens and adds the matching paragraphs and tables to a scratch
    python-docx document. Bulleted lists use Word's list styles (three levels); numbered lists are
    numbered by hand, because Word's list numbering would run on from one list into the next."""

    def __init__(self) -> None:
        from docx import Document

        self.scratch = Document()
        self.body = self.scratch.element.body
        for child in list(self.body):
            if not child.tag.endswith("}sectPr"):
                self.body.remove(child)
        self.lists: list[dict[str, Any]] = []  # the lists we are in: ordered or not, the next number
        self.quote_depth = 0
        self.item_paragraphs = 0  # paragraphs so far in the current list item

    def write(self, tokens: list[Token]) -> str:
        from lxml import etree

        i = 0
        while i < len(tokens):
            i = self._block(tokens, i)
        return "".join(
            etree.tostring(child, encoding="unicode") for child in self.body if not child.tag.endswith("}sectPr")
        )

    def _block(self, tokens: list[Token], i: int) -> int:
        """Handles the token at ``i``; the index of the next token to handle."""
        token = tokens[i]
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            ordered = kind == "ordered_list_open"
            self.lists.append({"ordered": ordered, "next": int(token.attrGet("start") or 1) if ordered else 1})
        elif kind in ("bullet_list_close", "ordered_list_close"):
            self.lists.pop()
        elif kind == "list_item_open":
            self.item_paragraphs = 0
        elif kind in ("blockquote_open", "blockquote_close"):
            self.quote_depth += 1 if kind == "blockquote_open" else -1
        elif kind == "heading_open":
            # The report's title is the Title, each section a Heading 1: a body's headings come below.
            paragraph = self.scratch.add_paragraph(style="Heading 2" if token.tag == "h3" else "Heading 3")
            _runs(paragraph, tokens[i + 1])
            return i + 3
        elif kind == "paragraph_open":
            self._paragraph(tokens[i + 1])
            return i + 3
        elif kind in ("fence", "code_block"):
            paragraph = self.scratch.add_paragraph(style="No Spacing")
            for number, line in enumerate(token.content.rstrip("\n").split("\n")):
                if number:
                    paragraph.add_run().add_break()
                paragraph.add_run(line).font.name = "Courier New"
        elif kind == "table_open":
            return self._table(tokens, i)
        return i + 1

    def _paragraph(self, inline: Token) -> None:
        style, prefix = "Quote" if self.quote_depth else "Normal", ""
        if self.lists:
            depth = min(len(self.lists), 3)
            current = self.lists[-1]
            level = "" if depth == 1 else f" {depth}"
            style = f"List Continue{level}"
            if self.item_paragraphs == 0 and not current["ordered"]:
                style = f"List Bullet{level}"
            elif self.item_paragraphs == 0:
                prefix = f"{current['next']}.\u00a0"
                current["next"] += 1
            self.item_paragraphs += 1
        paragraph = self.scratch.add_paragraph(style=style)
        if prefix:
            paragraph.add_run(prefix)
        _runs(paragraph, inline)

    def _table(self, tokens: list[Token], i: int) -> int:
        rows: list[list[tuple[Token, bool]]] = []
        j = i + 1
        while tokens[j].type != "table_close":
            if tokens[j].type == "tr_open":
                rows.append([])
            elif tokens[j].type in ("th_open", "td_open"):
                rows[-1].append((tokens[j + 1], tokens[j].type == "th_open"))
            j += 1
        columns = max((len(row) for row in rows), default=0)
        if rows and columns:
            table = self.scratch.add_table(rows=len(rows), cols=columns)
            table.style = self.scratch.styles["Table Grid"]
            for r, row in enumerate(rows):
                for c, (inline, header) in enumerate(row):
                    _runs(table.cell(r, c).paragraphs[0], inline, base_bold=header)
        return j + 1


def _body_xml(markdown: str) -> str:
    return _WordWriter().write(_tokens(markdown))


def render_docx(doc: ReportDocument) -> bytes:
    """The report as a Word file from the committed template (casework/reports/docx/, rebuilt by
    make_template.py): the marking in the header and footer of every page, "Page N of M" fields,
    a DRAFT watermark when ``doc.draft``. Every text is escaped by Jinja (autoescape) or python-docx."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(DOCX_TEMPLATE))
    context = {
        "title": _clean_text(doc.title),
        "reference": _clean_text(doc.case_reference),
        "version": _clean_text(doc.version_label),
        "particulars": [{"label": label, "value": _clean_text(value)} for label, value in _particulars(doc)],
        "correction_note": _clean_text(doc.correction_note),
        "sections": [
            {
                "title": _clean_text(section.title),
                "body": _WordBody(_body_xml(section.body_markdown)),
                "empty": not section.body_markdown.strip(),
            }
            for section in doc.sections
        ],
        "draft": doc.draft,
        "author": _clean_text(doc.author_name),
        "author_role": _clean_text(doc.author_role),
        "clinic_name": _clean_text(clinic()["name"]),
    }
    template.render(context, autoescape=True)
    properties = template.docx.core_properties  # what a screen reader announces; escaped by python-docx
    properties.title = f"{context['title']} – {context['reference']}"
    properties.author = context["clinic_name"]
    properties.language = "en-GB"
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


# --- Signing --------------------------------------------------------------------------------------


def _make_demo_certificate(directory: Path, key_path: Path, cert_path: Path) -> None:
    """A self-signed certificate for the demo and the tests, made once. Made in a directory of its
    own and moved into place whole, so that two processes starting together never pair one's key
    with the other's certificate."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CERTIFICATE_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "NSC Casework (demonstration only)"),
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".report-signing-", dir=directory.parent))
    (staging / key_path.name).write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (staging / key_path.name).chmod(0o600)
    (staging / cert_path.name).write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    try:
        os.rename(staging, directory)
    except OSError:  # another process made it first: use theirs
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()


def signing_files() -> tuple[Path, Path, bytes | None]:
    """The signing key, certificate and passphrase configured; outside production the demonstration
    certificate, made on first use when the settings point at it and it is not there yet."""
    from django.core.exceptions import ImproperlyConfigured

    key_setting, cert_setting = settings.REPORT_SIGNING_KEY, settings.REPORT_SIGNING_CERT
    if not key_setting or not cert_setting:
        raise ImproperlyConfigured("REPORT_SIGNING_KEY and REPORT_SIGNING_CERT must be set to sign reports")
    key_path, cert_path = Path(key_setting), Path(cert_setting)
    demo_dir = Path(settings.REPORT_SIGNING_DEMO_DIR)
    if (
        not settings.PRODUCTION
        and key_path.parent == demo_dir
        and cert_path.parent == demo_dir
        and not (key_path.exists() and cert_path.exists())
    ):
        _make_demo_certificate(demo_dir, key_path, cert_path)
    passphrase = settings.REPORT_SIGNING_PASSPHRASE or None
    return key_path, cert_path, passphrase.encode() if passphrase else None


def _subject(certificate) -> str:
    """The certificate's subject as RFC 4514 text ("CN=…,O=…,C=GB")."""
    from cryptography import x509

    return x509.load_der_x509_certificate(certificate.dump()).subject.rfc4514_string()


def sign_pdf(pdf: bytes) -> tuple[bytes, str]:
    """The PDF with a PAdES signature (B-B, SHA-256) by the configured certificate, added as an
    incremental update; and the certificate's subject, as text."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    key_path, cert_path, passphrase = signing_files()
    signer = signers.SimpleSigner.load(str(key_path), str(cert_path), key_passphrase=passphrase)
    if signer is None:
        raise ValueError("The report signing key or certificate could not be read")
    metadata = signers.PdfSignatureMetadata(
        field_name="ClinicSignature",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason="Issued by the clinic",
        location=clinic()["name"],
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    out = signers.PdfSigner(metadata, signer=signer).sign_pdf(writer)
    assert signer.signing_cert is not None  # noqa: S101  (SimpleSigner.load always sets it)
    return out.getvalue(), _subject(signer.signing_cert)


def verify_pdf(pdf: bytes) -> SignatureCheck:
    """Whether the PDF's signature is intact (the signed bytes unchanged) and valid (intact, sound,
    made with the configured certificate, which is the only trust root, and covering the whole
    file). A file that cannot be read, or holds no signature, is neither."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _, cert_path, _ = signing_files()
    trust_root = load_cert_from_pemder(str(cert_path))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if not signatures:
            return SignatureCheck(intact=False, valid=False, signer="")
        status = validate_pdf_signature(
            signatures[-1], ValidationContext(trust_roots=[trust_root], allow_fetching=False)
        )
    except Exception:  # noqa: BLE001  (a damaged file is a failed check, not an error)
        return SignatureCheck(intact=False, valid=False, signer="")
    valid = bool(
        status.intact and status.valid and status.trusted and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    return SignatureCheck(intact=bool(status.intact), valid=valid, signer=_subject(status.signing_cert))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
