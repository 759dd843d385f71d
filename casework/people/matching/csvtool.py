"""Check a CSV of persons for duplicates before import (what ``manage.py find_duplicates --input`` calls).

Input columns: ``record_id, given_name, family_name, date_of_birth (YYYY-MM-DD), sex, nhs_number,
pnc_id, address, postcode, phone, email``; any may be blank but ``record_id``; unknown columns
are ignored. Output: one row per likely duplicate pair, ``record_id_1, record_id_2, score``
(match probability, 4 decimals), best first; with ``reasons=True`` a fourth column says why.

Reading is streamed and says what is wrong, by line number, instead of failing or guessing:

- the encoding: UTF-8 (with or without a byte-order mark), UTF-16 (with a byte-order mark, or
  plainly UTF-16 by its zero bytes) or, for a file that is not UTF-8, Windows-1252 / Latin-1 (what
  spreadsheets save as "CSV"); a UTF-8 or UTF-16 file broken part-way is refused with the line;
- malformed rows are reported with their line numbers and left out, the rest is checked: a
  quotation mark that is never closed (the row is reported and reading goes on at the next line,
  instead of swallowing the rest of the file), more fields than the header, a value longer than
  ``MAX_FIELD_CHARACTERS``, a NUL character;
- a blank or repeated ``record_id`` still refuses the file (``InputError``): every pair written
  must name its two rows.

Written values that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) are prefixed with ``'`` (OWASP's advice on CSV injection).
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .matcher import MATCH_THRESHOLD, BatchResult, find_duplicates
from .normalise import PersonRecord

INPUT_COLUMNS = (
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "pnc_id",
    "address",
    "postcode",
    "phone",
    "email",
)
OUTPUT_COLUMNS = ("record_id_1", "record_id_2", "score")

#: the longest value read in any field (a person's address fits with room to spare)
MAX_FIELD_CHARACTERS = 1000
#: a quoted value may run over this many lines; beyond, its opening quotation mark is taken as unclosed
MAX_LINES_PER_ROW = 20
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SNIFF_BYTES = 1 << 16


class InputError(ValueError):
    """The CSV cannot be checked (missing record_id column, blank or repeated record ids, an
    encoding it cannot read)."""


@dataclass
class Problem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class ReadReport:
    rows: int = 0
    encoding: str = ""
    problems: list[Problem] = field(default_factory=list)
    #: what the matcher did (``BatchResult.diagnostics``): candidate pairs, blocks split or left out
    matching: dict = field(default_factory=dict)


# --- Encoding -------------------------------------------------------------------------------------


def _line_of(data: bytes, offset: int, unit: bytes = b"\n") -> int:
    return data.count(unit, 0, offset) + 1


def detect_encoding(path: str | Path) -> str:
    """The encoding to read the file with, or ``InputError`` naming the line that cannot be decoded.
    Reads the file once in blocks (it is streamed again to parse it)."""
    with open(path, "rb") as stream:
        head = stream.read(_SNIFF_BYTES)
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        elif len(head) >= 4 and head[1::2].count(0) > len(head) // 4:
            encoding = "utf-16-le"
        elif len(head) >= 4 and head[0::2].count(0) > len(head) // 4:
            encoding = "utf-16-be"
        else:
            encoding = "utf-8"
        stream.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        newline = "\n".encode(encoding.replace("-sig", "")) if encoding.startswith("utf-16") else b"\n"
        lines_before = 0
        saw_multibyte = False
        while True:
            block = stream.read(1 << 20)
            final = not block
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as error:
                line = lines_before + _line_of(error.object, error.start, newline)
                if encoding == "utf-8" and not saw_multibyte and max(error.object[: error.start], default=0) < 128:
                    # Not UTF-8 from its first non-ASCII character: a legacy encoding, not a broken UTF-8 file.
                    return _windows_1252_or_refuse(path)
                raise InputError(
                    f"Line {line}: the file is not valid {encoding.upper().replace('-SIG', '')} from here on "
                    "(a damaged file, or one saved in more than one encoding). Save it again as UTF-8 and retry."
                ) from error
            if not saw_multibyte and not text.isascii():
                saw_multibyte = True
            lines_before += block.count(newline)
            if final:
                return encoding


def _windows_1252_or_refuse(path: str | Path) -> str:
    """A file that is not UTF-8 from its first non-ASCII character: Windows-1252 (Latin-1 with the
    printable characters spreadsheets add), unless it holds bytes that encoding leaves undefined."""
    with open(path, "rb") as stream:
        lines_before = 0
        while block := stream.read(1 << 20):
            try:
                block.decode("cp1252")
            except UnicodeDecodeError as error:
                line = lines_before + _line_of(block, error.start)
                raise InputError(
                    f"Line {line}: the file is neither UTF-8 nor Windows-1252/Latin-1. Save it as UTF-8 and retry."
                ) from error
            lines_before += block.count(b"\n")
    return "cp1252"


# --- Rows -----------------------------------------------------------------------------------------


def _physical_lines(stream: TextIO) -> Iterator[str]:
    yield from stream


def parse_rows(stream: TextIO, report: ReadReport) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for each well-formed CSV row; malformed ones go into ``report``.

    A row is complete when its quotation marks balance (RFC 4180 doubles a quote inside a quoted
    value). One that does not balance within ``MAX_LINES_PER_ROW`` lines (or by the end of the file)
    has an unclosed quotation mark: it is reported, and reading starts again on the next line, so
    one stray quote costs one row, not the rest of the file."""
    source = _physical_lines(stream)
    pushed_back: list[tuple[int, str]] = []
    number = 0

    def next_line() -> tuple[int, str] | None:
        nonlocal number
        if pushed_back:
            return pushed_back.pop()
        line = next(source, None)
        if line is None:
            return None
        number += 1
        return number, line

    while True:
        first = next_line()
        if first is None:
            return
        start, text = first
        lines = [first]
        quotes = text.count('"')
        while quotes % 2 and len(lines) < MAX_LINES_PER_ROW:
            following = next_line()
            if following is None:
                break
            lines.append(following)
            quotes += following[1].count('"')
        if quotes % 2:
            report.problems.append(Problem(start, "a quotation mark is opened and never closed; row left out"))
            pushed_back.extend(reversed(lines[1:]))
            continue
        joined = "".join(line for _, line in lines)
        if "\x00" in joined:
            report.problems.append(Problem(start, "the row holds a NUL character; row left out"))
            continue
        if not joined.strip():
            continue
        try:
            fields = next(csv.reader([joined], strict=True))
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                message = f"a value is longer than {MAX_FIELD_CHARACTERS:,} characters; row left out"
            else:
                message = f"the row is not valid CSV ({error}); row left out"
            report.problems.append(Problem(start, message))
            continue
        yield start, fields


