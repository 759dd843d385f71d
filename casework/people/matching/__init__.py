"""Finding existing persons who may be the same as a new one (issue 4).

Pure Python, no Django models: the person models call in here.

* :func:`prepare` normalises a :class:`PersonRecord` once;
* :func:`score_pair` compares two and returns a :class:`MatchResult` (probability, verdict,
  plain-English reasons);
* :func:`rank_candidates` ranks candidates for one person;
* :class:`~casework.people.matching.index.CandidateIndex` looks a person up among many on SQLite;
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
from .normalise import PersonRecord, PreparedPerson, is_valid_nhs_number, parse_pnc_id, prepare
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
    "is_valid_nhs_number",
    "link",
    "parse_pnc_id",
    "prepare",
    "rank_candidates",
    "score_pair",
]
