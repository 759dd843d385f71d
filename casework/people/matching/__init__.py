"""Finding existing persons who may be the same as a new one (issue 4).

Pure Python, no Django models: the person models call in here (``casework.people.candidates``).
Identifiers are read with :mod:`casework.core.identifiers`; names are coded with ``jellyfish``.
The benchmark's SQLite candidate index lives in ``benchmarks/matching/sqlite_index.py``.

* :func:`prepare` normalises a :class:`PersonRecord` once;
* :func:`score_pair` compares two and returns a :class:`MatchResult` (probability, verdict,
  plain-English reasons);
* :func:`rank_candidates` ranks candidates for one person;
* :func:`find_duplicates` / :func:`link` work on whole lists;
* :mod:`~casework.people.matching.csvtool` checks a CSV before import.
"""

from .matcher import (
    DIFFERENT,
    LIKELY,
    MATCH_THRESHOLD,
    POSSIBLE,
    BatchResult,
    MatchResult,
    find_duplicates,
    link,
    rank_candidates,
    score_pair,
)
from .normalise import PersonRecord, PreparedPerson, prepare
from .scoring import DEFAULT_PARAMETERS, Parameters

__all__ = [
    "DEFAULT_PARAMETERS",
    "DIFFERENT",
    "LIKELY",
    "MATCH_THRESHOLD",
    "POSSIBLE",
    "BatchResult",
    "MatchResult",
    "Parameters",
    "PersonRecord",
    "PreparedPerson",
    "find_duplicates",
    "link",
    "prepare",
    "rank_candidates",
    "score_pair",
]
