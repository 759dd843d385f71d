"""Field-by-field comparison of two prepared persons.

Each comparison puts the pair on one *level* of an ordered list (best agreement first). ``None``
means the field is blank on at least one side: it is neither evidence for nor against. The
levels are what the Fellegi–Sunter scorer weighs and what the reasons describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import token_set_ratio

from .nicknames import formal_names
from .normalise import PreparedPerson, day_month_swapped, is_one_edit

#: comparison name -> its levels, best agreement first
COMPARISONS: dict[str, tuple[str, ...]] = {
    "given_name": ("exact", "nickname", "very_similar", "similar", "different"),
    "family_name": ("exact", "part_of_double_barrelled", "very_similar", "similar", "different"),
    "date_of_birth": ("exact", "day_month_swapped", "one_digit_or_transposition", "two_of_three_parts", "different"),
    "sex": ("same", "different"),
    "address": ("same", "same_address_postcode_differs", "same_postcode", "nearby_postcode", "different"),
    "nhs_number": ("same", "one_digit_or_transposition", "different"),
    "pnc_id": ("same", "one_character_or_transposition", "different"),
    "other_id": ("same", "one_character_or_transposition", "different"),
    "phone": ("same", "one_digit_or_transposition", "different"),
    "email": ("same", "similar", "different"),
}
FIELDS: tuple[str, ...] = tuple(COMPARISONS)
FIELD_INDEX = {name: i for i, name in enumerate(FIELDS)}

VERY_SIMILAR = 0.92
SIMILAR = 0.80
ADDRESS_SIMILAR = 85.0  # rapidfuzz token_set_ratio, 0..100


def jaro_winkler(a: str, b: str) -> float:
    return JaroWinkler.similarity(a, b)


def _one_keystroke(a: str, b: str) -> bool:
    """One letter wrong, missing, added or two neighbours swapped, in a name of four letters or more."""
    return max(len(a), len(b)) >= 4 and OSA.distance(a, b, score_cutoff=1) <= 1


def _given_level(a: PreparedPerson, b: PreparedPerson) -> int | None:
    if not a.given or not b.given:
        return None
    return _given_tokens_level(a.given_tokens, b.given_tokens)


# Name comparisons depend on the two names alone, and names repeat (a batch of a million persons
# holds a few thousand given names), so their results are kept: the same answers, found once.
@lru_cache(maxsize=1 << 18)
def _given_tokens_level(a_tokens: tuple[str, ...], b_tokens: tuple[str, ...]) -> int:
    """The given-name level of two non-empty given names, from their tokens (``prepare``: the first
    token is the given name, all of them joined its full form, its formal names from the first)."""
    a_given, b_given = a_tokens[0], b_tokens[0]
    a_full, b_full = "".join(a_tokens), "".join(b_tokens)
    if a_given == b_given or (a_full and a_full == b_full):
        return 0
    if formal_names(a_given) & formal_names(b_given):
        return 1
    similarity = jaro_winkler(a_given, b_given)
    if similarity >= VERY_SIMILAR or _one_keystroke(a_given, b_given):
        return 2
    if similarity >= SIMILAR:
        return 3
    # An initial against a full name, or a shared middle name used as the first name.
    if (len(a_given) == 1 and b_given.startswith(a_given)) or (len(b_given) == 1 and a_given.startswith(b_given)):
        return 3
    if len(a_tokens) > 1 or len(b_tokens) > 1:
        if set(a_tokens) & set(b_tokens):
            return 3
        if jaro_winkler(a_full, b_full) >= VERY_SIMILAR:
            return 2
    return 4


def _family_level(a_tokens: tuple[str, ...], a_joined: str, b_tokens: tuple[str, ...], b_joined: str) -> int | None:
    if not a_joined or not b_joined:
        return None
    return _family_tokens_level(a_tokens, b_tokens)


@lru_cache(maxsize=1 << 18)
def _family_tokens_level(a_tokens: tuple[str, ...], b_tokens: tuple[str, ...]) -> int:
    """The family-name level of two non-empty family names (``prepare`` joins the tokens)."""
    a_joined, b_joined = "".join(a_tokens), "".join(b_tokens)
    if a_joined == b_joined or (len(a_tokens) > 1 and sorted(a_tokens) == sorted(b_tokens)):
        return 0
    if len(a_tokens) != len(b_tokens) and set(a_tokens) & set(b_tokens):
        return 1
    similarity = jaro_winkler(a_joined, b_joined)
    if similarity >= VERY_SIMILAR or _one_keystroke(a_joined, b_joined):
        return 2
    if len(a_tokens) > 1 or len(b_tokens) > 1:
        best = max(jaro_winkler(x, y) for x in a_tokens for y in b_tokens)
        if best >= VERY_SIMILAR:
            return 1
    if similarity >= SIMILAR:
        return 3
    return 4


@lru_cache(maxsize=1 << 16)
def _name_string_level(a: str, b: str) -> int | None:
    """A plain string comparison on the name scale, used to detect names in the wrong fields."""
    if not a or not b:
        return None
    if a == b:
        return 0
    similarity = jaro_winkler(a, b)
    if similarity >= VERY_SIMILAR:
        return 2
    if similarity >= SIMILAR:
        return 3
    return 4


def _dob_level(a: PreparedPerson, b: PreparedPerson) -> int | None:
    x, y = a.dob, b.dob
    if x is None or y is None:
        return None
    if x.digits == y.digits:
        return 0
    if day_month_swapped(x, y):
        return 1
    if is_one_edit(x.digits, y.digits):
        return 2
    if (x.year == y.year) + (x.month == y.month) + (x.day == y.day) >= 2:
        return 3
    return 4


def _postcode_level(a: PreparedPerson, b: PreparedPerson) -> str | None:
    x, y = a.postcode, b.postcode
    if x is None or y is None:
        return None
    if x.compact == y.compact:
        return "same"
    if is_one_edit(x.compact, y.compact) or (x.uk and y.uk and x.sector == y.sector):
        return "near"
    return "different"


def _address_level(a: PreparedPerson, b: PreparedPerson) -> int | None:
    postcode = _postcode_level(a, b)
    same_address = None
    if a.address is not None and b.address is not None:
        similar = token_set_ratio(a.address.text, b.address.text) >= ADDRESS_SIMILAR
        numbers_compatible = (
            not a.address.numbers or not b.address.numbers or bool(set(a.address.numbers) & set(b.address.numbers))
        )
        same_address = similar and numbers_compatible
    if postcode is None and same_address is None:
        return None
    if same_address:
        return 0 if postcode in ("same", None) else 1
    if postcode == "same":
        return 2
    if postcode == "near":
        return 3
    return 4


def _identifier_level(a: str, b: str) -> int | None:
    if not a or not b:
        return None
    if a == b:
        return 0
    if is_one_edit(a, b):
        return 1
    return 2


def _email_level(a: str, b: str) -> int | None:
    if not a or not b:
        return None
    if a == b:
        return 0
    # The same mailbox name at another provider, or one mistyped character. Addresses that are
    # merely alike (jo.smith12@ / jo.smith47@) belong to different people as often as not.
    local_a, local_b = a.split("@", 1)[0], b.split("@", 1)[0]
    if local_a == local_b or is_one_edit(a, b):
        return 1
    return 2


def _sex_level(a: str, b: str) -> int | None:
    if not a or not b:
        return None
    return 0 if a == b else 1


@dataclass(frozen=True, slots=True)
class Comparison:
    """The levels for every comparison (``None`` = blank on a side) and what was noticed."""

    levels: tuple[int | None, ...]
    names_swapped: bool = False
    #: one record's given name is the other's family name (or the other way round), not both
    names_cross_match: bool = False

    def level(self, field: str) -> int | None:
        return self.levels[FIELD_INDEX[field]]

    def level_name(self, field: str) -> str | None:
        level = self.level(field)
        return None if level is None else COMPARISONS[field][level]


def compare(a: PreparedPerson, b: PreparedPerson) -> Comparison:
    given = _given_level(a, b)
    family = _family_level(a.family_tokens, a.family, b.family_tokens, b.family)
    swapped = cross_match = False
    if given is not None and family is not None and given + family >= 6:
        # Names in the wrong fields: the given name of one is the family name of the other.
        cross_1 = _name_string_level(a.given_full, b.family)
        cross_2 = _name_string_level(a.family, b.given_full)
        if cross_1 is not None and cross_2 is not None and cross_1 <= 2 and cross_2 <= 2:
            given, family, swapped = cross_1, cross_2, True
        elif (cross_1 is not None and cross_1 <= 2) or (cross_2 is not None and cross_2 <= 2):
            cross_match = True
    levels = (
        given,
        family,
        _dob_level(a, b),
        _sex_level(a.sex, b.sex),
        _address_level(a, b),
        _identifier_level(a.nhs, b.nhs),
        _identifier_level(a.pnc, b.pnc),
        _identifier_level(a.other_id, b.other_id),
        _identifier_level(a.phone, b.phone),
        _email_level(a.email, b.email),
    )
    return Comparison(levels, swapped, cross_match)
