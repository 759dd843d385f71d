"""Letters to the referrer (acceptance, decline, request for more information): written from a Jinja2
template, kept as issued (``Letter.body_html``), shown as HTML and made into a PDF by WeasyPrint.

A letter goes to an agency, so it carries no victim details: it names the subject only when the
subject is the person who stalks, never names any other party, and the screening service refuses
a reason that names one.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from markupsafe import Markup

from casework.referrals.choices import Service, SubjectRole

TEMPLATES = {
    "decline": "referrals/letters/decline.jinja",
    "information_request": "referrals/letters/information_request.jinja",
    "acceptance": "referrals/letters/acceptance.jinja",
}
DOCUMENT_TEMPLATE = "referrals/letters/document.jinja"

# One font throughout: the body and the page's margin boxes (the footer, the marking), which do not
# inherit the body's font, are given the same family. Fonts Debian has (fonts-liberation,
# fonts-dejavu-core) or Arial where the letter is printed from a browser.
FONT_FAMILY = 'Arial, "Liberation Sans", "DejaVu Sans", sans-serif'
# The Government Security Classification marking, at the top and the bottom of every page.
PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"

# The letter's stylesheet, the same for every letter so that the print page's Content Security
# Policy can allow exactly it (by its hash) and no other inline style.
LETTER_CSS = (
    (
        """
@page { size: A4; margin: 2cm 2.2cm; font-family: $font; font-size: 9pt; color: #212b32;
  @top-center { content: "$marking"; font-family: $font; font-weight: bold; font-size: 10pt; }
  @bottom-center { content: "$marking"; font-family: $font; font-weight: bold; font-size: 10pt; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-family: $font; font-size: 9pt;
    color: #4c6272; } }
html, body { font-family: $font; }
body { font-size: 10.5pt; line-height: 1.4; color: #212b32; max-width: 42em; margin: 0 auto; }
.letter-from { text-align: right; font-size: 9.5pt; line-height: 1.3; margin-top: 0; }
.letter-to, .letter-date { margin-top: 1em; }
.letter-heading { font-size: 13pt; margin: 1em 0 0.5em; }
.letter-subheading { font-size: 12pt; margin: 1em 0 0.4em; }
.letter-heading, .letter-subheading { break-after: avoid; page-break-after: avoid; }
.letter-reason { white-space: pre-line; border-left: 4px solid #005eb8; padding-left: 0.8em; }
.letter-close { break-inside: avoid; page-break-inside: avoid; }
.letter-signature { margin-top: 1.5em; }
.screen-note { background: #fff9c4; padding: 0.5em 1em; }
@media print { .screen-note { display: none; } }
"""
    )
    .replace("$font", FONT_FAMILY)
    .replace("$marking", PROTECTIVE_MARKING)
)


def clinic() -> dict:
    """Who the letter is from and where to reply (settings ``CLINIC_*``)."""
    address = (settings.CLINIC_ADDRESS or "").replace(";", "\n")
    return {
        "name": settings.CLINIC_NAME,
        "address_lines": [line.strip() for line in address.splitlines() if line.strip()],
        "phone": settings.CLINIC_PHONE,
        "secure_email": settings.CLINIC_SECURE_EMAIL,
    }


def render_letter_html(
    *,
    referral,
    kind: str,
    reason: str,
    by,
    issued_at: dt.datetime | None = None,
    accepted_services: list[str] | None = None,
) -> str:
    """The body of a letter, as it is stored and issued. ``reason`` is the letter's own paragraph
    (the reason for a decline, what is asked for, what happens after an acceptance)."""
    issued_at = issued_at or timezone.now()
    context = {
        "reference": referral.reference,
        "received_on": referral.received_at,
        "issued_at": issued_at,
        "organisation": referral.referring_organisation,
        "referrer_name": referral.referrer_name,
        "referrer_job_title": referral.referrer_job_title,
        # The subject is named only when they are the person who stalks: never a victim.
        "subject_name": referral.subject_name if referral.subject_role == SubjectRole.PERPETRATOR else "",
        "services": [Service(s).label for s in referral.services],
        "accepted_services": [Service(s).label for s in (accepted_services or referral.accepted_services or [])],
        "reason": reason,
        "signatory": by.full_name,
        "signatory_title": by.job_title or by.role_label,
        "clinic": clinic(),
    }
    return render_to_string(TEMPLATES[str(kind)], context)


def letter_document_html(letter, *, screen_note: bool = False) -> str:
    """The whole printable page of a stored letter (for printing and for the PDF)."""
    return render_to_string(
        DOCUMENT_TEMPLATE,
        {
            "letter": letter,
            "reference": letter.referral.reference,
            "style": Markup(LETTER_CSS),  # noqa: S704 (our constant)
            "body": Markup(letter.body_html),  # noqa: S704 (rendered by us, escaped when issued)
            "screen_note": screen_note,
        },
    )


def _no_fetching():
    """A URL fetcher that fetches nothing: a letter needs no outside resource, and must never
    make the server reach one."""
    # WeasyPrint (and Pango beneath it) loads only when a PDF is made, not with every page.
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError("Letters do not load outside resources")

    return NoFetching()


def letter_pdf(letter) -> bytes:
    """The letter as a tagged PDF (PDF/UA-1: a structure tree, marked content, the language and
    the title), made by WeasyPrint with the fonts it finds on the system."""
    from weasyprint import HTML  # loaded only when a PDF is made (see _no_fetching)

    html = HTML(string=letter_document_html(letter), base_url=None, url_fetcher=_no_fetching())
    return html.write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)
