"""Rules that stop the merging of different people who look alike on paper.

Twins share a family name, a date of birth and usually an address; a parent and child may share
a whole name and an address. The probabilistic score adds those agreements up and can call them
one person, so these rules look for the pattern and override the verdict. A shared identifier
(NHS number, PNC ID, other identifier, exact or one keystroke apart) outweighs the rules: the
same NHS number on both records is the same person whose other details were mistyped.

Two different NHS numbers that both pass Modulus 11 are the opposite: a check digit catches every
single wrong digit and every swap of two neighbouring digits, so two valid numbers are two numbers
issued to two people, not one number mistyped. Only the same PNC ID or other identifier on both
records outweighs them (one record picked up another person's NHS number).
"""

from __future__ import annotations

from rapidfuzz.distance import OSA

from .compare import FIELD_INDEX, Comparison, _given_tokens_level, _name_string_level
from .normalise import PreparedPerson, is_transposition

#: a parent is at least this many years older than their child, and at most this many
GENERATION_GAP_YEARS = 12
MAX_GENERATION_GAP_YEARS = 60


_IDENTIFIERS = tuple(FIELD_INDEX[name] for name in ("nhs_number", "pnc_id", "other_id"))
_OTHER_IDENTIFIERS = tuple(FIELD_INDEX[name] for name in ("pnc_id", "other_id"))
#: birth years a typed date can plausibly hold (``normalise.parse_birth_date``'s range)
_YEARS = range(1850, 2101)


def identifiers_agree(comparison: Comparison) -> bool:
    levels = comparison.levels
    for index in _IDENTIFIERS:
        level = levels[index]
        if level is not None and level <= 1:
            return True
    return False


def different_valid_nhs_numbers(a: PreparedPerson, b: PreparedPerson) -> bool:
    """Both records carry an NHS number that passes Modulus 11, and the numbers differ."""
    return a.nhs_valid and b.nhs_valid and a.nhs != b.nhs


def _other_identifier_same(comparison: Comparison) -> bool:
    return any(comparison.levels[index] == 0 for index in _OTHER_IDENTIFIERS)


def _clearly_different(x: str, y: str, level: int | None, different_sex: bool) -> bool:
    """First given names ``x`` and ``y``, on given-name ``level``, that no typo or nickname explains."""
    if level == 4:
        return OSA.distance(x, y) >= 2
    if level == 3 and len(x) > 1 and len(y) > 1 and OSA.distance(x, y) >= 2:
        return x[:1] != y[:1] or different_sex
    return False


def clearly_different_given_names(a: PreparedPerson, b: PreparedPerson, comparison: Comparison) -> bool:
    """Given names that no typo or nickname explains.

    Either the comparison found nothing in common, or they are only "partly similar" (Adrian /
    Brian, Martin / Maria), need two or more keystrokes to turn one into the other, and either
    start with different letters (typing errors rarely change a name's first letter) or belong
    to people recorded with different sexes. When only one name agrees across a swap (see
    :func:`swapped_record_given_names`), it is the names left over that are compared.
    """
    if comparison.names_swapped:
        return False
    different_sex = comparison.level("sex") == 1
    if comparison.names_cross_match:
        leftover = swapped_record_given_names(a, b)
        if leftover is None:
            return False
        x, y = leftover
        return _clearly_different(x[0], y[0], _given_tokens_level(x, y), different_sex)
    return _clearly_different(a.given, b.given, comparison.level("given_name"), different_sex)


def swapped_record_given_names(a: PreparedPerson, b: PreparedPerson) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
    """When only one name agrees across a swap, the two names that would have to agree too.

    "Alex Morgan" against "Morgan Sam": Morgan is one record's family name and the other's given
    name, so the second record is taken to have its names in the wrong fields, and its real given
    name is Sam. A swap is accepted only when both names agree across it (Jordan Ellis / Ellis
    Jordan); here the given names left over (Alex / Sam) are those of two people sharing a family
    name: twins or siblings. Returns the two given names as name tokens, or None.
    """
    if not (a.given_full and a.family and b.given_full and b.family):
        return None
    a_given_as_family = _name_string_level(a.given_full, b.family)
    a_family_as_given = _name_string_level(a.family, b.given_full)
    if a_given_as_family is not None and a_given_as_family <= 2:
        return a.family_tokens, b.given_tokens  # ``a`` is the swapped record
    if a_family_as_given is not None and a_family_as_given <= 2:
        return a.given_tokens, b.family_tokens  # ``b`` is the swapped record
    return None


def different_person_reason(a: PreparedPerson, b: PreparedPerson, comparison: Comparison) -> str | None:
    """Why the pair is taken to be two different people, or None when no rule applies."""
    if different_valid_nhs_numbers(a, b) and not _other_identifier_same(comparison):
        return "Different NHS numbers, both valid: two different people"
    if identifiers_agree(comparison):
        return None
    if a.suffix and b.suffix and a.suffix != b.suffix:
        return f"different generation ({a.suffix.title()} / {b.suffix.title()}): likely parent and child"
    family = comparison.level("family_name")
    dob = comparison.level("date_of_birth")
    address = comparison.level("address")
    same_family = family is not None and family <= 3
    if clearly_different_given_names(a, b, comparison):
        if comparison.names_cross_match and dob is not None and dob <= 3:
            return (
                "one record has given and family names swapped, but only the family name agrees across the swap, "
                "and (nearly) the same date of birth: likely twins or siblings"
            )
        if same_family and dob is not None and dob <= 3:
            return "same family name and (nearly) the same date of birth but different given names: likely twins or siblings"
        if dob in (0, 1):
            return "same date of birth but different given and family names: likely different people"
    given = comparison.level("given_name")
    # Any level of date-of-birth agreement but the exact: the same birthday a generation apart is
    # one digit of the year out (1962 / 1982), and an impossible day or month (30 February) typed
    # on one record still gives its year.
    if (
        (same_family or (given is not None and given <= 2))
        and a.dob is not None
        and b.dob is not None
        and a.dob.year in _YEARS
        and b.dob.year in _YEARS
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
    if a.dob is None or b.dob is None:
        return False
    same_day = (a.dob.month, a.dob.day) in ((b.dob.month, b.dob.day), (b.dob.day, b.dob.month))
    return same_day and is_transposition(f"{a.dob.year}", f"{b.dob.year}")
