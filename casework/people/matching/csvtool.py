"""Check a CSV of persons for duplicates before import (what ``manage.py find_duplicates`` will call).

Input columns: ``record_id, given_name, family_name, date_of_birth (YYYY-MM-DD), sex, nhs_number,
pnc_id, address, postcode, phone, email``; any may be blank but ``record_id``; unknown columns
are ignored. Output: one row per likely duplicate pair, ``record_id_1, record_id_2, score``
(match probability, 4 decimals), best first; with ``reasons=True`` a fourth column says why.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from .matcher import MATCH_THRESHOLD, BatchResult, find_duplicates
from .normalise import PersonRecord

INPUT_COLUMNS = ("record_id", "given_name", "family_name", "date_of_birth", "sex", "nhs_number", "pnc_id",
                 "address", "postcode", "phone", "email")
OUTPUT_COLUMNS = ("record_id_1", "record_id_2", "score")


class InputError(ValueError):
    """The CSV cannot be checked (missing record_id column, blank or repeated record ids)."""


def read_records(stream: TextIO) -> list[PersonRecord]:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or "record_id" not in [name.strip() for name in reader.fieldnames]:
        raise InputError("The file has no record_id column")
    records = []
    seen: set[str] = set()
    for line_number, row in enumerate(reader, start=2):
        row = {(key or "").strip(): value for key, value in row.items()}
        record = PersonRecord.from_mapping(row)
        if not record.record_id:
            raise InputError(f"Line {line_number}: record_id is blank")
        if record.record_id in seen:
            raise InputError(f"Line {line_number}: record_id {record.record_id} appears more than once")
        seen.add(record.record_id)
        records.append(record)
    return records


def write_pairs(stream: TextIO, result: BatchResult, *, reasons: bool = False) -> int:
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS + (("reasons",) if reasons else ()))
    for pair in result.pairs:
        first, second = sorted((pair.a.record.record_id, pair.b.record.record_id))
        row = [first, second, f"{pair.probability:.4f}"]
        if reasons:
            row.append(pair.reason_text)
        writer.writerow(row)
    return len(result.pairs)


def find_duplicates_in_records(records: Iterable[PersonRecord], *, threshold: float = MATCH_THRESHOLD,
                               estimate: bool = True) -> BatchResult:
    return find_duplicates(records, threshold=threshold, estimate=estimate)


def find_duplicates_csv(input_path: str | Path, output_path: str | Path, *, threshold: float = MATCH_THRESHOLD,
                        estimate: bool = True, reasons: bool = False) -> int:
    """Read persons from ``input_path``, write likely duplicate pairs to ``output_path``; returns the pair count.

    ``estimate`` learns the weights from the file itself (no labels) when it holds 300 records
    or more; smaller files use the a priori weights.
    """
    with open(input_path, newline="", encoding="utf-8-sig") as stream:
        records = read_records(stream)
    result = find_duplicates_in_records(records, threshold=threshold, estimate=estimate)
    with open(output_path, "w", newline="", encoding="utf-8") as stream:
        return write_pairs(stream, result, reasons=reasons)
