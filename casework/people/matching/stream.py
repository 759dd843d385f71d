"""Duplicates within a long list of persons, with memory that does not grow with the pairs.

``matcher.find_duplicates`` holds every candidate pair's comparison in memory at once: fine for a
few thousand records, 6 GB for 100,000. This finds the same pairs, or with ``block_cap`` far fewer
(``find_duplicates --input`` uses it), in three passes over data kept mostly on disk:

1. the records stream in; each is prepared once and kept in memory in its prepared form only
   (the raw row too when reasons are wanted); its blocking keys go to a temporary SQLite file;
2. the key index is read back key by key (a block: the records holding a key, and those looked
   up by it as a variant key); each block's pairs go, as numbers, to temporary files by range of
   the first record, and each file is read back on its own to drop pairs that share several keys;
   each pair is compared once, and only its pattern of comparison levels is kept, as a number in
   a temporary file and as a count for training. Without a cap (``block_cap=None``) these are
   exactly ``matcher.candidate_pairs``'s pairs (tested). With the cap (``BLOCK_CAP``), a key held
   by more records than that does not pair them on its own: the block is split by a second value
   its records share (``_SPLIT_BY``: the sound of a name, the birth year or day and month, the
   postcode sector), and parts still over the cap are left out, counted in the diagnostics.
   Without it, keys such as the date of birth hold more records the longer the list (about 35 a
   date in a synthetic million), and the pairs grow with the square of the records;
3. the weights are learnt from the pattern counts (``matcher.train_on_patterns``, as the
   in-memory batch does), the file is read back, and only pairs whose pattern can reach the
   threshold are scored in full.

The temporary files live in the system's temporary folder and are removed afterwards.
"""

from __future__ import annotations

import math
import sqlite3
import tempfile
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .blocking import index_keys, variant_keys
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

    def add(self, number: int, person: PreparedPerson) -> None:
        own = index_keys(person)
        self._idx.extend((key, number) for key in own)
        self._var.extend((key, number) for key in variant_keys(person) - own)
        if len(self._idx) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        self.connection.executemany("INSERT INTO idx VALUES (?, ?)", self._idx)
        self.connection.executemany("INSERT INTO var VALUES (?, ?)", self._var)
        self._idx, self._var = [], []

    def finish_loading(self) -> None:
        self.flush()
        self.connection.execute("CREATE INDEX idx_key ON idx (key, id)")
        self.connection.execute("CREATE INDEX var_key ON var (key, id)")
        self.connection.commit()

    def blocks(self) -> Iterator[tuple[str, list[int], list[int]]]:
        """Each key that pairs records: (key, records holding it as an index key, records looked up
        by it as a variant key), in key order; keys held by one record and asked for by none are
        left out in SQLite. Records asking for a key pair with its holders, not with each other."""
        askers: dict[str, list[int]] = {
            key: [int(number) for number in numbers.split(",")]
            for key, numbers in self.connection.execute(
                "SELECT key, group_concat(id) FROM var "
                "WHERE EXISTS (SELECT 1 FROM idx WHERE idx.key = var.key) GROUP BY key"
            )
        }
        rows = self.connection.execute(
            "SELECT key, group_concat(id) FROM idx GROUP BY key "
            "HAVING COUNT(*) > 1 OR EXISTS (SELECT 1 FROM var WHERE var.key = idx.key)"
        )
        for key, numbers in rows:
            yield key, sorted(int(number) for number in numbers.split(",")), askers.get(key, [])

    def close(self) -> None:
        self.connection.close()


#: records sharing one key beyond which the key alone no longer pairs them (see ``_split``)
BLOCK_CAP = 8

