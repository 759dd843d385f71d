"""``Referral.as_sent`` holds the answers as data, not rendered HTML.

Before: ``[{"title": ..., "rows": [{"key": {"text": label}, "value": {"html": markup}}]}]``, where
the markup was a bulleted ``<ul>``, lines joined with ``<br>``, or escaped text; a named person's
row had been escaped twice, so the portal showed a literal ``<br>`` in it.

After (``casework.referrals.presenters``): ``[{"title": ..., "rows": [{"key": label, "value": v}]}]``
where ``v`` is text, a list of lines, or a list of items with ``"bulleted": true``.

Reversible: rolling back writes the markup again (lines joined with ``<br>``, items as a bulleted
list, every piece escaped once), which applying this again reads back to the same data. No schema
change, so ``makemigrations`` sees nothing.
"""

import html
import re

from django.db import migrations

BULLETED = '<ul class="nhsuk-list nhsuk-list--bullet">'
ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
BR = "<br>"


def _value_from_html(key: str, markup: str) -> dict:
    if markup.startswith(BULLETED):
        return {"value": [html.unescape(item) for item in ITEM.findall(markup)], "bulleted": True}
    person = key.startswith("Person ")
    if person and "&lt;br&gt;" in markup and "<" not in markup:
        markup = html.unescape(markup)  # a named person's row was escaped twice
    lines = [html.unescape(line) for line in markup.split(BR)]
    return {"value": lines if person or len(lines) > 1 else lines[0]}


def _html_from_value(value, bulleted: bool) -> str:
    if isinstance(value, str):
        return html.escape(value)
    if bulleted:
        return BULLETED + "".join(f"<li>{html.escape(item)}</li>" for item in value) + "</ul>"
    return BR.join(html.escape(line) for line in value)


def _row_as_data(row: dict) -> dict:
    if not isinstance(row.get("key"), dict):
        return row  # already data
    key = row["key"].get("text", "")
    return {"key": key, **_value_from_html(key, str(row.get("value", {}).get("html", "")))}


def _row_as_html(row: dict) -> dict:
    if isinstance(row.get("key"), dict):
        return row  # already markup
    return {
        "key": {"text": row["key"]},
        "value": {"html": _html_from_value(row["value"], bool(row.get("bulleted")))},
    }


def _convert(apps, convert_row) -> None:
    Referral = apps.get_model("referrals", "Referral")
    for pk, copy in Referral.objects.order_by("pk").values_list("pk", "as_sent").iterator():
        if not copy:
            continue
        converted = [
            {**section, "rows": [convert_row(row) for row in section.get("rows", [])]} for section in copy
        ]
        if converted != copy:
            Referral.objects.filter(pk=pk).update(as_sent=converted)


def forwards(apps, schema_editor):
    _convert(apps, _row_as_data)


def backwards(apps, schema_editor):
    _convert(apps, _row_as_html)


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0004_free_text_limits'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
