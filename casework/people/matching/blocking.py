"""Blocking keys: short strings that two records of one person are likely to share.

Each person is stored under a handful of keys (an indexed ``key`` column in SQL); a look-up
gathers everyone sharing at least one key with the new person and scores only those. The keys
are chosen so that each fault this service sees still leaves at least one shared key:

==========================  ================================================================
key                         survives
==========================  ================================================================
``n:`` NHS number           any change of name, address or date of birth
``p:`` PNC ID, ``o:`` other identifier, ``e:`` e-mail, ``t:`` phone   the same
``pc:`` postcode            typos in names and dates; a change of family name
``d:`` date of birth, day and month in order (so a day/month swap gives the same key)
                            nicknames, typos in names, names in the wrong fields, change of
                            family name, double-barrelled names, a move
``fy:`` family-name sound + birth year (one per part of a double-barrelled name)
                            typos or swaps in day/month, nicknames
``fg:`` family-name sound + given name (one per formal name a nickname stands for)
                            any error in the date of birth, a move
==========================  ================================================================

A look-up also tries *variants* of the new person's keys: given and family names exchanged,
and the date-of-birth key with the two last digits of the year transposed (1985/1958), so
these faults are found without storing more keys per person.
"""

from __future__ import annotations

import jellyfish

from .nicknames import formal_names
from .normalise import PreparedPerson


def _dob_key(year: int, month: int, day: int) -> str:
    low, high = (month, day) if month <= day else (day, month)
    return f"d:{year:04d}{low:02d}{high:02d}"


def index_keys(person: PreparedPerson) -> set[str]:
    """The keys a person is stored under."""
    keys: set[str] = set()
    if person.nhs:
        keys.add("n:" + person.nhs)
    if person.pnc:
        keys.add("p:" + person.pnc)
    if person.other_id:
        keys.add("o:" + person.other_id)
    if person.email:
        keys.add("e:" + person.email)
    if person.phone:
        keys.add("t:" + person.phone)
    if person.postcode is not None:
        keys.add("pc:" + person.postcode.compact)
    dob = person.dob
    if dob is not None:
        keys.add(_dob_key(dob.year, dob.month, dob.day))
        for code in person.family_codes:
            keys.add(f"fy:{code}:{dob.year:04d}")
    if person.family_codes and person.given:
        for formal in person.given_formals:
            keys.add(f"fg:{person.family_codes[0]}:{formal}")
    return keys


def query_keys(person: PreparedPerson) -> set[str]:
    """Keys to look a new person up by: their own keys and the fault variants."""
    return index_keys(person) | variant_keys(person)


def variant_keys(person: PreparedPerson) -> set[str]:
    """The fault variants of a person's keys (some may be among its own keys)."""
    keys: set[str] = set()
    dob = person.dob
    if dob is not None:
        text = f"{dob.year:04d}"
        transposed = int(text[:2] + text[3] + text[2])
        if transposed != dob.year:
            keys.add(_dob_key(transposed, dob.month, dob.day))
    # Names in the wrong fields: the given name as a family name and the other way round (with
    # an intact date of birth the ``d:`` key finds them anyway; this one survives a date error).
    if person.given and person.family:
        swapped_family_code = jellyfish.nysiis(person.given_full or person.given)
        family_as_given = person.family_tokens[0]
        for formal in formal_names(family_as_given):
            keys.add(f"fg:{swapped_family_code}:{formal}")
    return keys
