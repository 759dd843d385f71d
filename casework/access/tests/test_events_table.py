"""The access-review pages' events table is written out by hand (``audit/_events.jinja``) rather than
through the nhsuk-frontend table macro, which was most of a busy record's access log (issue 19). It
must show exactly what the macro showed: the same elements, classes, roles, hidden cell headings and
text, with and without the "Who" and "Record" columns."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import engines

from casework.core.testing import markup_shape

# What ``events_table`` was, through the nhsuk-frontend macro (kept here as the reference).
THROUGH_THE_NHSUK_MACRO = """
{%- from "nhsuk/components/tables/macro.jinja" import table -%}
{%- from "audit/_events.jinja" import changes_list -%}
  {%- set head = [{"text": "When"}] -%}
  {%- if show_who %}{% do head.extend([{"text": "Who"}, {"text": "Role"}]) %}{% endif -%}
  {%- do head.append({"text": "Action"}) -%}
  {%- if show_record %}{% do head.append({"text": "Record"}) %}{% endif -%}
  {%- do head.extend([{"text": "Reason"}, {"text": "From"}, {"text": "Changes"}]) -%}
  {%- set rows = [] -%}
  {%- for event in events -%}
    {%- set row = [{"text": event.when | datetime_gb}] -%}
    {%- if show_who -%}
      {%- do row.append({"text": event.who, "href": event.who_url} if event.who_url else {"text": event.who}) -%}
      {%- do row.append({"text": event.role or "–"}) -%}
    {%- endif -%}
    {%- do row.append({"text": event.action}) -%}
    {%- if show_record -%}
      {%- do row.append({"text": event.record or "–", "href": event.record_url} if event.record_url else {"text": event.record or "–"}) -%}
    {%- endif -%}
    {%- do row.append({"text": event.reason or "–"}) -%}
    {%- set where -%}
      {{ event.ip_address or "Address not recorded" }}{% if event.request_id %}<br><span class="nhsuk-body-s">Request {{ event.request_id }}</span>{% endif %}
    {%- endset -%}
    {%- do row.append({"html": where}) -%}
    {%- set changed = changes_list(event.changes) -%}
    {%- do row.append({"html": changed} if event.changes else {"text": "–"}) -%}
    {%- do rows.append(row) -%}
  {%- endfor -%}
  {{ table({"caption": caption, "captionSize": "m", "responsive": true, "head": head, "rows": rows}) }}
"""
LEAN = (
    '{% from "audit/_events.jinja" import events_table %}'
    "{{ events_table(events, caption, show_record=show_record, show_who=show_who) }}"
)


def sample_events(count: int = 25) -> list[dict]:
    """Rows as ``access.views.review.event_rows`` makes them (text that must be escaped included)."""
    return [
        {
            "sequence": n,
            "when": dt.datetime(2026, 5, 1, 10, n % 60, tzinfo=dt.UTC),
            "who": "Clare <Clinician> & co" if n % 4 else "No account",
            "who_url": f"/audit/users/{n}/" if n % 4 else None,
            "role": "Clinician" if n % 3 else "",
            "action": "Viewed" if n % 2 else "Changed",
            "refused": False,
            "record": f"CASE-2026-{n:05d}" if n % 5 else "",
            "record_url": f"/audit/records/cases.case/{n}/" if n % 5 > 1 else None,
            "reason": "" if n % 2 else "Duty lead <checking> a call",
            "ip_address": "10.0.0.1" if n % 3 else "",
            "request_id": f"{n:016x}" if n % 2 else "",
            "changes": [{"field": "Status", "old": "Open" if n % 4 else None, "new": "Closed & <done>"}]
            if n % 2 == 0
            else [],
        }
        for n in range(count)
    ]


def render(source: str, events: list[dict], **flags) -> str:
    return engines["jinja2"].env.from_string(source).render(events=events, caption="Who looked <here>", **flags)


shape = markup_shape


@pytest.mark.parametrize(
    ("show_record", "show_who"), [(True, True), (False, True), (True, False)], ids=["search", "record log", "user log"]
)
def test_the_events_table_shows_what_the_nhsuk_macro_showed(show_record, show_who):
    events = sample_events()
    flags = {"show_record": show_record, "show_who": show_who}
    lean = shape(render(LEAN, events, **flags))
    assert lean == shape(render(THROUGH_THE_NHSUK_MACRO, events, **flags))
    assert len([e for e in lean if e[0] == "tr"]) == 26
