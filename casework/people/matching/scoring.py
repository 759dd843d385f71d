"""Fellegi–Sunter scoring: log-likelihood weights per comparison level, summed, turned into a probability.

For each comparison level ``k`` of field ``f``:

* ``m[f][k]`` — how often two records *of the same person* fall on that level (errors, changes);
* ``u[f][k]`` — how often two records *of different people* do (coincidence).

A pair's match weight is ``log2(prior odds) + Σ log2(m/u)`` over the fields that are filled on
both sides; the match probability is ``2^w / (1 + 2^w)``. Exact agreement on a given or family
name can be weighted by the name's own frequency (term-frequency adjustment): agreeing on
"Quigley" says more than agreeing on "Smith".

Where the numbers come from (see docs/adr/0005-person-matching.md):

* :data:`DEFAULT_PARAMETERS` are set a priori for UK records (error rates from the data-quality
  literature and the faults this service sees; coincidence rates from name, birth-date and
  postcode frequencies). The service uses them until it has data of its own.
* :func:`estimate_u` measures ``u`` on random pairs of a data set (nearly all non-matches).
* :func:`estimate_m` runs expectation–maximisation on the unlabelled candidate pairs that blocking
  produced, learning ``m`` and the share of matches without any labels.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .compare import COMPARISONS, FIELD_INDEX, FIELDS, compare
from .normalise import PreparedPerson

Levels = tuple[int | None, ...]
TF_FIELDS = ("given_name", "family_name")


@dataclass
class Parameters:
    m: dict[str, list[float]]
    u: dict[str, list[float]]
    #: probability that two records drawn at random are the same person
    prior: float
    #: value frequencies for term-frequency adjustment of exact name agreement: field -> value -> share
    frequencies: dict[str, dict[str, float]] = field(default_factory=dict)
    min_frequency: dict[str, float] = field(default_factory=dict)

    def weights(self) -> dict[str, list[float]]:
        return {name: [math.log2(m / u) for m, u in zip(self.m[name], self.u[name])] for name in FIELDS}

    def with_prior(self, prior: float) -> Parameters:
        return Parameters(self.m, self.u, prior, self.frequencies, self.min_frequency)

    def as_dict(self) -> dict:
        return {"m": self.m, "u": self.u, "prior": self.prior}


def _normalised(values: Sequence[float]) -> list[float]:
    total = sum(values)
    return [value / total for value in values]


# A priori parameters for UK person records. m: same person; u: different people.
DEFAULT_PARAMETERS = Parameters(
    m={
        "given_name": _normalised([0.87, 0.05, 0.04, 0.02, 0.02]),
        "family_name": _normalised([0.88, 0.01, 0.04, 0.015, 0.055]),
        "date_of_birth": _normalised([0.93, 0.01, 0.03, 0.02, 0.01]),
        "sex": _normalised([0.99, 0.01]),
        "address": _normalised([0.70, 0.04, 0.04, 0.02, 0.20]),
        "nhs_number": _normalised([0.97, 0.02, 0.01]),
        "pnc_id": _normalised([0.97, 0.02, 0.01]),
        "other_id": _normalised([0.95, 0.03, 0.02]),
        "phone": _normalised([0.70, 0.02, 0.28]),
        "email": _normalised([0.75, 0.05, 0.20]),
    },
    u={
        "given_name": _normalised([0.008, 0.002, 0.005, 0.03, 0.955]),
        "family_name": _normalised([0.002, 0.0002, 0.003, 0.02, 0.9748]),
        "date_of_birth": _normalised([4e-5, 1.5e-5, 1e-3, 4e-3, 0.994945]),
        "sex": _normalised([0.5, 0.5]),
        "address": _normalised([1e-5, 1e-6, 5e-4, 5e-3, 0.994489]),
        "nhs_number": _normalised([1e-7, 1e-6, 0.9999989]),
        "pnc_id": _normalised([1e-7, 1e-6, 0.9999989]),
        "other_id": _normalised([1e-6, 1e-5, 0.999989]),
        "phone": _normalised([1e-6, 1e-5, 0.999989]),
        "email": _normalised([1e-7, 1e-6, 0.9999989]),
    },
    prior=1e-4,
)


def prior_for(other_records: int, duplicate_rate: float = 0.1) -> float:
    """Prior that a record is the same person as one given other record.

    ``duplicate_rate`` is the share of records that have a duplicate among ``other_records``.
    """
    return min(0.5, duplicate_rate / max(other_records, 1))


# ---------------------------------------------------------------------------------------------
# Scoring


def _tf_value(person: PreparedPerson, field_name: str) -> str:
    return person.given if field_name == "given_name" else person.family


def match_weight(
    levels: Levels,
    parameters: Parameters,
    a: PreparedPerson | None = None,
    b: PreparedPerson | None = None,
    *,
    swapped: bool = False,
) -> tuple[float, dict[str, float]]:
    """The pair's match weight (bits, prior included) and each field's contribution."""
    contributions: dict[str, float] = {}
    total = math.log2(parameters.prior / (1.0 - parameters.prior))
    for index, name in enumerate(FIELDS):
        level = levels[index]
        if level is None:
            continue
        m = parameters.m[name][level]
        u = parameters.u[name][level]
        if level == 0 and a is not None and name in parameters.frequencies and not swapped:
            frequency = parameters.frequencies[name].get(_tf_value(a, name))
            if frequency is not None:
                u = max(frequency, parameters.min_frequency.get(name, 0.0))
        weight = math.log2(m / u)
        contributions[name] = weight
        total += weight
    return total, contributions


def probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    if weight < -60:
        return 0.0
    odds = 2.0**weight
    return odds / (1.0 + odds)


# ---------------------------------------------------------------------------------------------
# Estimation


def name_frequencies(people: Iterable[PreparedPerson]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Share of records carrying each given and family name (for term-frequency adjustment)."""
    counts: dict[str, Counter[str]] = {name: Counter() for name in TF_FIELDS}
    for person in people:
        if person.given:
            counts["given_name"][person.given] += 1
        if person.family:
            counts["family_name"][person.family] += 1
    frequencies = {}
    floors = {}
    for name, counter in counts.items():
        total = sum(counter.values())
        if not total:
            continue
        frequencies[name] = {value: count / total for value, count in counter.items()}
        # A name seen once in a small file says little about its true rarity: floor at 1 in 2,000.
        floors[name] = max(1.0 / total, 1.0 / 2000)
    return frequencies, floors


