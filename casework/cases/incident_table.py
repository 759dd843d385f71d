"""Incidents as a table: reading a pasted or uploaded CSV for bulk entry, and writing the timeline
as CSV (the same columns, so that an export can be corrected and read back in).

Columns (a header row names them, in any order, in any case):

    date, time, type, channel, victim, source, severity, description

``date`` is a day (27/11/2026, 2026-11-27, 27 November 2026) or, when only the month is known, a
month (11/2026, 2026-11, November 2026). ``time`` (14:30, 2:30pm) makes the incident exact and
needs a day. ``type``, ``channel`` and ``source`` are the labels the forms show (or their short
codes); ``severity`` is 1 to 5; ``victim`` is the victim's name as the case shows it (blank: not
recorded; in a victim case, blank means the subject). ``time`` and ``victim`` may be left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from casework.cases.choices import Behaviour, Channel, DatePrecision, Place, Source
from casework.cases.models import Incident
from casework.core.forms import date_range_error
from casework.core.limits import limit, too_long_message
from casework.core.middleware import CONTROL_CHARACTERS
from casework.core.refusals import Refused

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
# A cell may be as long as the whole table may be, so that an over-long cell is refused by the
# column's own limit (with its message) rather than by the csv module's 131,072-character default.
csv.field_size_limit(max(csv.field_size_limit(), MAX_BYTES + 1))
DESCRIPTION_MAX = limit(Incident, "description")
COLUMNS = ("date", "time", "type", "channel", "victim", "source", "severity", "description", "place")
REQUIRED = ("date", "type", "channel", "source", "severity", "description")
ALIASES = {
    "behaviour": "type",
    "behavior": "type",
    "incident type": "type",
    "victim affected": "victim",
    "when": "date",
    "details": "description",
}
MONTHS = {
    name.lower(): number
    for number, name in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}
MONTHS.update({name[:3]: number for name, number in list(MONTHS.items())})
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class TableRefused(Refused):
    """The table as a whole cannot be read (no header, a missing column, too big)."""


@dataclass
class TableRow:
    number: int
    values: dict[str, str]
    errors: list[str] = field(default_factory=list)
    fields: dict[str, Any] | None = None


@dataclass
class ParsedTable:
    rows: list[TableRow]

    @property
    def errors(self) -> list[TableRow]:
        return [row for row in self.rows if row.errors]

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.errors

    def incident_fields(self) -> list[dict[str, Any]]:
        return [row.fields for row in self.rows if row.fields is not None]


def _lookup(vocabulary) -> dict[str, str]:
    table = {}
    for choice in vocabulary:
        table[choice.value.lower()] = choice.value
        table[choice.label.lower()] = choice.value
    return table


BEHAVIOURS = _lookup(Behaviour)
CHANNELS = _lookup(Channel)
SOURCES = _lookup(Source)


def parse_date(text: str) -> tuple[dt.date, str]:
    """A day or a month, and which it was (``DatePrecision.DAY`` or ``MONTH``)."""
    value = " ".join(text.strip().split())
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value):
        return dt.date(int(match[3]), int(match[2]), int(match[1])), DatePrecision.DAY
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value):
        return dt.date(int(match[1]), int(match[2]), int(match[3])), DatePrecision.DAY
    if match := re.fullmatch(r"(\d{1,2}) ([A-Za-z]+) (\d{4})", value):
        month = MONTHS.get(match[2].lower())
        if month:
            return dt.date(int(match[3]), month, int(match[1])), DatePrecision.DAY
    if match := re.fullmatch(r"(\d{1,2})[/.-](\d{4})", value):
        return dt.date(int(match[2]), int(match[1]), 1), DatePrecision.MONTH
    if match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        return dt.date(int(match[1]), int(match[2]), 1), DatePrecision.MONTH
    if match := re.fullmatch(r"([A-Za-z]+) (\d{4})", value):
        month = MONTHS.get(match[1].lower())
        if month:
            return dt.date(int(match[2]), month, 1), DatePrecision.MONTH
    raise ValueError(text)


def parse_time(text: str) -> dt.time:
    """14:30, 14.30, 2:30pm or 2pm."""
    value = text.strip().lower().replace(" ", "")
    match = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?(am|pm)?", value)
    if not match or (match[2] is None and match[3] is None):
        raise ValueError(text)
    hour, minute = int(match[1]), int(match[2] or 0)
    if match[3]:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if match[3] == "pm" else 0)
    return dt.time(hour, minute)


def _header(cells: list[str]) -> list[str]:
    names = []
    for cell in cells:
        name = " ".join(cell.strip().lstrip("\ufeff").lower().split())
        names.append(ALIASES.get(name, name))
    return names


def read(text: str, *, victims: dict[str, Any], default_victim: Any = None, today: dt.date) -> ParsedTable:
    """Check every row. ``victims`` maps a victim's name as the case shows it (lower case) to the
    party; ``default_victim`` is used for a blank victim (the subject, in a victim case)."""
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise TableRefused("The table must be smaller than 1 MB")
    if found := CONTROL_CHARACTERS.search(text):
        line = text.count("\n", 0, found.start()) + 1
        raise TableRefused(
            f"Line {line} of the table contains a control character (such as a NUL byte) that the "
            "service cannot accept: save the file again as plain CSV"
        )
    try:
        lines = [row for row in csv.reader(io.StringIO(text.strip())) if any(cell.strip() for cell in row)]
    except csv.Error as error:
        raise TableRefused(f"The table cannot be read as CSV ({error}): check its quotes and commas") from None
    if not lines:
        raise TableRefused("Paste the table, or choose a CSV file, with a header row and at least one incident")
    header = _header(lines[0])
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise TableRefused(
            "The first row must name the columns. Missing: "
            + ", ".join(missing)
            + ". The columns are: "
            + ", ".join(COLUMNS)
        )
    if len(lines) - 1 > MAX_ROWS:
        raise TableRefused(f"A table can hold up to {MAX_ROWS:,} incidents: split it into smaller tables")
    if len(lines) == 1:
        raise TableRefused("The table has a header row but no incidents")
    rows = []
    for number, cells in enumerate(lines[1:], start=1):
        values = {
            name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header) if name in COLUMNS
        }
        if values.get("description", "").startswith("'") and values["description"][1:2] in FORMULA_STARTS:
            values["description"] = values["description"][1:]
        row = TableRow(number=number, values=values)
        if len(cells) > len(header):
            row.errors.append("has more cells than the header has columns")
        _check(row, victims=victims, default_victim=default_victim, today=today)
        rows.append(row)
    return ParsedTable(rows=rows)


def _check(row: TableRow, *, victims, default_victim, today: dt.date) -> None:
    values, errors = row.values, row.errors
    occurred_on = precision = occurred_time = None
    try:
        occurred_on, precision = parse_date(values.get("date", ""))
    except ValueError:
        errors.append(
            "Date must be a real date, like 27/11/2026, or a month, like 11/2026"
            if values.get("date")
            else "Enter the date"
        )
    if occurred_on and (problem := date_range_error("Date", occurred_on, past_only=True, today=today)):
        errors.append(problem)
    if values.get("time"):
        try:
            occurred_time = parse_time(values["time"])
        except ValueError:
            errors.append("Time must be a real time, like 14:30")
        if precision == DatePrecision.MONTH:
            errors.append("A time needs a whole date, not only a month")
        precision = DatePrecision.EXACT if precision else precision
    behaviour = BEHAVIOURS.get(values.get("type", "").lower())
    if behaviour is None:
        errors.append(
            "Type must be one of the behaviours, like Following or Threats"
            if values.get("type")
            else "Enter the type of incident"
        )
    channel = CHANNELS.get(values.get("channel", "").lower())
    if channel is None:
        errors.append(
            "Channel must be one of the channels, like In person or Text message"
            if values.get("channel")
            else "Enter the channel"
        )
    source = SOURCES.get(values.get("source", "").lower())
    if source is None:
        errors.append(
            "Source must be The victim, Police, Probation, The person themselves or A third party"
            if values.get("source")
            else "Enter the source"
        )
    severity = None
    match = re.match(r"\s*([1-5])\b", values.get("severity", ""))
    if match:
        severity = int(match[1])
    else:
        errors.append("Severity must be a number from 1 to 5")
    description = values.get("description", "")
    if not description:
        errors.append("Enter a description")
    elif len(description) > DESCRIPTION_MAX:
        errors.append(too_long_message("Description", DESCRIPTION_MAX))
    victim_name = " ".join(values.get("victim", "").lower().split())
    victim = default_victim
    if victim_name:
        victim = victims.get(victim_name)
        if victim is None:
            errors.append("Victim must be the name of a victim as the case shows it, or blank")
    place = _place(values, errors)
    if not errors:
        row.fields = {
            "occurred_on": occurred_on,
            "occurred_time": occurred_time,
            "precision": precision,
            "behaviour": behaviour,
            "channel": channel,
            "source": source,
            "severity": severity,
            "description": description,
            "victim": victim,
            "place": place,
        }


# "place" (optional): a place's label, or its one word (home, work, school, other).
PLACES = {**{label.lower(): value for value, label in Place.choices}, **{value: value for value in Place.values}}


def _place(values: dict[str, str], errors: list[str]) -> str:
    text = " ".join(values.get("place", "").lower().split())
    if not text:
        return ""
    if text not in PLACES:
        errors.append("Place must be home, work, school or other, or blank")
        return ""
    return PLACES[text]


# --- Writing ------------------------------------------------------------------------------------


def safe_cell(value: Any) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def date_cell(occurred_on: dt.date, precision: str) -> str:
    if precision == DatePrecision.MONTH:
        return f"{occurred_on.month:02d}/{occurred_on.year:04d}"
    return f"{occurred_on.day:02d}/{occurred_on.month:02d}/{occurred_on.year:04d}"


def write(incidents, out) -> None:
    """The timeline as CSV, oldest first, in the columns ``read`` takes."""
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for incident in incidents:
        writer.writerow(
            [
                date_cell(incident.occurred_on, incident.precision),
                incident.occurred_time.strftime("%H:%M") if incident.occurred_time else "",
                Behaviour(incident.behaviour).label,
                Channel(incident.channel).label,
                safe_cell(incident.victim.name_as_given if incident.victim else ""),
                Source(incident.source).label,
                incident.severity,
                safe_cell(incident.description),
                incident.place,
            ]
        )