# The second values an oversize block is split by, per kind of key: those the key does not
# already imply, so that each fault the key is there for (``blocking``) still leaves one shared.
# "name": the sound of the given name or of any part of the family name, in one set (names in the
# wrong fields still share one); "given": the formal given names (nicknames share theirs); "year"
# and "day": the birth year, and the day and month in order (an error in one leaves the other);
# "area": the postcode sector (the whole postcode when it is not a UK one).
_SPLIT_BY = {
    "d": ("name", "area"),
    "fy": ("given", "day", "area"),
    "fg": ("year", "day", "area"),
    "pc": ("name", "year"),
}
_SPLIT_BY_DEFAULT = ("name", "year", "area")


def _second_values(kind: str, person: PreparedPerson) -> set[str]:
    values: set[str] = set()
    for part in _SPLIT_BY.get(kind, _SPLIT_BY_DEFAULT):
        if part == "name":
            values.update("s:" + code for code in (person.given_code, *person.family_codes) if code)
        elif part == "given":
            values.update("g:" + formal for formal in person.given_formals)
        elif part == "area" and person.postcode is not None:
            values.add("a:" + (person.postcode.sector or person.postcode.compact))
        elif person.dob is not None:
            dob = person.dob
            if part == "year":
                values.add(f"y:{dob.year}")
            else:
                values.add(f"m:{min(dob.month, dob.day)}:{max(dob.month, dob.day)}")
    return values


def _split(
    key: str, members: list[int], askers: list[int], people: Sequence[PreparedPerson]
) -> list[tuple[list[int], list[int]]]:
    """An oversize block as the parts whose records also share a second value (``_SPLIT_BY``)."""
    kind = key.split(":", 1)[0]
    parts: dict[str, tuple[list[int], list[int]]] = {}
    for side, numbers in ((0, members), (1, askers)):
        for number in numbers:
            for value in _second_values(kind, people[number]):
                parts.setdefault(value, ([], []))[side].append(number)
    return [part for part in parts.values() if part[0] and len(part[0]) + len(part[1]) > 1]


def _pair_count(members: list[int], askers: list[int]) -> int:
    return len(members) * (len(members) - 1) // 2 + len(askers) * len(members)


def _pairs_of(members: list[int], askers: list[int]) -> Iterator[tuple[int, int]]:
    """The pairs a block makes: its holders with each other, and each asker with each holder."""
    for index, first in enumerate(members):
        for second in members[index + 1 :]:
            yield first, second
    for asker in askers:
        for member in members:
            if asker != member:
                yield (asker, member) if asker < member else (member, asker)


def _block(
    keys: _KeyStore,
    people: Sequence[PreparedPerson],
    candidates: _PairBuckets,
    max_block: int,
    block_cap: int | None,
) -> tuple[int, int, int]:
    """Every block's pairs into ``candidates``; returns the blocks split, the blocks (or parts)
    left out, and the pairs those would have made (once per key)."""
    split = left_out = pairs_left_out = 0
    for key, members, askers in keys.blocks():
        if len(members) > max_block:
            left_out += 1
            pairs_left_out += _pair_count(members, askers)
            continue
        parts = [(members, askers)]
        if block_cap is not None and len(members) + len(askers) > block_cap:
            split += 1
            parts = _split(key, members, askers, people)
        for part_members, part_askers in parts:
            if block_cap is not None and len(part_members) + len(part_askers) > block_cap:
                left_out += 1
                pairs_left_out += _pair_count(part_members, part_askers)
                continue
            for i, j in _pairs_of(part_members, part_askers):
                candidates.add(i, j)
    return split, left_out, pairs_left_out


def _slim(person: PreparedPerson, shared: dict) -> PreparedPerson:
    """The prepared person without its raw row (only its id): what comparing and scoring need.
    Values that many persons hold (family names and name sounds) are kept once, in ``shared``."""
    person.record = PersonRecord(person.record.record_id)
    person.family = shared.setdefault(person.family, person.family)
    person.given_code = shared.setdefault(person.given_code, person.given_code)
    person.family_codes = shared.setdefault(person.family_codes, person.family_codes)
    return person