def estimate_u(
    people_a: Sequence[PreparedPerson],
    people_b: Sequence[PreparedPerson] | None = None,
    *,
    sample_pairs: int = 60_000,
    seed: int = 20260401,
    pseudo_count: float = 0.5,
) -> dict[str, list[float]]:
    """``u`` per level from random pairs (which are almost all of different people).

    Exact agreement on high-cardinality fields is rare in any affordable sample, so the exact
    level of every field is taken from value frequencies (``Σ share²``, the chance two random
    records carry the same value) and the other levels from the sample.
    """
    rng = random.Random(seed)
    counts = {name: [0.0] * len(levels) for name, levels in COMPARISONS.items()}
    linking = people_b is not None
    right = people_b if people_b is not None else people_a
    n_left, n_right = len(people_a), len(right)
    if n_left < 2 or n_right < 1:
        return {name: list(values) for name, values in DEFAULT_PARAMETERS.u.items()}
    for _ in range(sample_pairs):
        i = rng.randrange(n_left)
        j = rng.randrange(n_right)
        if not linking and i == j:
            continue
        levels = compare(people_a[i], right[j]).levels
        for index, name in enumerate(FIELDS):
            level = levels[index]
            if level is not None:
                counts[name][level] += 1
    exact = _exact_agreement_rates(people_a, right)
    u: dict[str, list[float]] = {}
    for name, level_counts in counts.items():
        observed = sum(level_counts)
        if observed < 100:
            u[name] = list(DEFAULT_PARAMETERS.u[name])
            continue
        rest = [count + pseudo_count for count in level_counts[1:]]
        rest_total = sum(rest)
        exact_rate = exact.get(name)
        if exact_rate is None:
            exact_rate = (level_counts[0] + pseudo_count) / (observed + pseudo_count * len(level_counts))
        exact_rate = max(exact_rate, 1e-9)
        u[name] = [exact_rate] + [(1.0 - exact_rate) * count / rest_total for count in rest]
    return u


