"""Rules that stop the merging of different people who look alike on paper.

Twins share a family name, a date of birth and usually an address; a parent and child may share
a whole name and an address. The probabilistic score adds those agreements up and can call them
one person, so these rules look for the pattern and override the verdict. A shared identifier
(NHS number, PNC ID, other identifier, exact or one keystroke apart) outweighs the rules: the
same NHS number on both records is the same person whose other details were mistyped.
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from .compare import FIELD_INDEX, Comparison
from .normalise import PreparedPerson, is_transposition

#: a parent is at least this many years older than their child, and at most this many
GENERATION_GAP_YEARS = 12
MAX_GENERATION_GAP_YEARS = 60


_IDENTIFIERS = tuple(FIELD_INDEX[name] for name in ("nhs_number", "pnc_id", "other_id"))


def identifiers_agree(comparison: Comparison) -> bool:
    levels = comparison.levels
    for index in _IDENTIFIERS:
        level = levels[index]
        if level is not None and level <= 1:
            return True
    return False


def clearly_different_given_names(a: PreparedPerson, b: PreparedPerson, comparison: Comparison) -> bool:
    """Given names that no typo or nickname explains.

    Either the comparison found nothing in common, or they are only "partly similar" (Adrian /
    Brian, Martin / Maria), need two or more keystrokes to turn one into the other, and either
    start with different letters (typing errors rarely change a name's first letter) or belong
    to people recorded with different sexes. Names seen in the other record's other name field
    are never "clearly different" (a partial swap).
    """
    if comparison.names_swapped or comparison.names_cross_match:
        return False
    level = comparison.level("given_name")
    if level == 4:
        return OSA.distance(a.given, b.given) >= 2
    if level == 3 and len(a.given) > 1 and len(b.given) > 1 and OSA.distance(a.given, b.given) >= 2:
        return a.given[:1] != b.given[:1] or comparison.level("sex") == 1
    return False


def different_person_reason(a: PreparedPerson, b: PreparedPerson, comparison: Comparison) -> str | None:
    """Why the pair is taken to be two different people, or None when no rule applies."""
    if identifiers_agree(comparison):
        return None
    if a.suffix and b.suffix and a.suffix != b.suffix:
        return f"different generation ({a.suffix.title()} / {b.suffix.title()}): likely parent and child"
    family = comparison.level("family_name")
    dob = comparison.level("date_of_birth")
    address = comparison.level("address")
    same_family = family is not None and family <= 3
    if clearly_different_given_names(a, b, comparison):
        if same_family and dob is not None and dob <= 3:
            return "same family name and (nearly) the same date of birth but different given names: likely twins or siblings"
        if dob in (0, 1):
            return "same date of birth but different given and family names: likely different people"
    given = comparison.level("given_name")
    if (
        (same_family or (given is not None and given <= 2))
        and dob in (3, 4)
        and a.dob is not None
        and b.dob is not None
        and a.dob.valid
        and b.dob.valid
        and GENERATION_GAP_YEARS <= abs(a.dob.year - b.dob.year) <= MAX_GENERATION_GAP_YEARS
        and not _year_typo(a, b)
        and address is not None
        and address <= 2
    ):
        years = abs(a.dob.year - b.dob.year)
        shared = "family name and address" if same_family else "given name and address"
        return f"same {shared} but born {years} years apart: likely parent and child"
    return None


def _year_typo(a: PreparedPerson, b: PreparedPerson) -> bool:
    """Birth years that are two transposed digits apart (1957 / 1975) on the same day and month."""
    same_day = (a.dob.month, a.dob.day) in ((b.dob.month, b.dob.day), (b.dob.day, b.dob.month))
    return same_day and is_transposition(f"{a.dob.year}", f"{b.dob.year}")
