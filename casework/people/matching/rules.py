"""Rules that stop the merging of different people who look alike on paper.

Twins share a family name, a date of birth and usually an address; a parent and child may share
a whole name and an address. The probabilistic score adds those agreements up and can call them
one person, so these rules look for the pattern and override the verdict. A shared identifier
(NHS number, PNC ID, other identifier, exact or one keystroke apart) outweighs the rules: the
same NHS number on both records is the same person whose other details were mistyped.
"""

from __future__ import annotations

from .compare import Comparison
from .normalise import PreparedPerson

#: a parent is at least this many years older than their child
GENERATION_GAP_YEARS = 12


def identifiers_agree(comparison: Comparison) -> bool:
    return any(comparison.level(name) in (0, 1) for name in ("nhs_number", "pnc_id", "other_id"))


def different_person_reason(a: PreparedPerson, b: PreparedPerson, comparison: Comparison) -> str | None:
    """Why the pair is taken to be two different people, or None when no rule applies."""
    if identifiers_agree(comparison):
        return None
    if a.suffix and b.suffix and a.suffix != b.suffix:
        return f"different generation ({a.suffix.title()} / {b.suffix.title()}): likely parent and child"
    family = comparison.level("family_name")
    given = comparison.level("given_name")
    dob = comparison.level("date_of_birth")
    address = comparison.level("address")
    same_family = family is not None and family <= 2
    if same_family and dob in (0, 1) and given == 4:
        return "same family name and date of birth but different given names: likely twins or siblings"
    if (
        same_family
        and dob in (3, 4)
        and a.dob is not None
        and b.dob is not None
        and abs(a.dob.year - b.dob.year) >= GENERATION_GAP_YEARS
        and address is not None
        and address <= 2
    ):
        years = abs(a.dob.year - b.dob.year)
        return f"same family name and address but born {years} years apart: likely parent and child"
    if same_family and (a.suffix or b.suffix) and dob in (3, 4) and address is not None and address <= 2:
        suffix = (a.suffix or b.suffix).title()
        return f"one record is marked {suffix} and the dates of birth differ: likely parent and child"
    return None