def _value_of(person: PreparedPerson, name: str) -> str | None:
    if name == "given_name":
        return person.given or None
    if name == "family_name":
        return person.family or None
    if name == "date_of_birth":
        return person.dob.digits if person.dob else None
    if name == "sex":
        return person.sex or None
    if name == "address":
        return None  # fuzzy "same address": sampled
    if name == "nhs_number":
        return person.nhs or None
    if name == "pnc_id":
        return person.pnc or None
    if name == "other_id":
        return person.other_id or None
    if name == "phone":
        return person.phone or None
    if name == "email":
        return person.email or None
    return None


def _exact_agreement_rates(left: Sequence[PreparedPerson], right: Sequence[PreparedPerson]) -> dict[str, float]:
    rates = {}
    for name in FIELDS:
        if name == "address":
            continue
        left_counts = Counter(value for value in (_value_of(p, name) for p in left) if value is not None)
        right_counts = (
            left_counts
            if right is left
            else Counter(value for value in (_value_of(p, name) for p in right) if value is not None)
        )
        n_left, n_right = sum(left_counts.values()), sum(right_counts.values())
        if n_left < 2 or n_right < 2:
            continue
        agreeing = sum(count * right_counts.get(value, 0) for value, count in left_counts.items())
        if right is left:
            # Pairs of distinct records only; a value typed on many duplicates inflates this a little.
            agreeing -= n_left
            rates[name] = max(agreeing, 0) / (n_left * (n_left - 1))
        else:
            rates[name] = agreeing / (n_left * n_right)
    return rates


def agreement_counts(
    left: Sequence[PreparedPerson], right: Sequence[PreparedPerson] | None = None
) -> dict[str, tuple[float, float]]:
    """Per field: (pairs that agree exactly, pairs with the field filled on both sides).

    Within one list (``right`` None) pairs are unordered pairs of distinct records.
    """
    counts = {}
    for name in FIELDS:
        if name == "address":
            continue
        left_counts = Counter(value for value in (_value_of(p, name) for p in left) if value is not None)
        if right is None:
            n = sum(left_counts.values())
            agreeing = sum(count * (count - 1) / 2 for count in left_counts.values())
            both = n * (n - 1) / 2
        else:
            right_counts = Counter(value for value in (_value_of(p, name) for p in right) if value is not None)
            agreeing = sum(count * right_counts.get(value, 0) for value, count in left_counts.items())
            both = sum(left_counts.values()) * sum(right_counts.values())
        if both:
            counts[name] = (float(agreeing), float(both))
    return counts


def exact_u_without_matches(
    u: dict[str, list[float]],
    counts: dict[str, tuple[float, float]],
    candidate_levels: Sequence[Levels],
    posteriors: Sequence[float],
    *,
    floor_pairs: float = 0.5,
    weights: Sequence[float] | None = None,
) -> dict[str, list[float]]:
    """``u`` of each field's exact level with the matches taken out.

    Counting all pairs that agree exactly on, say, the PNC ID counts mostly *duplicates*, not
    coincidences. Blocking found those pairs and EM gave each a probability of being a match, so
    the expected matches are subtracted from both the agreeing pairs and all pairs:
    ``u = (agreeing - E[matches agreeing]) / (both filled - E[matches both filled])``, at least
    ``floor_pairs`` coincidences. The other levels keep their sampled shares of the rest.
    ``weights``: how many pairs each of ``candidate_levels`` stands for (one each by default).
    """
    corrected = {name: list(values) for name, values in u.items()}
    weights = weights if weights is not None else [1] * len(candidate_levels)
    for name, (agreeing, both) in counts.items():
        index = FIELD_INDEX[name]
        expected_agreeing = 0.0
        expected_both = 0.0
        for levels, posterior, weight in zip(candidate_levels, posteriors, weights):
            level = levels[index]
            if level is None:
                continue
            expected_both += posterior * weight
            if level == 0:
                expected_agreeing += posterior * weight
        exact = max(agreeing - expected_agreeing, floor_pairs) / max(both - expected_both, 1.0)
        exact = min(exact, 0.999)
        rest = corrected[name][1:]
        rest_total = sum(rest) or 1.0
        corrected[name] = [exact] + [(1.0 - exact) * value / rest_total for value in rest]
    return corrected


