"""Validating, normalising and showing the identifiers a person or a referral holds: one module for
forms, blind indexes (``casework.people.crypto.blind_index``), the matching engine
(``casework.people.matching``) and the agency portal.

Each ``clean_*`` function takes what a user typed and returns the value to store, or raises
``ValidationError`` with a message in the NHS error-message style. Each ``normalise_*`` function
gives the canonical form two records are compared by (and a blind index is computed over), so the
same identifier typed two ways finds the same person; it never raises and gives "" for text that
is not such an identifier. Each ``format_*`` function gives what a person reads on screen.

The canonical forms are stored as keyed hashes (blind indexes and matching keys): changing one
changes the hash of every stored row, so a change here must come with
``manage.py rotate_keys --reindex`` (which recomputes them) in the release notes.

Sources:

- NHS number: NHS Data Dictionary, "NHS Number": 10 digits, the tenth a Modulus 11 check digit over
  the first nine weighted 10 down to 2; a remainder giving 11 means 0, giving 10 means the number
  is invalid. Shown 3-3-4; typed with spaces or hyphens between the groups. Numbers beginning 999
  are reserved for testing (the demo uses them).
- PNC ID: ``YY/NNNNNNND`` — the two-digit year the record was created, a serial of up to seven
  digits, and a check letter. The check letter is ``(YY followed by the 7-digit serial) mod 23``
  looked up in ``ZABCDEFGHJKLMNPQRTUVWXY`` (I, O and S never used). Source: the Ministry of
  Justice's open-source person-record service (github.com/ministryofjustice/hmpps-person-record,
  ``PNCIdValidator``), not the PNC specification itself, which is not public. Status: VERIFY.
  Because the table is unverified a check-letter mismatch is a warning shown to the user, never a
  refusal. Police systems also write the year with four digits (``2001/0171310W``); both forms
  are accepted and stored in the two-digit form. The slash is required: without it a run of
  digits and a letter does not say where the year ends.
- Prison number: HMPPS prison numbers (NOMIS IDs) are a letter, four digits and two letters
  (``A1234BC``). Older systems used other forms, so a person record accepts anything else made of
  letters and digits with a warning; a new referral from the portal asks for the NOMIS form.
- Telephone numbers: parsed and validated with ``phonenumbers`` (Google's libphonenumber), region
  GB, canonical form E.164 (``+442079460000``). Ofcom's drama ranges 07700 900xxx and 01632 960xxx
  are not valid numbers to libphonenumber; 020 7946 0xxx and 0113 496 0xxx are.
- Postcodes: outward code (``SW1A``) and inward code (``1AA``); canonical ``SW1A 1AA``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator

# --- NHS number ------------------------------------------------------------------------------

_NHS_SEPARATORS = re.compile(r"[\s\-]+")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for the first nine digits, or None if none exists (remainder 10)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("Give exactly nine digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def _nhs_text(raw: str | None) -> str:
    return _NHS_SEPARATORS.sub("", str(raw or ""))


def normalise_nhs_number(raw: str | None) -> str:
    """The 10 digits (``"943 476 5919"`` -> ``"9434765919"``), spaces and hyphens removed; "" for
    anything else. The check digit is not tested here (see ``is_valid_nhs_number``): the matching
    engine compares numbers that fail it too."""
    text = _nhs_text(raw)
    return text if len(text) == 10 and text.isascii() and text.isdigit() else ""


def is_valid_nhs_number(raw: str | None) -> bool:
    digits = normalise_nhs_number(raw)
    return bool(digits) and nhs_number_check_digit(digits[:9]) == int(digits[9])


def clean_nhs_number(raw: str | None) -> str:
    """The 10 digits to store, or "" when nothing was typed."""
    text = _nhs_text(raw)
    if not text:
        return ""
    if not (text.isascii() and text.isdigit()):
        raise ValidationError("NHS number must only include numbers", code="nhs_number_characters")
    if len(text) != 10:
        raise ValidationError("NHS number must be 10 digits", code="nhs_number_length")
    if not is_valid_nhs_number(text):
        raise ValidationError("Enter a valid NHS number", code="nhs_number_check")
    return text


def format_nhs_number(value: str | None) -> str:
    """3-3-4: ``"943 476 5919"``; anything that is not 10 digits comes back as it was."""
    digits = normalise_nhs_number(value)
    if not digits:
        return str(value or "")
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}"


# --- PNC ID ----------------------------------------------------------------------------------

# Modulus 23; I, O and S never used. The letter table is not published with authority (domain.md), so
# a mismatch is a warning to check the source document, never a refusal.
PNC_CHECK_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
_PNC = re.compile(r"^(\d{2}|\d{4})/(\d{1,7})([A-Z])$")


@dataclass(frozen=True, slots=True)
class PncId:
    year: str  # two digits
    serial: str  # seven digits
    letter: str
    expected_letter: str

    @property
    def canonical(self) -> str:
        return f"{self.year}/{self.serial}{self.letter}"

    @property
    def check_letter_ok(self) -> bool:
        return self.letter == self.expected_letter

    @property
    def warning(self) -> str:
        if self.check_letter_ok:
            return ""
        return (
            f"The check letter of PNC ID {self.canonical} does not match the rest of the number "
            f"(expected {self.expected_letter}). Check it against the source document."
        )


def pnc_check_letter(year: str, serial: str) -> str:
    """The check letter for a two-digit year and a serial (padded to seven digits)."""
    return PNC_CHECK_LETTERS[int(year[-2:] + serial.zfill(7)) % 23]


@lru_cache(maxsize=100_000)
def parse_pnc_id(raw: str | None) -> PncId | None:
    """A PNC ID in ``YY/NNNNNNND`` (or ``YYYY/NNNNNNND``) form, or None if it is not in that form."""
    text = re.sub(r"\s+", "", str(raw or "")).upper()
    match = _PNC.match(text)
    if not match:
        return None
    year, serial, letter = match.groups()
    year, serial = year[-2:], serial.zfill(7)
    return PncId(year=year, serial=serial, letter=letter, expected_letter=pnc_check_letter(year, serial))


def clean_pnc_id(raw: str | None) -> PncId | None:
    """The parsed PNC ID (store ``.canonical``; show ``.warning`` if any), or None when blank."""
    if not str(raw or "").strip():
        return None
    parsed = parse_pnc_id(raw)
    if parsed is None:
        raise ValidationError("Enter a PNC ID in the correct format, like 01/0171310W", code="pnc_id_format")
    return parsed


def normalise_pnc_id(raw: str | None) -> str:
    parsed = parse_pnc_id(raw)
    return parsed.canonical if parsed else ""


# --- Prison number ---------------------------------------------------------------------------

_NOMIS = re.compile(r"^[A-Z]\d{4}[A-Z]{2}$")
_PRISON_OTHER = re.compile(r"^[A-Z0-9/]{2,15}$")
PRISON_NUMBER_FORMAT_MESSAGE = "Enter a prison number in the correct format, like A1234BC"


@dataclass(frozen=True)
class PrisonNumber:
    value: str
    warning: str = ""


def normalise_prison_number(raw: str | None) -> str:
    """Upper case without spaces: ``" a1234 bc"`` -> ``"A1234BC"``."""
    return re.sub(r"\s+", "", str(raw or "")).upper()


def is_nomis_prison_number(raw: str | None) -> bool:
    """A prison number in today's HMPPS form: a letter, 4 numbers and 2 letters (``A1234BC``)."""
    return bool(_NOMIS.match(normalise_prison_number(raw)))