def iter_records(stream: TextIO, report: ReadReport) -> Iterator[PersonRecord]:
    """Persons read from ``stream``, streamed; raises ``InputError`` for a file that cannot be
    checked, reports rows that cannot be read in ``report`` and leaves them out."""
    rows = parse_rows(stream, report)
    header_row = next(rows, None)
    if header_row is None:
        raise InputError("The file has no record_id column")
    _, header = header_row
    names = [name.strip().lstrip("\ufeff") for name in header]
    if "record_id" not in names:
        raise InputError("The file has no record_id column")
    seen: set[str] = set()
    for line, fields in rows:
        if len(fields) > len(names):
            report.problems.append(
                Problem(
                    line,
                    f"{len(fields)} values where the header has {len(names)} (a comma in an unquoted value?); row left out",
                )
            )
            continue
        too_long = next((name for name, value in zip(names, fields) if len(value) > MAX_FIELD_CHARACTERS), None)
        if too_long is not None:
            report.problems.append(
                Problem(
                    line,
                    f"the {too_long or 'unnamed'} value is longer than {MAX_FIELD_CHARACTERS:,} characters; row left out",
                )
            )
            continue
        record = PersonRecord.from_mapping(dict(zip(names, fields)))
        if not record.record_id:
            raise InputError(f"Line {line}: record_id is blank")
        if record.record_id in seen:
            raise InputError(f"Line {line}: record_id {record.record_id} appears more than once")
        seen.add(record.record_id)
        report.rows += 1
        yield record


def read_records(stream: TextIO, report: ReadReport | None = None) -> list[PersonRecord]:
    return list(iter_records(stream, report if report is not None else ReadReport()))


# --- Output ---------------------------------------------------------------------------------------


def neutralise(value: str) -> str:
    """A value a spreadsheet would take as a formula, made plain text with a leading apostrophe."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_pairs(stream: TextIO, result: BatchResult, *, reasons: bool = False) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS + (("reasons",) if reasons else ()))
    for pair in result.pairs:
        first, second = sorted((pair.a.record.record_id, pair.b.record.record_id))
        row = [neutralise(first), neutralise(second), f"{pair.probability:.4f}"]
        if reasons:
            row.append(neutralise(pair.reason_text))
        writer.writerow(row)
    return len(result.pairs)


def find_duplicates_in_records(
    records: Iterable[PersonRecord], *, threshold: float = MATCH_THRESHOLD, estimate: bool = True
) -> BatchResult:
    return find_duplicates(records, threshold=threshold, estimate=estimate)


def find_duplicates_csv(
    input_path: str | Path,
    output_path: str | Path,
    *,
    threshold: float = MATCH_THRESHOLD,
    estimate: bool = True,
    reasons: bool = False,
    report: ReadReport | None = None,
) -> int:
    """Read persons from ``input_path``, write likely duplicate pairs to ``output_path``; returns the
    pair count. Rows that cannot be read are listed in ``report`` (pass one to see them).

    The file is streamed into the batch matcher (``matching.stream``), which keeps memory bounded
    however long the file. ``estimate`` learns the weights from the file itself (no labels) when it
    holds 300 records or more; smaller files use the a priori weights.
    """
    from .stream import find_duplicates_streaming

    report = report if report is not None else ReadReport()
    report.encoding = detect_encoding(input_path)
    with open(input_path, newline="", encoding=report.encoding) as stream:
        result = find_duplicates_streaming(
            iter_records(stream, report), threshold=threshold, estimate=estimate, keep_records=reasons
        )
    report.matching = result.diagnostics
    with open(output_path, "w", newline="", encoding="utf-8") as stream:
        return write_pairs(stream, result, reasons=reasons)