def posterior(levels: Levels, m: dict[str, list[float]], u: dict[str, list[float]], share: float) -> float:
    """Probability that a candidate pair is a match under a two-class model (EM's E-step)."""
    log_m = math.log(share)
    log_u = math.log(1.0 - share)
    for index, name in enumerate(FIELDS):
        level = levels[index]
        if level is not None:
            log_m += math.log(m[name][level])
            log_u += math.log(u[name][level])
    difference = log_u - log_m
    return 1.0 / (1.0 + math.exp(difference)) if difference < 700 else 0.0


@dataclass
class EMResult:
    m: dict[str, list[float]]
    u_candidates: dict[str, list[float]]
    match_share: float  # share of candidate pairs that are matches
    iterations: int


def estimate_m(
    candidate_levels: Iterable[Levels],
    *,
    initial: Parameters = DEFAULT_PARAMETERS,
    u_start: dict | None = None,
    max_iterations: int = 200,
    tolerance: float = 1e-7,
    initial_share: float = 0.2,
) -> EMResult:
    """Expectation–maximisation over unlabelled candidate pairs (two latent classes).

    Identical comparison vectors are pooled, so the cost per iteration is the number of distinct
    vectors, not of pairs (a ``Counter`` of vectors may be given as it is). Blank fields are
    skipped (missing at random).
    """
    patterns = (
        candidate_levels
        if isinstance(candidate_levels, Counter)
        else Counter(tuple(levels) for levels in candidate_levels)
    )
    if not patterns:
        return EMResult({k: list(v) for k, v in initial.m.items()}, {k: list(v) for k, v in initial.u.items()}, 0.0, 0)
    vectors = list(patterns.items())
    m = {name: list(values) for name, values in initial.m.items()}
    u = {name: list(values) for name, values in (u_start or initial.u).items()}
    share = initial_share
    total_pairs = sum(patterns.values())
    iterations = 0
    for iterations in range(1, max_iterations + 1):  # noqa: B007 - reported
        m_counts = {name: [1e-3] * len(levels) for name, levels in COMPARISONS.items()}
        u_counts = {name: [1e-3] * len(levels) for name, levels in COMPARISONS.items()}
        expected_matches = 0.0
        log_share = math.log(share)
        log_other = math.log(1.0 - share)
        for levels, count in vectors:
            log_m = log_share
            log_u = log_other
            for index, name in enumerate(FIELDS):
                level = levels[index]
                if level is not None:
                    log_m += math.log(m[name][level])
                    log_u += math.log(u[name][level])
            difference = log_u - log_m
            posterior = 1.0 / (1.0 + math.exp(difference)) if difference < 700 else 0.0
            expected_matches += posterior * count
            for index, name in enumerate(FIELDS):
                level = levels[index]
                if level is not None:
                    m_counts[name][level] += posterior * count
                    u_counts[name][level] += (1.0 - posterior) * count
        new_share = min(max(expected_matches / total_pairs, 1e-6), 1 - 1e-6)
        change = abs(new_share - share)
        for name in FIELDS:
            new_m = _normalised(m_counts[name])
            new_u = _normalised(u_counts[name])
            change = max(change, max(abs(x - y) for x, y in zip(new_m, m[name])))
            m[name], u[name] = new_m, new_u
        share = new_share
        if change < tolerance:
            break
    # Fields never filled in the candidates keep their a priori m.
    for name in FIELDS:
        if not any(levels[FIELD_INDEX[name]] is not None for levels, _ in vectors):
            m[name] = list(initial.m[name])
            u[name] = list(initial.u[name])
    return EMResult(m, u, share, iterations)
