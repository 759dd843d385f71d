"""A synthetic UK person file with known duplicates, twins and parent/child pairs (Faker en_GB, fixed seed).

Everyone here is invented. The file mimics what a clinic's records hold: NHS numbers that pass
Modulus 11, PNC IDs with their check letter for some, UK addresses and postcodes, mobiles and
e-mail addresses for some. Duplicates carry the faults staff meet in real records, one main
fault each (and sometimes a second):

    nickname, typo, transposed digits, day/month swap, names in the wrong fields,
    change of family name, double-barrelled name, postcode spacing, moved address (NHS number
    kept), missing identifiers

and the file also holds people who must *not* be merged (each kind's pairs in ``UkSet.families``):

* twins (same family name, date of birth and address, different given names);
* parents with a child of the same name at the same address (sometimes marked Jr / Sr);

and the three kinds of false merge the clinic found on its held-out records (issue 11):

* a parent and an adult child with the same given name, family name and address, born 13 to 40
  years apart, one of them with no NHS number (so that only the generation gap tells them
  apart); a third share a birthday, so their dates differ in one digit of the year, and some
  have the address typed differently (abbreviated, postcode without its space);
* look-alikes: the same given name, family name, sex and date of birth, the same address or not,
  each with an NHS number that passes Modulus 11 (two different numbers);
* twins where one record has its given and family names swapped ("Alex Morgan" / "Morgan Sam"),
  one of them with no NHS number.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from faker import Faker

from casework.core.identifiers import nhs_number_check_digit, pnc_check_letter
from casework.people.matching.nicknames import NAME_TO_FORMALS
from casework.people.matching.normalise import PersonRecord

FAULTS = (
    "nickname",
    "typo",
    "transposed_digits",
    "day_month_swap",
    "names_in_wrong_fields",
    "family_name_change",
    "double_barrelled",
    "postcode_spacing",
    "moved_address_with_nhs",
    "missing_identifiers",
)

FIELDS = (
    "record_id",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "nhs_number",
    "pnc_id",
    "address",
    "postcode",
    "phone",
    "email",
)


@dataclass
class UkSet:
    records: list[PersonRecord]
    true_pairs: set[tuple[str, str]]  # sorted record_id pairs of the same person
    fault_of_pair: dict[tuple[str, str], str]  # main fault of each duplicate pair
    twin_pairs: set[tuple[str, str]] = field(default_factory=set)
    parent_child_pairs: set[tuple[str, str]] = field(default_factory=set)
    #: every kind of pair that must not be merged, by kind (twins and parent/child included)
    families: dict[str, set[tuple[str, str]]] = field(default_factory=dict)


class _Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.fake = Faker("en_GB")
        self.fake.seed_instance(seed)
        self.used_nhs: set[str] = set()
        self.used_emails: set[str] = set()
        self.serial = 0
        # Given names with a nickname we know, so the nickname fault can be made.
        self.nicknames = {}
        for name, formals in sorted(NAME_TO_FORMALS.items()):
            for formal in sorted(formals):
                if formal != name and len(name) > 1:
                    self.nicknames.setdefault(formal, []).append(name)

    def next_id(self) -> str:
        self.serial += 1
        return f"P{self.serial:06d}"

    def nhs_number(self) -> str:
        while True:
            first_nine = f"{self.rng.randrange(400_000_000, 999_999_999):09d}"
            check = nhs_number_check_digit(first_nine)
            if check is None:
                continue
            number = first_nine + str(check)
            if number not in self.used_nhs:
                self.used_nhs.add(number)
                return number

    def pnc_id(self, birth_year: int) -> str:
        year = f"{self.rng.randrange(max(birth_year + 16, 1990), 2026) % 100:02d}"
        serial = f"{self.rng.randrange(1, 9_999_999):07d}"
        return f"{year}/{serial}{pnc_check_letter(year, serial)}"

    def phone(self) -> str:
        return f"07{self.rng.randrange(100_000_000, 999_999_999)}"

    def address(self) -> tuple[str, str]:
        street = self.fake.street_address().replace("\n", ", ")
        return f"{street}, {self.fake.city()}", self.fake.postcode()

    def dob(self, low: int = 1940, high: int = 2006) -> tuple[int, int, int]:
        year = self.rng.randrange(low, high + 1)
        month = self.rng.randrange(1, 13)
        day = self.rng.randrange(1, 29)
        return year, month, day

    def person(
        self, *, family: str | None = None, sex: str | None = None, dob=None, address=None, given: str | None = None
    ) -> PersonRecord:
        sex = sex or self.rng.choice("MF")
        if given is None:
            given = self.fake.first_name_male() if sex == "M" else self.fake.first_name_female()
        family = family or self.fake.last_name()
        year, month, day = dob or self.dob()
        street, postcode = address or self.address()
        email = ""
        if self.rng.random() < 0.5:
            while not email or email in self.used_emails:
                email = f"{given}.{family}{self.rng.randrange(1, 999)}@example.com".lower().replace(" ", "")
            self.used_emails.add(email)
        return PersonRecord(
            record_id=self.next_id(),
            given_name=given,
            family_name=family,
            date_of_birth=f"{year:04d}-{month:02d}-{day:02d}",
            sex=sex,
            nhs_number=self.nhs_number() if self.rng.random() < 0.85 else "",
            pnc_id=self.pnc_id(year) if self.rng.random() < 0.3 else "",
            address=street,
            postcode=postcode,
            phone=self.phone() if self.rng.random() < 0.6 else "",
            email=email,
        )

    # -- faults --------------------------------------------------------------------------------

    def typo(self, text: str) -> str:
        if len(text) < 3:
            return text + self.rng.choice(string.ascii_lowercase)
        i = self.rng.randrange(1, len(text) - 1)
        kind = self.rng.choice(("substitute", "delete", "insert", "transpose"))
        letter = self.rng.choice(string.ascii_lowercase)
        if kind == "substitute":
            return text[:i] + letter + text[i + 1 :]
        if kind == "delete":
            return text[:i] + text[i + 1 :]
        if kind == "insert":
            return text[:i] + letter + text[i:]
        return text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]

    def transpose_digits(self, digits: str) -> str:
        positions = [
            i
            for i in range(len(digits) - 1)
            if digits[i] != digits[i + 1] and digits[i].isdigit() and digits[i + 1].isdigit()
        ]
        if not positions:
            return digits
        i = self.rng.choice(positions)
        return digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]

    def apply(self, record: PersonRecord, fault: str) -> PersonRecord:
        """A duplicate of ``record`` with one of FAULTS."""
        dup = PersonRecord(**{name: getattr(record, name) for name in PersonRecord.__slots__})
        dup.record_id = self.next_id()
        change = self._FAULT_CHANGES.get(fault)
        if change is None:  # pragma: no cover
            raise ValueError(fault)
        change(self, record, dup)
        return dup

    def _nickname(self, record: PersonRecord, dup: PersonRecord) -> None:
        options = self.nicknames.get(record.given_name.lower())
        dup.given_name = self.rng.choice(options).title() if options else self.typo(record.given_name)

    def _typo(self, record: PersonRecord, dup: PersonRecord) -> None:
        if self.rng.random() < 0.5:
            dup.family_name = self.typo(record.family_name)
        else:
            dup.given_name = self.typo(record.given_name)

    def _transposed_digits(self, record: PersonRecord, dup: PersonRecord) -> None:
        target = self.rng.choice([name for name in ("nhs_number", "phone", "date_of_birth") if getattr(record, name)])
        setattr(dup, target, self.transpose_digits(getattr(record, target)))

    def _day_month_swap(self, record: PersonRecord, dup: PersonRecord) -> None:
        year, month, day = record.date_of_birth.split("-")
        if int(day) <= 12 and day != month:
            dup.date_of_birth = f"{year}-{day}-{month}"
        else:
            dup.date_of_birth = f"{year}-{month}-{int(day) % 12 + 1:02d}"  # a day typo instead

    def _names_in_wrong_fields(self, record: PersonRecord, dup: PersonRecord) -> None:
        dup.given_name, dup.family_name = record.family_name, record.given_name

    def _family_name_change(self, record: PersonRecord, dup: PersonRecord) -> None:
        dup.family_name = self.fake.last_name()
        dup.email = ""

    def _double_barrelled(self, record: PersonRecord, dup: PersonRecord) -> None:
        if "-" in record.family_name:
            dup.family_name = record.family_name.split("-")[self.rng.randrange(2)]
        else:
            other = self.fake.last_name()
            dup.family_name = (
                f"{record.family_name}-{other}" if self.rng.random() < 0.5 else f"{other}-{record.family_name}"
            )

    def _postcode_spacing(self, record: PersonRecord, dup: PersonRecord) -> None:
        compact = record.postcode.replace(" ", "")
        dup.postcode = self.rng.choice((compact, compact.lower(), " " + record.postcode.lower() + " "))
        dup.address = record.address.upper()

    def _moved_address_with_nhs(self, record: PersonRecord, dup: PersonRecord) -> None:
        if not dup.nhs_number:
            dup.nhs_number = record.nhs_number = self.nhs_number()
        dup.address, dup.postcode = self.address()
        dup.phone = self.phone() if self.rng.random() < 0.5 else ""
        dup.email = ""

    def _missing_identifiers(self, record: PersonRecord, dup: PersonRecord) -> None:
        dup.nhs_number = dup.pnc_id = dup.phone = dup.email = ""
        if self.rng.random() < 0.5:
            dup.sex = ""

    # One change per fault in FAULTS (a duplicate gets one, and sometimes a second).
    _FAULT_CHANGES = {
        "nickname": _nickname,
        "typo": _typo,
        "transposed_digits": _transposed_digits,
        "day_month_swap": _day_month_swap,
        "names_in_wrong_fields": _names_in_wrong_fields,
        "family_name_change": _family_name_change,
        "double_barrelled": _double_barrelled,
        "postcode_spacing": _postcode_spacing,
        "moved_address_with_nhs": _moved_address_with_nhs,
        "missing_identifiers": _missing_identifiers,
    }

    def noise(self, dup: PersonRecord) -> None:
        """Ordinary variation between two records of one person."""
        rng = self.rng
        if rng.random() < 0.3:
            dup.email = ""
        if rng.random() < 0.2:
            dup.phone = ""
        if rng.random() < 0.2:
            dup.given_name = dup.given_name.upper()
            dup.family_name = dup.family_name.upper()
        if rng.random() < 0.1 and dup.date_of_birth:
            year, month, day = dup.date_of_birth.split("-")
            dup.date_of_birth = f"{day}/{month}/{year}"  # typed the UK way
        if rng.random() < 0.1 and dup.nhs_number:
            n = dup.nhs_number
            dup.nhs_number = f"{n[:3]} {n[3:6]} {n[6:]}"


TWINS = "twins"
PARENT_CHILD = "parent and child"
SAME_NAME_PARENT_CHILD = "same-name parent and adult child, one NHS number"
VALID_NHS_LOOKALIKES = "look-alikes with two valid NHS numbers"
SWAPPED_TWINS = "twins, one record with names swapped"
FAMILY_KINDS = (TWINS, PARENT_CHILD, SAME_NAME_PARENT_CHILD, VALID_NHS_LOOKALIKES, SWAPPED_TWINS)


def _pair(first: PersonRecord, second: PersonRecord) -> tuple[str, str]:
    return tuple(sorted((first.record_id, second.record_id)))


def _hard_cases(gen: _Generator, count: int) -> tuple[list[PersonRecord], dict[str, set[tuple[str, str]]]]:
    """``count`` pairs of each of the three kinds of false merge in issue 11 (see the module's text)."""
    rng = gen.rng
    records: list[PersonRecord] = []
    families: dict[str, set[tuple[str, str]]] = {
        SAME_NAME_PARENT_CHILD: set(),
        VALID_NHS_LOOKALIKES: set(),
        SWAPPED_TWINS: set(),
    }
    for _ in range(count):
        year, month, day = gen.dob(1945, 1975)
        parent = gen.person(sex=rng.choice("MF"), dob=(year, month, day))
        gap = rng.randrange(13, min(41, 2008 - year))
        if rng.random() < 1 / 3:  # a shared birthday: the years differ in one digit or more
            child_dob = (year + gap, month, day)
        else:
            child_dob = gen.dob(year + gap, year + gap)
        child = gen.person(
            family=parent.family_name,
            sex=parent.sex,
            dob=child_dob,
            given=parent.given_name,
            address=(parent.address, parent.postcode),
        )
        rng.choice((parent, child)).nhs_number = ""
        if rng.random() < 0.3:
            child.postcode = child.postcode.replace(" ", "")
            child.address = child.address.replace("Street", "St").replace("Road", "Rd")
        records += [parent, child]
        families[SAME_NAME_PARENT_CHILD].add(_pair(parent, child))
    for _ in range(count):
        first = gen.person()
        while not first.nhs_number:
            first.nhs_number = gen.nhs_number()
        year, month, day = (int(x) for x in first.date_of_birth.split("-"))
        address = (first.address, first.postcode) if rng.random() < 0.5 else None
        second = gen.person(
            family=first.family_name, given=first.given_name, sex=first.sex, dob=(year, month, day), address=address
        )
        second.nhs_number = gen.nhs_number()
        second.pnc_id = ""
        records += [first, second]
        families[VALID_NHS_LOOKALIKES].add(_pair(first, second))
    for _ in range(count):
        first = gen.person()
        sex = rng.choice("MF")
        given = gen.fake.first_name_male() if sex == "M" else gen.fake.first_name_female()
        while given.lower() == first.given_name.lower():
            given = gen.fake.first_name_male() if sex == "M" else gen.fake.first_name_female()
        year, month, day = (int(x) for x in first.date_of_birth.split("-"))
        second = gen.person(
            family=first.family_name,
            sex=sex,
            given=given,
            dob=(year, month, day),
            address=(first.address, first.postcode),
        )
        second.given_name, second.family_name = second.family_name, second.given_name
        rng.choice((first, second)).nhs_number = ""
        second.phone = first.phone if rng.random() < 0.5 else second.phone  # a shared landline
        records += [first, second]
        families[SWAPPED_TWINS].add(_pair(first, second))
    return records, families


def generate_uk_set(
    *,
    people: int = 5000,
    duplicates: int = 2000,
    twins: int = 250,
    parent_child: int = 250,
    hard_cases: int = 150,
    seed: int = 4242,
) -> UkSet:
    """``people`` distinct persons, ``duplicates`` extra records of some of them, plus families
    (``hard_cases`` pairs of each of the three kinds of false merge in issue 11)."""
    gen = _Generator(seed)
    rng = gen.rng
    records: list[PersonRecord] = []
    twin_pairs: set[tuple[str, str]] = set()
    parent_pairs: set[tuple[str, str]] = set()
    for _ in range(twins):
        first = gen.person()
        sex = rng.choice("MF")
        given = gen.fake.first_name_male() if sex == "M" else gen.fake.first_name_female()
        while given.lower() == first.given_name.lower():
            given = gen.fake.first_name_male() if sex == "M" else gen.fake.first_name_female()
        year, month, day = (int(x) for x in first.date_of_birth.split("-"))
        second = gen.person(
            family=first.family_name,
            sex=sex,
            given=given,
            dob=(year, month, day),
            address=(first.address, first.postcode),
        )
        second.phone = first.phone if rng.random() < 0.5 else second.phone  # a shared landline
        records += [first, second]
        twin_pairs.add(tuple(sorted((first.record_id, second.record_id))))
    for _ in range(parent_child):
        year, month, day = gen.dob(1945, 1975)
        parent = gen.person(sex="M" if rng.random() < 0.6 else "F", dob=(year, month, day))
        child_dob = gen.dob(year + 18, min(year + 42, 2008))
        same_name = rng.random() < 0.7
        child = gen.person(
            family=parent.family_name,
            sex=parent.sex,
            dob=child_dob,
            address=(parent.address, parent.postcode),
            given=parent.given_name if same_name else None,
        )
        if same_name and rng.random() < 0.4:
            parent.family_name += " Sr" if rng.random() < 0.5 else ""
            child.family_name += " Jr"
        records += [parent, child]
        parent_pairs.add(tuple(sorted((parent.record_id, child.record_id))))
    hard, families = _hard_cases(gen, hard_cases)
    records += hard
    families = {TWINS: twin_pairs, PARENT_CHILD: parent_pairs, **families}
    while len(records) < people:
        records.append(gen.person())
    originals = list(records)
    true_pairs: set[tuple[str, str]] = set()
    fault_of_pair: dict[tuple[str, str], str] = {}
    clusters: dict[str, list[str]] = {}
    for index in range(duplicates):
        original = rng.choice(originals)
        fault = FAULTS[index % len(FAULTS)]
        dup = gen.apply(original, fault)
        if rng.random() < 0.3:  # a second, different fault now and then
            second = rng.choice(
                [f for f in FAULTS if f not in (fault, "names_in_wrong_fields", "moved_address_with_nhs")]
            )
            dup = gen.apply(dup, second)
            dup.record_id = gen.next_id()
        gen.noise(dup)
        records.append(dup)
        members = clusters.setdefault(original.record_id, [original.record_id])
        for member in members:
            pair = tuple(sorted((member, dup.record_id)))
            true_pairs.add(pair)
            fault_of_pair[pair] = fault
        members.append(dup.record_id)
    rng.shuffle(records)
    return UkSet(records, true_pairs, fault_of_pair, twin_pairs, parent_pairs, families)
