"""``find_duplicates --input`` at scale: a synthetic CSV of N rows (``lookup.population`` plus
faulty copies of some persons, with the faults of the UK set), checked in a child process whose
wall time and peak resident memory are measured; precision and recall against the known copies."""

from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

from lookup import population
from uk_synthetic import FAULTS, FIELDS, _Generator

CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from casework.people.matching.csvtool import ReadReport, find_duplicates_csv
report = ReadReport()
started = time.perf_counter()
pairs = find_duplicates_csv({source!r}, {output!r}, report=report, estimate={estimate!r})
print(pairs, report.rows, len(report.problems), report.encoding, round(time.perf_counter() - started, 1))
print(json.dumps(report.matching, default=str))
"""


def write_input(path: Path, rows: int, *, duplicate_share: float = 0.1, seed: int = 5) -> set[tuple[str, str]]:
    """Write the file; returns the true duplicate pairs (sorted record ids)."""
    originals = int(rows / (1 + duplicate_share))
    people = population(originals, seed=seed)
    generator = _Generator(seed)
    rng = random.Random(seed)
    truth = set()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(FIELDS)
        for person in people:
            writer.writerow([getattr(person, name) for name in FIELDS])
        for number in range(rows - originals):
            original = people[rng.randrange(originals)]
            copy = generator.apply(original, FAULTS[number % len(FAULTS)])
            copy.record_id = f"C{number:07d}"
            writer.writerow([getattr(copy, name) for name in FIELDS])
            truth.add(tuple(sorted((original.record_id, copy.record_id))))
    return truth


def run(root: Path, rows: int, keep: bool = False, estimate: bool = True) -> dict:
    """Generate the file (or reuse one kept by an earlier run with --keep-index), check it in a child
    process, and measure: wall time, CPU time (the fairer figure on a shared machine) and peak RSS."""
    folder = root / "var" / "bench"
    source, output = folder / f"duplicates-input-{rows}.csv", folder / f"duplicates-output-{rows}.csv"
    truth_file = folder / f"duplicates-truth-{rows}.csv"
    started = time.perf_counter()
    if source.exists() and truth_file.exists():
        with truth_file.open(newline="") as stream:
            truth = {tuple(row) for row in csv.reader(stream)}
    else:
        truth = write_input(source, rows)
        with truth_file.open("w", newline="") as stream:
            csv.writer(stream).writerows(sorted(truth))
    generated = time.perf_counter() - started
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(  # noqa: S603 - this interpreter, code written above
        [sys.executable, "-c", CHILD.format(root=str(root), source=str(source), output=str(output), estimate=estimate)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak_mb = after.ru_maxrss / 1024
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    first_line, matching = result.stdout.splitlines()[-2:]
    pairs, read, problems, encoding, _ = first_line.split()
    matching = json.loads(matching)
    with output.open(newline="", encoding="utf-8") as stream:
        found = {tuple(sorted(row[:2])) for row in list(csv.reader(stream))[1:]}
    true_found = len(found & truth)
    # Two copies of one person (a person copied twice) are the same person too, though not planted pairs.
    original_of = {
        copy: original for original, copy in (sorted(pair, key=lambda i: i.startswith("C")) for pair in truth)
    }
    copies_of_one = sum(
        1
        for first, second in found - truth
        if first in original_of and second in original_of and original_of[first] == original_of[second]
    )
    figures = {
        "rows": rows,
        "size_mb": source.stat().st_size / 1e6,
        "generated_s": generated,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "peak_mb": peak_mb,
        "pairs": int(pairs),
        "rows_read": int(read),
        "problems": int(problems),
        "encoding": encoding,
        "true_pairs": len(truth),
        "precision": true_found / len(found) if found else 0.0,
        "recall_of_copies": true_found / len(truth),
        "copies_of_one_person": copies_of_one,
        "precision_same_person": (true_found + copies_of_one) / len(found) if found else 0.0,
        "candidate_pairs": matching.get("candidate_pairs", 0),
        "blocks_split": matching.get("blocks_split", 0),
        "blocks_left_out": matching.get("blocks_left_out", 0),
        "pairs_left_out": matching.get("pairs_left_out", 0),
        "phase_seconds": matching.get("seconds", {}),
        "weights": "learnt (EM)" if estimate else "a priori",
    }
    if not keep:
        for path in (source, output, truth_file):
            path.unlink()
    return figures
