"""``find_duplicates --input`` reads what people really send: any common encoding, malformed rows
reported by line (never a traceback, never the rest of the file swallowed), values that would be
formulas in a spreadsheet neutralised; its streaming matcher finds exactly the pairs the
in-memory one does when no block is capped, and with the cap it splits a key shared by too many
records by a second shared value, and says so."""

from __future__ import annotations

import csv
import random
import tracemalloc
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from faker import Faker

from casework.people.matching import matcher
from casework.people.matching.csvtool import InputError, ReadReport, find_duplicates_csv, neutralise
from casework.people.matching.normalise import PersonRecord
from casework.people.matching.stream import find_duplicates_streaming

HEADER = [
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
]
ROBERT = ["r1", "Robert", "Smith", "1985-03-12", "M", "9434765919", "", "12 Acacia Avenue, Leeds", "LS1 4AB", "", ""]
BOB = ["r2", "Bob", "Smith", "1985-03-12", "M", "9434765919", "", "12 Acacia Ave, Leeds", "LS1 4AB", "", ""]
ZOE = ["z1", "Zoë", "Ó Briain", "1990-01-02", "F", "6541003238", "", "1 Rue Café, Bath", "BA1 1LT", "", ""]
ZOE_AGAIN = ["z2", "Zoe", "O'Briain", "1990-01-02", "F", "6541003238", "", "1 Rue Cafe, Bath", "BA1 1LT", "", ""]


def csv_text(rows) -> str:
    out = StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def pairs_in(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.reader(stream))[1:]


def synthetic(count: int, duplicates: int, seed: int = 7) -> list[PersonRecord]:
    """Faker en_GB persons, some copied with a typical fault (nickname, typo, moved, day/month swap)."""
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    records = []
    for number in range(count):
        dob = fake.date_of_birth(minimum_age=18, maximum_age=90)
        records.append(
            PersonRecord(
                f"S{number}",
                fake.first_name(),
                fake.last_name(),
                dob.isoformat(),
                rng.choice("MF"),
                "",
                "",
                fake.street_address().replace("\n", ", "),
                fake.postcode(),
                "",
                "",
            )
        )
    for number in range(duplicates):
        original = records[rng.randrange(count)]
        fault = number % 4
        copy = PersonRecord(**{name: getattr(original, name) for name in original.__slots__})
        copy.record_id = f"D{number}"
        if fault == 0:
            copy.given_name = copy.given_name[:3]
        elif fault == 1:
            copy.family_name = copy.family_name[:-1] + "x"
        elif fault == 2:
            copy.address, copy.postcode = fake.street_address().replace("\n", ", "), fake.postcode()
        else:
            year, month, day = copy.date_of_birth.split("-")
            if int(day) <= 12:
                copy.date_of_birth = f"{year}-{day}-{month}"
        records.append(copy)
    return records


@pytest.mark.parametrize(("estimate", "max_block"), [(True, 1000), (False, 1000), (True, 4)])
def test_the_streaming_matcher_finds_exactly_what_the_in_memory_one_finds(estimate, max_block):
    """Same candidate pairs (keys too common for ``max_block`` skipped alike), same weights, same pairs."""
    records = synthetic(1500, 300)
    expected = matcher.find_duplicates(records, estimate=estimate, max_block=max_block)
    found = find_duplicates_streaming(records, estimate=estimate, max_block=max_block, block_cap=None)
    assert found.candidate_pairs == expected.candidate_pairs
    as_set = lambda result: {  # noqa: E731
        (*sorted((r.a.record.record_id, r.b.record.record_id)), f"{r.probability:.4f}") for r in result.pairs
    }
    assert len(expected.pairs) > (200 if max_block > 4 else 50)
    assert as_set(found) == as_set(expected)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"])
def test_utf8_utf16_and_latin1_files_are_read(tmp_path, encoding):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(csv_text([HEADER, ROBERT, ZOE, BOB, ZOE_AGAIN]).encode(encoding))
    report = ReadReport()
    assert find_duplicates_csv(source, output, reasons=True, report=report) == 2
    assert report.rows == 4 and report.problems == []
    assert {tuple(row[:2]) for row in pairs_in(output)} == {("r1", "r2"), ("z1", "z2")}


