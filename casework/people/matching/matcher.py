"""Scoring one pair, ranking candidates for one person, and finding duplicates in a batch."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .blocking import index_keys, query_keys
from .compare import FIELD_INDEX, FIELDS, Comparison, compare
from .normalise import PersonRecord, PreparedPerson, prepare
from .reasons import reasons
from .rules import different_person_reason
from .scoring import (
    DEFAULT_PARAMETERS,
    Parameters,
    agreement_counts,
    estimate_m,
    estimate_u,
    exact_u_without_matches,
    match_weight,
    name_frequencies,
    posterior,
    probability,
)

LIKELY = "likely the same person"
POSSIBLE = "possibly the same person"
DIFFERENT = "different people"

#: match probability at and above which a pair is called the same person
MATCH_THRESHOLD = 0.5
#: match probability at and above which a candidate is offered for review
REVIEW_THRESHOLD = 0.05


@dataclass
class MatchResult:
    """One candidate for one person: how likely they are the same, and why."""

    a: PreparedPerson
    b: PreparedPerson
    weight: float
    probability: float
    comparison: Comparison
    contributions: dict[str, float]
    different_person: str | None = None  # a rule's reason when the pair is taken to be two people

    @property
    def is_match(self) -> bool:
        return self.different_person is None and self.probability >= MATCH_THRESHOLD

    @property
    def verdict(self) -> str:
        if self.different_person is not None:
            return DIFFERENT
        if self.probability >= MATCH_THRESHOLD:
            return LIKELY
        if self.probability >= REVIEW_THRESHOLD:
            return POSSIBLE
        return DIFFERENT

    @property
    def score(self) -> float:
        """The match probability, 0..1 (0 when a rule says these are two people)."""
        return 0.0 if self.different_person is not None else self.probability

    @property
    def reasons(self) -> list[str]:
        found = reasons(self.a, self.b, self.comparison, self.contributions)
        if self.different_person:
            found.insert(0, self.different_person)
        return found

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def score_pair(a: PreparedPerson, b: PreparedPerson, parameters: Parameters = DEFAULT_PARAMETERS) -> MatchResult:
    comparison = compare(a, b)
    weight, contributions = match_weight(comparison.levels, parameters, a, b, swapped=comparison.names_swapped)
    return MatchResult(
        a=a,
        b=b,
        weight=weight,
        probability=probability(weight),
        comparison=comparison,
        contributions=contributions,
        different_person=different_person_reason(a, b, comparison),
    )


def rank_candidates(
    person: PreparedPerson,
    candidates: Iterable[PreparedPerson],
    parameters: Parameters = DEFAULT_PARAMETERS,
    *,
    include_different: bool = False,
    minimum_probability: float = REVIEW_THRESHOLD,
    limit: int | None = 10,
) -> list[MatchResult]:
    """Score every candidate against ``person`` and return those worth showing, best first.

    Pairs a rule calls two different people (twins, parent and child) are left out unless
    ``include_different`` is set; then they come last, marked with their reason.
    """
    results = []
    for candidate in candidates:
        comparison = compare(person, candidate)
        weight, contributions = match_weight(
            comparison.levels, parameters, person, candidate, swapped=comparison.names_swapped
        )
        p = probability(weight)
        if p < minimum_probability and not include_different:
            continue
        result = MatchResult(
            person,
            candidate,
            weight,
            p,
            comparison,
            contributions,
            different_person_reason(person, candidate, comparison),
        )
        if result.different_person is not None:
            if include_different:
                results.append(result)
            continue
        if result.probability >= minimum_probability:
            results.append(result)
    results.sort(key=lambda r: (r.different_person is not None, -r.probability, -r.weight))
    return results[:limit] if limit else results


# ---------------------------------------------------------------------------------------------
# Batches: deduplicate one list, or link two.


@dataclass
class BatchResult:
    pairs: Sequence[MatchResult]  # the pairs called the same person, best first
    candidate_pairs: int
    parameters: Parameters
    diagnostics: dict = field(default_factory=dict)


def candidate_pairs(
    people: Sequence[PreparedPerson], other: Sequence[PreparedPerson] | None = None, *, max_block: int = 1000
) -> set[tuple[int, int]]:
    """Pairs (i, j) sharing a blocking key; within ``people`` (i < j) or across to ``other``.

    Keys held by more than ``max_block`` records are skipped (too common to say anything).
    """
    target = other if other is not None else people
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, person in enumerate(target):
        for key in index_keys(person):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for i, person in enumerate(people):
        for key in query_keys(person):
            members = blocks.get(key)
            if not members or len(members) > max_block:
                continue
            for j in members:
                if other is None:
                    if i != j:
                        pairs.add((i, j) if i < j else (j, i))
                else:
                    pairs.add((i, j))
    return pairs


def train(
    people: Sequence[PreparedPerson],
    other: Sequence[PreparedPerson] | None,
    pairs: set[tuple[int, int]],
    comparisons: dict[tuple[int, int], Comparison],
    *,
    seed: int = 20260401,
    start: Parameters = DEFAULT_PARAMETERS,
    m_floor: float = 1e-3,
) -> tuple[Parameters, dict]:
    """Unsupervised parameters for one data set: ``u`` from random pairs, ``m`` and the match share by EM."""
    patterns = Counter(c.levels for c in comparisons.values())
    return train_on_patterns(people, other, patterns, len(pairs), seed=seed, start=start, m_floor=m_floor)


def train_on_patterns(
    people: Sequence[PreparedPerson],
    other: Sequence[PreparedPerson] | None,
    patterns: Counter,
    candidate_pairs: int,
    *,
    seed: int = 20260401,
    start: Parameters = DEFAULT_PARAMETERS,
    m_floor: float = 1e-3,
) -> tuple[Parameters, dict]:
    """``train`` from the candidate pairs' comparison levels counted by pattern (how many pairs fell
    on each combination of levels): what a batch too large to keep its comparisons in memory has."""
    u = estimate_u(people, other, seed=seed)
    em = estimate_m(patterns, initial=start, u_start=u)
    m = {}
    for name, values in em.m.items():
        floored = [max(value, m_floor) for value in values]
        total = sum(floored)
        m[name] = [value / total for value in floored]
    n = len(people)
    total_pairs = n * len(other) if other is not None else n * (n - 1) / 2
    expected_matches = em.match_share * candidate_pairs
    prior = min(max(expected_matches / max(total_pairs, 1), 1e-12), 0.5)
    vectors = list(patterns)
    posteriors = [posterior(levels, em.m, em.u_candidates, em.match_share) for levels in vectors]
    observed = {name for name in FIELDS if any(levels[FIELD_INDEX[name]] is not None for levels in vectors)}
    counts = {name: value for name, value in agreement_counts(people, other).items() if name in observed}
    u = exact_u_without_matches(u, counts, vectors, posteriors, weights=[patterns[v] for v in vectors])
    everyone = list(people) + (list(other) if other is not None else [])
    frequencies, floors = name_frequencies(everyone)
    parameters = Parameters(m=m, u=u, prior=prior, frequencies=frequencies, min_frequency=floors)
    diagnostics = {
        "em_iterations": em.iterations,
        "em_match_share": em.match_share,
        "expected_matches": expected_matches,
        "prior": prior,
    }
    return parameters, diagnostics


def untrained_parameters(n: int) -> Parameters:
    """The a priori weights, with the prior for a list of ``n`` records."""
    return DEFAULT_PARAMETERS.with_prior(DEFAULT_PARAMETERS.prior if n < 2 else 0.1 / n)


def _run(
    people: list[PreparedPerson],
    other: list[PreparedPerson] | None,
    *,
    parameters: Parameters | None,
    estimate: bool,
    threshold: float,
    one_to_one: bool,
    max_block: int,
    seed: int,
) -> BatchResult:
    pairs = candidate_pairs(people, other, max_block=max_block)
    right = other if other is not None else people
    comparisons = {pair: compare(people[pair[0]], right[pair[1]]) for pair in pairs}
    diagnostics: dict = {}
    if parameters is None:
        if estimate:
            parameters, diagnostics = train(people, other, pairs, comparisons, seed=seed)
        else:
            parameters = untrained_parameters(len(people))
    results = []
    for (i, j), comparison in comparisons.items():
        a, b = people[i], right[j]
        weight, contributions = match_weight(comparison.levels, parameters, a, b, swapped=comparison.names_swapped)
        p = probability(weight)
        if p < threshold:
            continue
        result = MatchResult(a, b, weight, p, comparison, contributions, different_person_reason(a, b, comparison))
        if result.different_person is None:
            results.append(result)
    results.sort(key=lambda r: -r.weight)
    if one_to_one:
        used_a: set[int] = set()
        used_b: set[int] = set()
        kept = []
        for result in results:
            key_a, key_b = id(result.a), id(result.b)
            if key_a in used_a or key_b in used_b:
                continue
            used_a.add(key_a)
            used_b.add(key_b)
            kept.append(result)
        results = kept
    diagnostics["candidate_pairs"] = len(pairs)
    return BatchResult(results, len(pairs), parameters, diagnostics)


def find_duplicates(
    records: Iterable[PersonRecord],
    *,
    parameters: Parameters | None = None,
    estimate: bool = True,
    threshold: float = MATCH_THRESHOLD,
    max_block: int = 1000,
    seed: int = 20260401,
) -> BatchResult:
    """Pairs of records within one list that are likely the same person.

    With ``estimate`` (and no ``parameters``) the weights are learnt from the list itself, without
    labels: worth it from a few hundred records up; below that the a priori weights are used.
    """
    people = [prepare(record) for record in records]
    estimate = estimate and len(people) >= 300
    return _run(
        people,
        None,
        parameters=parameters,
        estimate=estimate,
        threshold=threshold,
        one_to_one=False,
        max_block=max_block,
        seed=seed,
    )


def link(
    records_a: Iterable[PersonRecord],
    records_b: Iterable[PersonRecord],
    *,
    parameters: Parameters | None = None,
    estimate: bool = True,
    threshold: float = MATCH_THRESHOLD,
    one_to_one: bool = False,
    max_block: int = 1000,
    seed: int = 20260401,
) -> BatchResult:
    """Pairs (a, b) across two lists that are likely the same person.

    ``one_to_one`` keeps, greedily by weight, at most one partner per record: right when each
    list is known to hold each person once.
    """
    people_a = [prepare(record) for record in records_a]
    people_b = [prepare(record) for record in records_b]
    return _run(
        people_a,
        people_b,
        parameters=parameters,
        estimate=estimate,
        threshold=threshold,
        one_to_one=one_to_one,
        max_block=max_block,
        seed=seed,
    )
