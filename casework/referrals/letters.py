"""Letters to the referrer (decline, request for more information): written from a Jinja2
template, kept as issued (``Letter.body_html``), shown as HTML and made into a PDF by WeasyPrint.

A letter goes to an agency, so it carries no victim details: it names the subject only when the
subject is the person who stalks, never names any other party, and the screening service refuses
a reason that names one.
"""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone
from markupsafe import Markup

from casework.referrals.choices import Service, SubjectRole

TEMPLATES = {
    "decline": "referrals/letters/decline.jinja",
    "information_request": "referrals/letters/information_request.jinja",
}
DOCUMENT_TEMPLATE = "referrals/letters/document.jinja"

# The letter's stylesheet, the same for every letter so that the print page's Content Security
# Policy can allow exactly it (by its hash) and no other inline style.
LETTER_CSS = """
@page { size: A4; margin: 2cm 2.2cm;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #4c6272; } }
body { font-family: Arial, "Liberation Sans", "DejaVu Sans", sans-serif; font-size: 11pt; line-height: 1.45;
  color: #212b32; max-width: 42em; margin: 0 auto; }
.letter-from { text-align: right; }
.letter-to, .letter-date { margin-top: 1.5em; }
.letter-heading { font-size: 14pt; margin: 1.2em 0 0.6em; }
.letter-subheading { font-size: 12pt; margin: 1em 0 0.4em; }
.letter-reason { white-space: pre-line; border-left: 4px solid #005eb8; padding-left: 0.8em; }
.letter-signature { margin-top: 2em; }
.screen-note { background: #fff9c4; padding: 0.5em 1em; }
@media print { .screen-note { display: none; } }
"""


def render_letter_html(*, referral, kind: str, reason: str, by, issued_at: dt.datetime | None = None) -> str:
    """The body of a letter, as it is stored and issued."""
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
        "reason": reason,
        "signatory": by.full_name,
        "signatory_title": by.job_title or by.role_label,
    }
    return render_to_string(TEMPLATES[str(kind)], context)


def letter_document_html(letter, *, screen_note: bool = False) -> str:
    """The whole printable page of a stored letter (for printing and for the PDF)."""
    return render_to_string(
        DOCUMENT_TEMPLATE,
        {"letter": letter, "reference": letter.referral.reference, "style": Markup(LETTER_CSS),  # noqa: S704 (our constant)
         "body": Markup(letter.body_html),  # noqa: S704 (rendered by us, escaped when issued)
         "screen_note": screen_note},
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
    """The letter as a PDF, made by WeasyPrint with the fonts it finds on the system."""
    from weasyprint import HTML  # loaded only when a PDF is made (see _no_fetching)

    html = HTML(string=letter_document_html(letter), base_url=None, url_fetcher=_no_fetching())
    return html.write_pdf()