def test_a_damaged_utf8_file_is_refused_with_the_line(tmp_path):
    source = tmp_path / "in.csv"
    good = csv_text([HEADER, ZOE, ROBERT]).encode("utf-8")
    source.write_bytes(good + b"r3,Ann,B\xe9ll,1970-01-01,F,,,,,,\r\n")
    with pytest.raises(InputError, match="Line 4: the file is not valid UTF-8"):
        find_duplicates_csv(source, tmp_path / "out.csv")


def test_bytes_no_encoding_can_read_are_refused_with_the_line(tmp_path):
    source = tmp_path / "in.csv"
    source.write_bytes(csv_text([HEADER, ROBERT]).encode("cp1252") + b"r3,Ann,B\xe9ll\x81,1970-01-01,F,,,,,,\r\n")
    with pytest.raises(InputError, match="Line 3: the file is neither UTF-8 nor Windows-1252"):
        find_duplicates_csv(source, tmp_path / "out.csv")


def test_an_unclosed_quote_is_reported_and_the_rest_of_the_file_still_read(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    broken = 'x1,"Ann,Jones,1970-01-01,F,,,,,,\r\n'
    source.write_text(csv_text([HEADER, ROBERT]) + broken + csv_text([BOB, ZOE, ZOE_AGAIN]), encoding="utf-8")
    report = ReadReport()
    assert find_duplicates_csv(source, output, report=report) == 2
    assert [str(problem) for problem in report.problems] == [
        "Line 3: a quotation mark is opened and never closed; row left out"
    ]
    assert report.rows == 4


def test_a_quoted_value_over_several_lines_is_one_value(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    robert = [*ROBERT]
    robert[7] = "12 Acacia Avenue\nLeeds"
    source.write_text(csv_text([HEADER, robert, BOB]), encoding="utf-8")
    report = ReadReport()
    assert find_duplicates_csv(source, output, report=report) == 1
    assert report.problems == [] and report.rows == 2


def test_huge_values_extra_fields_and_nul_characters_are_reported_by_line(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    huge = ["h1", "Ann", "Long", "1970-01-01", "F", "", "", "x" * 200_000, "", "", ""]  # 200 KB
    long = ["l1", "Ann", "Longer", "1970-01-01", "F", "", "", "y" * 5_000, "", "", ""]
    extra = ["e1", "Ann", "Extra", "1970-01-01", "F", "", "", "1 High St", "Leeds", "LS1 4AB", "", "", ""]
    text = csv_text([HEADER, huge, ROBERT, extra, long]) + "n1,Ann,Nul\x00,1970-01-01,F,,,,,,\r\n" + csv_text([BOB])
    source.write_text(text, encoding="utf-8")
    report = ReadReport()
    assert find_duplicates_csv(source, output, report=report) == 1
    assert [problem.line for problem in report.problems] == [2, 4, 5, 6]
    assert "value is longer than 1,000 characters" in report.problems[0].message
    assert "13 values where the header has 11" in report.problems[1].message
    assert "the address value is longer than 1,000 characters" in report.problems[2].message
    assert "NUL" in report.problems[3].message


def test_values_a_spreadsheet_would_run_are_neutralised(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    dangerous = ['=HYPERLINK("http://evil.example","x")', "+1", "-2", "@SUM(A1)"]
    rows = [HEADER]
    for number, record_id in enumerate(dangerous):
        rows.append(
            [
                record_id,
                "Robert",
                "Smith",
                "1985-03-12",
                "M",
                "9434765919",
                "",
                "12 Acacia Avenue",
                "LS1 4AB",
                "",
                f"robert{number}@example.org",
            ]
        )
    source.write_text(csv_text(rows), encoding="utf-8")
    find_duplicates_csv(source, output, reasons=True)
    cells = [cell for row in pairs_in(output) for cell in row[:2]]
    assert cells and all(cell.startswith("'") for cell in cells)
    assert {cell[1:] for cell in cells} == set(dangerous)
    assert [neutralise(value) for value in ("\tx", "\rx", "x=1", "")] == ["'\tx", "'\rx", "x=1", ""]


def test_reading_streams_the_file(tmp_path):
    """20,000 rows: memory holds the prepared persons, not the file, its rows or every pair's comparison."""
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    with source.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for record in synthetic(18_000, 2_000, seed=11):
            writer.writerow([getattr(record, name) for name in HEADER])
    tracemalloc.start()
    try:
        find_duplicates_csv(source, output)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 120 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    assert len(pairs_in(output)) > 1000


@pytest.mark.django_db
def test_the_command_lists_rows_it_left_out_and_exits_non_zero(tmp_path):
    source, output = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(csv_text([HEADER, ROBERT]) + 'x1,"Ann,Jones\r\n' + csv_text([BOB]), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 rows could not be read"):
        call_command("find_duplicates", "--input", str(source), "--output", str(output), stdout=out, stderr=err)
    assert "Line 3: a quotation mark is opened and never closed" in err.getvalue()
    assert "1 likely duplicate pairs written" in out.getvalue()
    assert [row[:2] for row in pairs_in(output)] == [["r1", "r2"]]


def _born_1980(number: int, given: str, family: str, postcode: str) -> PersonRecord:
    return PersonRecord(f"b{number}", given, family, "1980-05-06", "", "", "", "", postcode, "", "")


FAMILIES = ["Quigley", "Ashworth", "Nakamura", "Pemberton", "Fitzgerald", "Okafor", "Whitlock", "Brennan"]
GIVEN = ["Alice", "Dmitri", "Hamish", "Ingrid", "Kwame", "Lorna", "Oswald", "Priya"]
POSTCODES = ["LS1 4AB", "M1 1AE", "BA1 1LT", "EH1 2NG", "CF10 1EP", "BT1 5GS", "NE1 7RU", "PL1 2AA"]


def test_a_key_shared_by_more_rows_than_the_cap_is_split_by_a_second_shared_value():
    """Eight people born the same day (one key, ``d:``, over a cap of four) are compared only with those
    who also share the sound of a name or a postcode sector: the nickname copy is still found, and the
    split is reported."""
    records = [_born_1980(n, GIVEN[n], FAMILIES[n], POSTCODES[n]) for n in range(8)]
    records.append(_born_1980(8, "Ally", "Quigley", "SW1A 1AA"))  # Alice Quigley, moved, under a nickname
    capped = find_duplicates_streaming(records, estimate=False, block_cap=4)
    uncapped = find_duplicates_streaming(records, estimate=False, block_cap=None)
    assert uncapped.candidate_pairs == 9 * 8 // 2  # everyone shares the date of birth
    assert capped.candidate_pairs < 10
    assert capped.diagnostics["blocks_split"] >= 1
    assert capped.diagnostics["blocks_left_out"] == 0
    found = {tuple(sorted((p.a.record.record_id, p.b.record.record_id))) for p in capped.pairs}
    assert ("b0", "b8") in found


def test_rows_still_too_many_after_the_split_are_left_out_and_counted():
    """Six namesakes born the same day at different addresses share every name and date key: even split
    by a second value each part holds all six, over a cap of four; those pairs are not compared, and the
    count says how many were not."""
    records = [_born_1980(n, "John", "Smith", POSTCODES[n]) for n in range(6)]
    result = find_duplicates_streaming(records, estimate=False, block_cap=4)
    assert result.candidate_pairs == 0
    assert result.diagnostics["blocks_left_out"] >= 3
    assert result.diagnostics["pairs_left_out"] >= 15
    assert find_duplicates_streaming(records, estimate=False, block_cap=None).candidate_pairs == 15


def test_the_cap_keeps_the_planted_copies_of_a_synthetic_file():
    """A cap low enough to split many blocks of this small file compares fewer pairs, and finds the
    same copies."""
    records = synthetic(1500, 300)
    capped = find_duplicates_streaming(records, estimate=False, block_cap=3)
    uncapped = find_duplicates_streaming(records, estimate=False, block_cap=None)
    assert capped.diagnostics["blocks_split"] > 0
    assert capped.candidate_pairs < uncapped.candidate_pairs
    as_set = lambda result: {tuple(sorted((r.a.record.record_id, r.b.record.record_id))) for r in result.pairs}  # noqa: E731
    copies = {pair for pair in as_set(uncapped) if any(record_id.startswith("D") for record_id in pair)}
    assert len(copies) > 200
    assert copies <= as_set(capped)
