"""Duplicates within a long list of persons, with memory that does not grow with the pairs.

``matcher.find_duplicates`` holds every candidate pair's comparison in memory at once: fine for a
few thousand records, 6 GB for 100,000. This finds the same pairs (``find_duplicates --input``
uses it) in three passes over data kept mostly on disk:

1. the records stream in; each is prepared once and kept in memory in its prepared form only
   (the raw row too when reasons are wanted); its blocking keys go to a temporary SQLite file;
2. candidate pairs are exactly ``matcher.candidate_pairs``'s (a query key of one record is an
   index key of the other, in a block of at most ``max_block`` records), produced record by
   record from the SQLite key index, each pair once; each is compared once, and only its pattern
   of comparison levels is kept, as a number in a temporary file and as a count for training;
3. the weights are learnt from the pattern counts (``matcher.train_on_patterns``, as the
   in-memory batch does), the file is read back, and only pairs whose pattern can reach the
   threshold are scored in full.

The temporary files live in the system's temporary folder and are removed afterwards.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .blocking import index_keys, query_keys
from .compare import FIELDS, compare
from .matcher import MATCH_THRESHOLD, BatchResult, MatchResult, train_on_patterns, untrained_parameters
from .normalise import PersonRecord, PreparedPerson, prepare
from .rules import different_person_reason
from .scoring import Parameters, match_weight, probability

_BATCH = 50_000
_PAIRS_PER_FLUSH = 1 << 20


class _KeyStore:
    """Blocking keys on disk: ``idx`` (key, record) for index keys, ``var`` for the extra keys a
    record is looked up by (query keys that are not index keys)."""

    def __init__(self, folder: Path):
        self.connection = sqlite3.connect(folder / "keys.sqlite3")
        self.connection.executescript(
            "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA temp_store = FILE;"
            "CREATE TABLE idx (key TEXT NOT NULL, id INTEGER NOT NULL);"
            "CREATE TABLE var (key TEXT NOT NULL, id INTEGER NOT NULL);"
        )
        self._idx: list[tuple[str, int]] = []
        self._var: list[tuple[str, int]] = []
        self.oversize: set[str] = set()

    def add(self, number: int, person: PreparedPerson) -> None:
        own = index_keys(person)
        self._idx.extend((key, number) for key in own)
        self._var.extend((key, number) for key in query_keys(person) - own)
        if len(self._idx) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.connection.executemany("INSERT INTO idx VALUES (?, ?)", self._idx)
        self.connection.executemany("INSERT INTO var VALUES (?, ?)", self._var)
        self._idx, self._var = [], []

    def finish_loading(self, max_block: int) -> None:
        self.flush()
        self.connection.execute("CREATE INDEX idx_key ON idx (key, id)")
        self.connection.execute("CREATE INDEX var_key ON var (key, id)")
        self.connection.commit()
        # Keys held by more than max_block records say nothing (a default date of birth, a common
        # name): known up front, so that no look-up ever reads their long lists.
        self.oversize = {
            row[0]
            for row in self.connection.execute("SELECT key FROM idx GROUP BY key HAVING COUNT(*) > ?", (max_block,))
        }

    def candidates(self, person: PreparedPerson) -> set[int]:
        """Records paired with ``person`` by ``matcher.candidate_pairs`` (itself included): those
        holding, as an index key, one of its query keys (in a block of at most ``max_block``), and
        those looked up by a variant key that is one of its own keys (in such a block). One query."""
        wanted = sorted(query_keys(person) - self.oversize)
        if not wanted:
            return set()
        own = index_keys(person)
        marks = ", ".join("?" * len(wanted))
        blocks: dict[str, list[int]] = {}
        variants: dict[str, list[int]] = {}
        rows = self.connection.execute(
            f"SELECT 0, key, id FROM idx WHERE key IN ({marks}) "  # noqa: S608 - placeholders only
            f"UNION ALL SELECT 1, key, id FROM var WHERE key IN ({marks})",  # noqa: S608
            wanted + wanted,
        )
        for variant, key, number in rows:
            (variants if variant else blocks).setdefault(key, []).append(number)
        found: set[int] = set()
        for key, members in blocks.items():
            found.update(members)
            if key in own:
                found.update(variants.get(key, ()))
        return found

    def close(self) -> None:
        self.connection.close()


def _slim(person: PreparedPerson) -> PreparedPerson:
    """The prepared person without its raw row (only its id): what comparing and scoring need."""
    person.record = PersonRecord(person.record.record_id)
    return person


def _weight_bound(levels: tuple, swapped: bool, parameters: Parameters) -> float:
    """The highest match weight any pair with these levels can have (name frequencies at their floor)."""
    total = math.log2(parameters.prior / (1.0 - parameters.prior))
    for index, name in enumerate(FIELDS):
        level = levels[index]
        if level is None:
            continue
        m = parameters.m[name][level]
        u = parameters.u[name][level]
        if level == 0 and name in parameters.frequencies and not swapped:
            u = min(u, parameters.min_frequency.get(name, u))
        total += math.log2(m / u)
    return total


class _PairFile:
    """(record, record, pattern) triples in a temporary file, written and read in large blocks."""

    def __init__(self, folder: Path):
        self.path = folder / "pairs.bin"
        self.handle = self.path.open("wb")
        self.buffers = (array("I"), array("I"), array("I"))
        self.count = 0

    def add(self, i: int, j: int, pattern: int) -> None:
        first, second, patterns = self.buffers
        first.append(i)
        second.append(j)
        patterns.append(pattern)
        self.count += 1
        if len(first) >= _PAIRS_PER_FLUSH:
            self._flush()

    def _flush(self) -> None:
        length = len(self.buffers[0])
        if not length:
            return
        self.handle.write(length.to_bytes(8, "little"))
        for buffer in self.buffers:
            buffer.tofile(self.handle)
        self.buffers = (array("I"), array("I"), array("I"))

    def close(self) -> None:
        self._flush()
        self.handle.close()

    def __iter__(self) -> Iterator[tuple[array, array, array]]:
        with self.path.open("rb") as handle:
            while header := handle.read(8):
                length = int.from_bytes(header, "little")
                blocks = []
                for _ in range(3):
                    block = array("I")
                    block.fromfile(handle, length)
                    blocks.append(block)
                yield blocks[0], blocks[1], blocks[2]


def find_duplicates_streaming(
    records: Iterable[PersonRecord],
    *,
    threshold: float = MATCH_THRESHOLD,
    estimate: bool = True,
    max_block: int = 1000,
    seed: int = 20260401,
    keep_records: bool = False,
    parameters: Parameters | None = None,
) -> BatchResult:
    """``matcher.find_duplicates`` for lists of any length (see the module's docstring).

    ``keep_records`` keeps each raw row in memory, which the pairs' reasons need."""
    with tempfile.TemporaryDirectory(prefix="casework-duplicates-") as temporary:
        folder = Path(temporary)
        keys = _KeyStore(folder)
        people: list[PreparedPerson] = []
        for record in records:
            person = prepare(record)
            keys.add(len(people), person)
            people.append(person if keep_records else _slim(person))
        keys.finish_loading(max_block)

        pairs = _PairFile(folder)
        patterns: Counter = Counter()
        pattern_ids: dict[tuple, int] = {}
        for i, person in enumerate(people):
            for j in sorted(keys.candidates(person)):
                if j <= i:
                    continue
                comparison = compare(person, people[j])
                pattern = (comparison.levels, comparison.names_swapped)
                number = pattern_ids.get(pattern)
                if number is None:
                    number = pattern_ids[pattern] = len(pattern_ids)
                patterns[comparison.levels] += 1
                pairs.add(i, j, number)
        pairs.close()
        keys.close()

        diagnostics: dict = {}
        if parameters is None:
            if estimate and len(people) >= 300:
                parameters, diagnostics = train_on_patterns(people, None, patterns, pairs.count, seed=seed)
            else:
                parameters = untrained_parameters(len(people))

        # The weight a pair needs (with a margin for rounding; a probability of 1 is a weight past 53 bits).
        wanted = math.log2(threshold / (1.0 - threshold)) - 1e-6 if threshold < 1 else 50.0
        by_number = sorted(pattern_ids, key=pattern_ids.__getitem__)
        hopeful = [_weight_bound(levels, swapped, parameters) >= wanted for levels, swapped in by_number]
        weights, lefts, rights = array("d"), array("I"), array("I")
        for first, second, numbers in pairs:
            for index, number in enumerate(numbers):
                if not hopeful[number]:
                    continue
                a, b = people[first[index]], people[second[index]]
                levels, swapped = by_number[number]
                weight, _ = match_weight(levels, parameters, a, b, swapped=swapped)
                if probability(weight) < threshold or different_person_reason(a, b, compare(a, b)) is not None:
                    continue
                weights.append(weight)
                lefts.append(first[index])
                rights.append(second[index])
        order = array("I", sorted(range(len(weights)), key=lambda n: -weights[n]))
        diagnostics["candidate_pairs"] = pairs.count
        diagnostics["patterns"] = len(pattern_ids)
        found = _Found(people, parameters, order, lefts, rights)
        return BatchResult(found, pairs.count, parameters, diagnostics)


class _Found(Sequence):
    """The pairs found, best first, kept as numbers (a pair's full result, with its comparison and
    reasons, is made when it is read): a file whose every row has a look-alike holds millions."""

    def __init__(self, people: list[PreparedPerson], parameters: Parameters, order: array, lefts: array, rights: array):
        self.people, self.parameters, self.order, self.lefts, self.rights = people, parameters, order, lefts, rights

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[n] for n in range(*index.indices(len(self)))]
        position = self.order[index]
        a, b = self.people[self.lefts[position]], self.people[self.rights[position]]
        comparison = compare(a, b)
        weight, contributions = match_weight(comparison.levels, self.parameters, a, b, swapped=comparison.names_swapped)
        return MatchResult(a, b, weight, probability(weight), comparison, contributions, None)
