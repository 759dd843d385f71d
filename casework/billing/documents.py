"""An invoice as a PDF: an HTML document rendered by WeasyPrint through the reports app's renderer
(``reports.rendering.html_to_pdf``). It shows the clinic, the customer, the contract and purchase
order, and one line per billable event: the referral's reference, the service, the date and the
amounts. Nothing about the people in a case, nothing clinical."""

from __future__ import annotations

import markupsafe
from django.conf import settings
from django.template.loader import render_to_string

from casework.referrals.letters import FONT_FAMILY, clinic
from casework.reports.rendering import html_to_pdf

INVOICE_TEMPLATE = "billing/document/invoice.jinja"
INVOICE_CSS = (
    """
@page { size: A4; margin: 2cm; font-family: $font; font-size: 10pt; color: #212b32;
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 8pt; } }
body { font-family: $font; }
h1 { font-size: 20pt; margin: 0 0 0.4cm; }
.invoice-from, .invoice-to { margin-bottom: 0.5cm; }
table { border-collapse: collapse; width: 100%; margin-bottom: 0.5cm; }
th, td { text-align: left; padding: 4pt 6pt; border-bottom: 0.5pt solid #d8dde0; vertical-align: top; }
td.amount, th.amount { text-align: right; }
.invoice-totals th { text-align: right; }
"""
).replace("$font", FONT_FAMILY)


def render_invoice_html(invoice, lines) -> str:
    return render_to_string(
        INVOICE_TEMPLATE,
        {
            "invoice": invoice,
            "lines": lines,
            "clinic": clinic(),
            "vat_number": getattr(settings, "BILLING_VAT_NUMBER", ""),
            "style": markupsafe.Markup(INVOICE_CSS),  # noqa: S704  (our constant)
        },
    )


def render_invoice_pdf(invoice, lines) -> bytes:
    return html_to_pdf(render_invoice_html(invoice, lines))
