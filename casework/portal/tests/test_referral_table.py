"""The portal's referral table is written out by hand (``portal/_tables.jinja``) rather than through
the nhsuk-frontend table macro, which was most of the list's time (issue 19). It must show exactly
what the macro showed: the same elements, classes, roles, hidden cell headings and text."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.template import engines

from casework.core.testing import markup_shape

# What ``referrals_table`` was, through the nhsuk-frontend macro (kept here as the reference).
THROUGH_THE_NHSUK_MACRO = """
{%- from "nhsuk/components/tables/macro.jinja" import table -%}
{%- from "nhsuk/components/tag/macro.jinja" import tag -%}
{%- set table_rows = [] -%}
{%- for row in rows -%}
  {%- set tag_html %}{{ tag({"text": row.status, "colour": row.tag_colour}) }}{% endset -%}
  {%- set services_html %}{% for s in row.services %}{{ s }}{% if not loop.last %}<br>{% endif %}{% endfor %}{% endset -%}
  {%- do table_rows.append([
    {"header": "Reference", "text": row.referral.reference, "href": url("portal:detail", reference=row.referral.reference)},
    {"header": "Person referred", "text": row.initials},
    {"header": "Services", "html": services_html},
    {"header": "Received", "text": row.referral.received_at | date_gb},
    {"header": "Status", "html": tag_html},
    {"header": "Report needed by", "text": row.referral.report_due_on | date_gb("None")}
  ]) -%}
{%- endfor -%}
{{ table({
  "caption": caption, "responsive": true,
  "head": [{"text": "Reference"}, {"text": "Person referred"}, {"text": "Services"}, {"text": "Received"},
           {"text": "Status"}, {"text": "Report needed by"}],
  "rows": table_rows
}) }}
"""
LEAN = '{% from "portal/_tables.jinja" import referrals_table %}{{ referrals_table(rows, caption) }}'
CAPTION = "Referrals your organisation has sent, newest first"


def sample_rows(count: int = 25) -> list[dict]:
    """Synthetic rows as ``portal.views._referral_rows`` makes them (text that must be escaped included)."""
    return [
        {
            "referral": SimpleNamespace(
                reference=f"REF-2026-{n:05d}",
                received_at=dt.datetime(2026, 5, 1, 10, 0, tzinfo=dt.UTC),
                report_due_on=dt.date(2026, 7, 1) if n % 2 else None,
            ),
            "initials": "A. B.",
            "services": ["Assessment", "Report <for court> & more"] if n % 3 else ["Treatment"],
            "status": "Accepted" if n % 2 else "Screening",
            "tag_colour": "green" if n % 2 else "grey",
        }
        for n in range(count)
    ]


def render(source: str, rows: list[dict]) -> str:
    return engines["jinja2"].env.from_string(source).render(rows=rows, caption=CAPTION)


shape = markup_shape


def test_the_referral_table_shows_what_the_nhsuk_macro_showed():
    rows = sample_rows()
    assert shape(render(LEAN, rows)) == shape(render(THROUGH_THE_NHSUK_MACRO, rows))


def test_the_referral_table_is_much_smaller_than_the_macros():
    rows = sample_rows()
    assert len(render(LEAN, rows)) * 3 < len(render(THROUGH_THE_NHSUK_MACRO, rows))