def clean_prison_number(raw: str | None) -> PrisonNumber | None:
    text = normalise_prison_number(raw)
    if not text:
        return None
    if _NOMIS.match(text):
        return PrisonNumber(text)
    if _PRISON_OTHER.match(text):
        return PrisonNumber(
            text,
            f"Prison number {text} is not in the usual form of a letter, 4 numbers and 2 letters "
            "(like A1234BC). Check it against the source document.",
        )
    raise ValidationError(
        "Prison number must only include letters, numbers and a forward slash", code="prison_number_format"
    )


# --- Telephone numbers -----------------------------------------------------------------------

PHONE_REGION = "GB"
PHONE_MESSAGE = "Enter a telephone number, like 020 7946 0000 or +44 113 496 0000"


def clean_phone(raw: str | None, region: str = PHONE_REGION) -> str:
    """The number in E.164 (``+442079460000``), or "" when blank."""
    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_MESSAGE, code="phone_format") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_MESSAGE, code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=100_000)
def normalise_phone(raw: str | None, region: str = PHONE_REGION) -> str:
    """E.164 if the text is a valid number, else ""; never raises (for look-ups and matching)."""
    try:
        return clean_phone(raw, region)
    except ValidationError:
        return ""


def format_phone(e164: str | None) -> str:
    """UK numbers in national form (``020 7946 0000``), others in international form."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == PHONE_REGION:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


# --- Email addresses -------------------------------------------------------------------------

EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"
_email_validator = EmailValidator(message=EMAIL_MESSAGE)


def clean_email(raw: str | None) -> str:
    """The address as typed (trimmed), or "" when blank."""
    text = str(raw or "").strip()
    if not text:
        return ""
    _email_validator(text)
    return text


def normalise_email(raw: str | None) -> str:
    """Lower-cased and trimmed: the form exact look-ups use; "" for text without an ``@`` (a
    spreadsheet's "n/a" is not an address two records share)."""
    text = str(raw or "").strip().lower()
    return text if "@" in text else ""


# --- Postcodes -------------------------------------------------------------------------------

_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$")
POSTCODE_MESSAGE = "Enter a real postcode, like SW1A 1AA"


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
        """The canonical form: ``SW1A 1AA``; text that is not a UK postcode stays compact."""
        return f"{self.outward} {self.inward}" if self.uk else self.compact


@lru_cache(maxsize=200_000)
def parse_postcode(raw: str | None) -> Postcode | None:
    """Upper case without spaces or punctuation; a UK postcode is split into outward and inward
    codes. None for blank text."""
    if raw is None:
        return None
    text = str(raw).strip()
    if re.fullmatch(r"\d+\.0", text):  # a numeric postcode read as a float from a spreadsheet
        text = text[:-2]
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    if not compact:
        return None
    match = _POSTCODE.match(compact)
    if match:
        return Postcode(compact, match.group(1), match.group(2), True)
    return Postcode(compact, "", "", False)


def normalise_postcode(raw: str | None) -> str:
    """Upper case with one space before the inward code (``sw1a1aa`` -> ``SW1A 1AA``); text that is
    not a UK postcode comes back upper-cased without spaces."""
    parsed = parse_postcode(raw)
    return parsed.display if parsed else ""


def clean_postcode(raw: str | None) -> str:
    parsed = parse_postcode(raw)
    if parsed is None:
        return ""
    if not parsed.uk:
        raise ValidationError(POSTCODE_MESSAGE, code="postcode_format")
    return parsed.display


# --- Online identifiers ----------------------------------------------------------------------


def clean_handle(raw: str | None) -> str:
    """A username, handle or gaming ID as typed. Gaming tags may hold spaces and ``#``, so only
    length and control characters are refused."""
    text = str(raw or "").strip()
    if not text:
        return ""
    if len(text) > 200:
        raise ValidationError("Username or handle must be 200 characters or fewer", code="handle_length")
    if any(ord(ch) < 32 for ch in text):
        raise ValidationError("Username or handle must not include control characters", code="handle_characters")
    return text


def normalise_handle(platform: str, raw: str | None) -> str:
    """Platform and handle, lower-cased, without a leading @: ``instagram:jo.bloggs``."""
    handle = str(raw or "").strip().lower().lstrip("@")
    return f"{platform}:{handle}" if handle else ""