class _PairBuckets:
    """Candidate pairs as numbers (``i << 32 | j``, ``i < j``) in temporary files, one per range of
    ``i``, written as the blocks are read: a pair sharing several keys comes once per key, and each
    bucket is read back on its own to drop the repeats, so memory holds one bucket's pairs only."""

    COUNT = 16

    def __init__(self, folder: Path, records: int):
        self.paths = [folder / f"candidates-{number}.bin" for number in range(self.COUNT)]
        self.handles = [path.open("wb") for path in self.paths]
        self.buffers = [array("Q") for _ in range(self.COUNT)]
        self.per_bucket = max(1, -(-records // self.COUNT))

    def add(self, i: int, j: int) -> None:
        number = i // self.per_bucket
        buffer = self.buffers[number]
        buffer.append((i << 32) | j)
        if len(buffer) >= _BATCH:
            buffer.tofile(self.handles[number])
            self.buffers[number] = array("Q")

    def close(self) -> None:
        for buffer, handle in zip(self.buffers, self.handles):
            buffer.tofile(handle)
            handle.close()
        self.buffers = []

    def __iter__(self) -> Iterator[tuple[int, int]]:
        """Each pair once, in order."""
        for path in self.paths:
            codes = array("Q")
            with path.open("rb") as handle:
                codes.frombytes(handle.read())
            path.unlink()
            for code in sorted(set(codes)):
                yield code >> 32, code & 0xFFFFFFFF


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
    block_cap: int | None = BLOCK_CAP,
    seed: int = 20260401,
    keep_records: bool = False,
    parameters: Parameters | None = None,
) -> BatchResult:
    """``matcher.find_duplicates`` for lists of any length (see the module's docstring).

    ``keep_records`` keeps each raw row in memory, which the pairs' reasons need. ``max_block``: a key
    held by more records is left out altogether (as ``matcher.candidate_pairs`` does); ``block_cap``:
    a key held (or asked for) by more records is split by a second shared value (``_split``), and
    None compares every pair that shares a key, as the in-memory matcher does. The diagnostics
    say how many blocks were split and left out, and the seconds each phase took."""
    with tempfile.TemporaryDirectory(prefix="casework-duplicates-") as temporary:
        folder = Path(temporary)
        keys = _KeyStore(folder)
        people: list[PreparedPerson] = []
        shared: dict = {}
        timings: dict[str, float] = {}
        started = time.perf_counter()
        for record in records:
            person = prepare(record)
            keys.add(len(people), person)
            people.append(person if keep_records else _slim(person, shared))
        del shared
        keys.finish_loading()

        timings["read_and_prepare"] = time.perf_counter() - started

        started = time.perf_counter()
        candidates = _PairBuckets(folder, len(people))
        split, left_out, pairs_left_out = _block(keys, people, candidates, max_block, block_cap)
        candidates.close()
        keys.close()
        timings["blocking"] = time.perf_counter() - started

        started = time.perf_counter()
        pairs = _PairFile(folder)
        patterns: Counter = Counter()
        pattern_ids: dict[tuple, int] = {}
        for i, j in candidates:
            comparison = compare(people[i], people[j])
            pattern = (comparison.levels, comparison.names_swapped)
            number = pattern_ids.get(pattern)
            if number is None:
                number = pattern_ids[pattern] = len(pattern_ids)
            patterns[comparison.levels] += 1
            pairs.add(i, j, number)
        pairs.close()
        timings["comparing"] = time.perf_counter() - started

        started = time.perf_counter()
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
        timings["training_and_scoring"] = time.perf_counter() - started
        diagnostics["candidate_pairs"] = pairs.count
        diagnostics["patterns"] = len(pattern_ids)
        diagnostics["block_cap"] = block_cap
        diagnostics["blocks_split"] = split
        diagnostics["blocks_left_out"] = left_out
        diagnostics["pairs_left_out"] = pairs_left_out
        diagnostics["seconds"] = {name: round(value, 1) for name, value in timings.items()}
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
