"""Turning what people type about a person into comparable values.

Everything here is pure and cheap: names (case, accents, apostrophes, hyphens, titles, generation
suffixes, double-barrelled names), dates of birth (several written forms), UK postcodes
(outward/inward code), NHS numbers (Modulus 11), PNC IDs (format and check letter), phone
numbers and e-mail addresses. :func:`prepare` bundles the lot into a :class:`PreparedPerson`
that the blocking, comparison and scoring steps read.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz.distance import OSA

from .nicknames import formal_names
from .phonetic import nysiis

# ---------------------------------------------------------------------------------------------
# Names

TITLES = frozenset(
    "mr mrs ms miss mx dr doctor prof professor rev revd reverend sir dame lady lord fr father "
    "master capt captain col colonel maj major lt sgt".split()
)
#: generation suffixes and the canonical value they mean
SUFFIXES = {
    "jr": "jr", "jnr": "jr", "junior": "jr",
    "sr": "sr", "snr": "sr", "senior": "sr",
    "ii": "ii", "2nd": "ii", "iii": "iii", "3rd": "iii", "iv": "iv", "4th": "iv",
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
    tokens = []
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
# Identifiers

_DIGITS = re.compile(r"\D+")


def nhs_check_digit(first_nine: str) -> int | None:
    """Modulus 11 check digit for the first nine digits; None when no valid number can end them."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1)))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def normalise_nhs_number(raw: str | None) -> str:
    """Digits only (``"943 476 5919"`` -> ``"9434765919"``); empty unless exactly 10 digits."""
    if not raw:
        return ""
    digits = _DIGITS.sub("", str(raw))
    return digits if len(digits) == 10 else ""


def is_valid_nhs_number(raw: str | None) -> bool:
    """True for a 10-digit number whose last digit is its Modulus 11 check digit."""
    digits = normalise_nhs_number(raw)
    if not digits:
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"  # Modulus 23; I, O and S are not used
_PNC = re.compile(r"^(\d{2}|\d{4})/?(\d{1,7})([A-Z])$")


@dataclass(frozen=True, slots=True)
class PncId:
    canonical: str  # "YY/NNNNNNNL"
    check_letter_ok: bool


def pnc_check_letter(year_two_digits: str, serial: str) -> str:
    """The PNC check letter: (two-digit year followed by the 7-digit serial) modulo 23."""
    return PNC_CHECK_LETTERS[int(year_two_digits + serial.zfill(7)) % 23]


@lru_cache(maxsize=100_000)
def parse_pnc_id(raw: str | None) -> PncId | None:
    """Parse ``YY/NNNNNNNL`` (or ``YYYY/NNNNNNNL``); None when the text is not in that format.

    The check letter is verified but a mismatch only sets ``check_letter_ok=False``: the letter
    table is checked against published implementations, not against the PNC specification, so
    a mismatch is a warning, not a rejection.
    """
    if not raw:
        return None
    text = re.sub(r"\s+", "", str(raw).upper())
    match = _PNC.match(text)
    if not match:
        return None
    year, serial, letter = match.groups()
    year = year[-2:]
    serial = serial.zfill(7)
    return PncId(f"{year}/{serial}{letter}", pnc_check_letter(year, serial) == letter)


def is_valid_pnc_format(raw: str | None) -> bool:
    return parse_pnc_id(raw) is not None


def normalise_phone(raw: str | None) -> str:
    """UK numbers as national digits: ``+44 (0)7700 900123`` -> ``07700900123``."""
    if not raw:
        return ""
    digits = _DIGITS.sub("", str(raw))
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44") and len(digits) >= 12:
        digits = digits[2:]
    if digits.startswith("0"):
        digits = digits[1:]
    digits = digits.lstrip("0")  # "(0)" after the country code
    return ("0" + digits) if len(digits) >= 9 else ""


def normalise_email(raw: str | None) -> str:
    if not raw:
        return ""
    text = str(raw).strip().lower()
    return text if "@" in text else ""


def normalise_other_id(raw: str | None) -> str:
    if not raw:
        return ""
    text = re.sub(r"[\s\-/]", "", str(raw).strip().upper())
    if text.endswith(".0"):
        text = text[:-2]
    return text


# ---------------------------------------------------------------------------------------------
# Postcodes and addresses

_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")


@dataclass(frozen=True, slots=True)
class Postcode:
    compact: str  # upper case, no spaces: "SW1A1AA"
    outward: str  # "SW1A" ("" when not a UK postcode)
    inward: str  # "1AA"
    uk: bool

    @property
    def sector(self) -> str:
        """Outward code and the first digit of the inward code: ``SW1A 1``."""
        return f"{self.outward} {self.inward[:1]}" if self.uk else ""

    @property
    def display(self) -> str:
        return f"{self.outward} {self.inward}" if self.uk else self.compact


@lru_cache(maxsize=200_000)
def parse_postcode(raw: str | None) -> Postcode | None:
    """Upper-case, no spaces; UK postcodes are split into outward and inward codes."""
    if raw is None:
        return None
    text = str(raw).strip()
    if re.fullmatch(r"\d+\.0", text):  # a numeric postcode read as a float from a spreadsheet
        text = text[:-2]
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    if not compact:
        return None
    match = _UK_POSTCODE.match(compact)
    if match:
        return Postcode(compact, match.group(1), match.group(2), True)
    return Postcode(compact, "", "", False)


ADDRESS_WORDS = {
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "av": "avenue", "ln": "lane",
    "cl": "close", "cres": "crescent", "crs": "crescent", "cresent": "crescent", "dr": "drive",
    "drv": "drive", "gdns": "gardens", "gdn": "garden", "pl": "place", "sq": "square", "ct": "court",
    "crt": "court", "ter": "terrace", "terr": "terrace", "tce": "terrace", "hse": "house", "apt": "flat",
    "apartment": "flat", "pde": "parade", "pk": "park", "cir": "circuit", "cct": "circuit",
    "hwy": "highway", "mt": "mount", "nth": "north", "sth": "south", "est": "estate", "bldgs": "buildings",
    "gr": "grove", "gro": "grove", "wy": "way", "wk": "walk", "blvd": "boulevard", "cottages": "cottage",
    "cotts": "cottage", "flats": "flat", "ste": "suite", "no": "",
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
        family_codes.append(nysiis(family))
        if len(family_tokens) > 1:
            family_codes.extend(nysiis(token) for token in family_tokens if len(token) > 1)
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
        nhs_valid=bool(nhs) and nhs_check_digit(nhs[:9]) == int(nhs[9]),
        pnc=pnc.canonical if pnc else normalise_other_id(record.pnc_id),
        other_id=normalise_other_id(record.other_id),
        postcode=parse_postcode(record.postcode),
        address=parse_address(record.address),
        phone=normalise_phone(record.phone),
        email=normalise_email(record.email),
        family_codes=tuple(dict.fromkeys(family_codes)),
        given_code=nysiis(given) if given else "",
    )
