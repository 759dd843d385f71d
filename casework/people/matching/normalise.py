"""Turning what people type about a person into comparable values.

Everything here is pure and cheap: names (case, accents, apostrophes, hyphens, titles, generation
suffixes, double-barrelled names; phonetic codes are ``jellyfish``'s NYSIIS), dates of birth
(several written forms) and addresses. Identifiers (NHS number, PNC ID, phone, e-mail, postcode)
take their canonical forms from :mod:`casework.core.identifiers`, the same ones forms and blind
indexes use. :func:`prepare` bundles the lot into a :class:`PreparedPerson` that the blocking,
comparison and scoring steps read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import OSA

from casework.core.identifiers import (
    Postcode,
    is_valid_nhs_number,
    normalise_email,
    normalise_nhs_number,
    normalise_phone,
    parse_pnc_id,
    parse_postcode,
)

from .nicknames import formal_names

# ---------------------------------------------------------------------------------------------
# Names

TITLES = frozenset(
    "mr mrs ms miss mx dr doctor prof professor rev revd reverend sir dame lady lord fr father "
    "master capt captain col colonel maj major lt sgt".split()
)
#: generation suffixes and the canonical value they mean
SUFFIXES = {
    "jr": "jr",
    "jnr": "jr",
    "junior": "jr",
    "sr": "sr",
    "snr": "sr",
    "senior": "sr",
    "ii": "ii",
    "2nd": "ii",
    "iii": "iii",
    "3rd": "iii",
    "iv": "iv",
    "4th": "iv",
}
_APOSTROPHES = "'’‘`´"
_NAME_SPLIT = re.compile(r"[\s\-‐‑–—_/.,]+")
_NON_LETTERS = re.compile(r"[^a-z ]+")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lower-case, strip accents and apostrophes: ``"O’Brien-Núñez"`` -> ``"obrien-nunez"``."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    for apostrophe in _APOSTROPHES:
        text = text.replace(apostrophe, "")
    return text.lower().strip()


@dataclass(frozen=True, slots=True)
class NameParts:
    tokens: tuple[str, ...]
    suffix: str = ""


@lru_cache(maxsize=200_000)
def split_name(raw: str | None) -> NameParts:
    """Tokens of a name with titles removed and a generation suffix set aside.

    ``"Mr John-Paul O'Neill Jnr"`` -> tokens ``("john", "paul", "oneill")``, suffix ``"jr"``.
    Hyphenated (double-barrelled) names become separate tokens.
    """
    if not raw:
        return NameParts(())
    tokens: list[str] = []
    suffix = ""
    for token in _NAME_SPLIT.split(fold(raw)):
        token = _NON_LETTERS.sub("", token.replace("2nd", "ii").replace("3rd", "iii").replace("4th", "iv"))
        if not token:
            continue
        if token in SUFFIXES:
            suffix = SUFFIXES[token]
            continue
        if token in TITLES and not tokens:
            continue
        tokens.append(token)
    # A trailing "ii"/"iv" is a suffix; a lone one is a name (e.g. someone called "Iv").
    return NameParts(tuple(tokens), suffix)


# ---------------------------------------------------------------------------------------------
# Dates of birth

_ISO_DATE = re.compile(r"^\s*(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})\s*$")
_UK_DATE = re.compile(r"^\s*(\d{1,2})[-/. ](\d{1,2})[-/. ](\d{4})\s*$")


@dataclass(frozen=True, slots=True)
class BirthDate:
    digits: str  # "YYYYMMDD" (may be an impossible date such as 19851331 when it was typed so)
    year: int
    month: int
    day: int
    valid: bool


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
        return 29 if leap else 28
    return 30 if month in (4, 6, 9, 11) else 31


@lru_cache(maxsize=200_000)
def parse_birth_date(raw: str | None) -> BirthDate | None:
    """Parse ``YYYY-MM-DD``, ``YYYYMMDD`` or ``DD/MM/YYYY``; keeps impossible dates as typed."""
    if raw is None:
        return None
    text = str(raw).strip()
    if text.endswith(".0"):  # a date read as a float from a spreadsheet
        text = text[:-2]
    if not text:
        return None
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _UK_DATE.match(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    valid = 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month) and 1850 <= year <= 2100
    return BirthDate(f"{year:04d}{month:02d}{day:02d}", year, month, day, valid)


def day_month_swapped(a: BirthDate, b: BirthDate) -> bool:
    """Same year, and the day of one is the month of the other (and vice versa)."""
    return a.year == b.year and a.day == b.month and a.month == b.day and a.day != a.month


def is_one_edit(a: str, b: str) -> bool:
    """Equal length strings differing by one substituted character or one adjacent transposition."""
    if len(a) != len(b) or a == b:
        return False
    return OSA.distance(a, b, score_cutoff=1) == 1


def is_transposition(a: str, b: str) -> bool:
    """Equal strings but for two neighbouring characters swapped (``1985`` / ``1958``)."""
    if len(a) != len(b) or a == b:
        return False
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]


# ---------------------------------------------------------------------------------------------
# Other identifiers


def normalise_other_id(raw: str | None) -> str:
    """Another identifier both sides may hold (a prison or hospital number), compared as upper
    case without spaces, hyphens or slashes."""
    if not raw:
        return ""
    text = re.sub(r"[\s\-/]", "", str(raw).strip().upper())
    if text.endswith(".0"):
        text = text[:-2]
    return text


# ---------------------------------------------------------------------------------------------
# Addresses

ADDRESS_WORDS = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "ln": "lane",
    "cl": "close",
    "cres": "crescent",
    "crs": "crescent",
    "cresent": "crescent",
    "dr": "drive",
    "drv": "drive",
    "gdns": "gardens",
    "gdn": "garden",
    "pl": "place",
    "sq": "square",
    "ct": "court",
    "crt": "court",
    "ter": "terrace",
    "terr": "terrace",
    "tce": "terrace",
    "hse": "house",
    "apt": "flat",
    "apartment": "flat",
    "pde": "parade",
    "pk": "park",
    "cir": "circuit",
    "cct": "circuit",
    "hwy": "highway",
    "mt": "mount",
    "nth": "north",
    "sth": "south",
    "est": "estate",
    "bldgs": "buildings",
    "gr": "grove",
    "gro": "grove",
    "wy": "way",
    "wk": "walk",
    "blvd": "boulevard",
    "cottages": "cottage",
    "cotts": "cottage",
    "flats": "flat",
    "ste": "suite",
    "no": "",
}
_ADDRESS_SPLIT = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"^\d+[a-z]?$")


@dataclass(frozen=True, slots=True)
class Address:
    text: str  # normalised words joined by spaces
    numbers: tuple[str, ...]  # house/flat numbers in order

    @property
    def tokens(self) -> frozenset[str]:
        """The words (made when asked: a set per address would double a large batch's memory)."""
        return frozenset(self.text.split(" "))


@lru_cache(maxsize=50_000)
def parse_address(raw: str | None) -> Address | None:
    if not raw:
        return None
    words = []
    for word in _ADDRESS_SPLIT.split(fold(str(raw))):
        if not word:
            continue
        word = ADDRESS_WORDS.get(word, word)
        if word:
            words.append(word)
    if not words:
        return None
    numbers = tuple(word for word in words if _NUMBER.match(word))
    return Address(" ".join(words), numbers)


# ---------------------------------------------------------------------------------------------
# Sex

_SEX = {"m": "m", "male": "m", "man": "m", "1": "m", "f": "f", "female": "f", "woman": "f", "2": "f"}


def normalise_sex(raw: str | None) -> str:
    return _SEX.get(str(raw).strip().lower(), "") if raw else ""


# ---------------------------------------------------------------------------------------------
# A whole person


@dataclass(slots=True)
class PersonRecord:
    """What is known about a person, as typed. Every field but ``record_id`` may be blank."""

    record_id: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    sex: str = ""
    nhs_number: str = ""
    pnc_id: str = ""
    address: str = ""
    postcode: str = ""
    phone: str = ""
    email: str = ""
    #: another identifier both sides may hold (a hospital number; FEBRL's social security number)
    other_id: str = ""

    @classmethod
    def from_mapping(cls, row: dict, record_id_field: str = "record_id") -> PersonRecord:
        def value(name: str) -> str:
            found = row.get(name)
            if found is None:
                return ""
            text = str(found).strip()
            return "" if text.lower() in ("nan", "none", "null") else text

        return cls(
            record_id=value(record_id_field),
            given_name=value("given_name"),
            family_name=value("family_name"),
            date_of_birth=value("date_of_birth"),
            sex=value("sex"),
            nhs_number=value("nhs_number"),
            pnc_id=value("pnc_id"),
            address=value("address"),
            postcode=value("postcode"),
            phone=value("phone"),
            email=value("email"),
            other_id=value("other_id"),
        )


@dataclass(slots=True)
class PreparedPerson:
    """A person's values normalised once, for blocking and comparison."""

    record: PersonRecord
    given_tokens: tuple[str, ...]
    given: str  # first given name
    given_full: str  # all given names joined without spaces
    given_formals: frozenset[str]
    family_tokens: tuple[str, ...]
    family: str  # all family-name tokens joined: "smithjones", "oneill"
    suffix: str
    dob: BirthDate | None
    sex: str
    nhs: str
    nhs_valid: bool
    pnc: str
    other_id: str
    postcode: Postcode | None
    address: Address | None
    phone: str
    email: str
    family_codes: tuple[str, ...] = field(default=())  # NYSIIS of the whole name and of each part
    given_code: str = ""


def prepare(record: PersonRecord) -> PreparedPerson:
    given_parts = split_name(record.given_name)
    family_parts = split_name(record.family_name)
    given_tokens = given_parts.tokens
    family_tokens = family_parts.tokens
    given = given_tokens[0] if given_tokens else ""
    family = "".join(family_tokens)
    family_codes = []
    if family:
        family_codes.append(jellyfish.nysiis(family))
        if len(family_tokens) > 1:
            family_codes.extend(jellyfish.nysiis(token) for token in family_tokens if len(token) > 1)
    nhs = normalise_nhs_number(record.nhs_number)
    pnc = parse_pnc_id(record.pnc_id)
    return PreparedPerson(
        record=record,
        given_tokens=given_tokens,
        given=given,
        given_full="".join(given_tokens),
        given_formals=formal_names(given) if given else frozenset(),
        family_tokens=family_tokens,
        family=family,
        suffix=family_parts.suffix or given_parts.suffix,
        dob=parse_birth_date(record.date_of_birth),
        sex=normalise_sex(record.sex),
        nhs=nhs,
        nhs_valid=is_valid_nhs_number(nhs),
        pnc=pnc.canonical if pnc else normalise_other_id(record.pnc_id),
        other_id=normalise_other_id(record.other_id),
        postcode=parse_postcode(record.postcode),
        address=parse_address(record.address),
        phone=normalise_phone(record.phone),
        email=normalise_email(record.email),
        family_codes=tuple(dict.fromkeys(family_codes)),
        given_code=jellyfish.nysiis(given) if given else "",
    )
