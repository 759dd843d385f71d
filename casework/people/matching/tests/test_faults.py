"""Each UK fault still finds the person; twins and parent/child are not offered as the same person.

A small in-memory candidate index holds a few hand-written persons among a synthetic background
(Faker en_GB, fixed seed); each test looks up a faulty record and checks the ranking. The index
does what ``casework.people.candidates`` does with ``PersonMatchKey`` rows: gather everyone sharing
a blocking key with the new person, then rank them with the prior for the size of the index.
"""

import dataclasses
from collections import defaultdict

import pytest
from faker import Faker

from casework.people.matching import DIFFERENT, LIKELY, PersonRecord, prepare, rank_candidates, score_pair
from casework.people.matching.blocking import index_keys, query_keys
from casework.people.matching.scoring import DEFAULT_PARAMETERS, prior_for

pytestmark = []

ROBERT = PersonRecord(
    "P-ROBERT",
    "Robert",
    "Smith",
    "1985-03-12",
    "M",
    "9434765919",
    "",
    "12 Acacia Avenue, Leeds",
    "LS1 4AB",
    "020 7946 0123",
    "rob.smith@example.com",
)
ELIZABETH = PersonRecord(
    "P-ELIZABETH", "Elizabeth", "Jones", "1979-11-02", "F", "6541003238", "", "4 Mill Lane, York", "YO1 7HH", "", ""
)
AMELIA = PersonRecord(
    "P-AMELIA", "Amelia", "Clarke", "2001-06-15", "F", "", "", "9 Church Street, Bath", "BA1 1LT", "", ""
)
JOHN_SENIOR = PersonRecord(
    "P-JOHN-SR", "John", "Walker", "1962-02-01", "M", "", "", "77 High Street, Derby", "DE1 2AB", "", ""
)
MARY = PersonRecord("P-MARY", "Mary", "Smith-Jones", "1990-08-20", "F", "", "", "3 Park Road, Hull", "HU1 1AA", "", "")


def _background(count: int = 250) -> list[PersonRecord]:
    fake = Faker("en_GB")
    fake.seed_instance(1234)
    people = []
    for number in range(count):
        dob = fake.date_of_birth(minimum_age=18, maximum_age=90)
        people.append(
            PersonRecord(
                f"BG{number:04d}",
                fake.first_name(),
                fake.last_name(),
                dob.isoformat(),
                fake.random_element("MF"),
                "",
                "",
                fake.street_address().replace("\n", ", "),
                fake.postcode(),
                "",
                "",
            )
        )
    return people


class KeyIndex:
    def __init__(self, records: list[PersonRecord]):
        self.persons = [prepare(record) for record in records]
        self.by_key: dict[str, list[int]] = defaultdict(list)
        for position, person in enumerate(self.persons):
            for key in index_keys(person):
                self.by_key[key].append(position)
        self.parameters = DEFAULT_PARAMETERS.with_prior(prior_for(len(self.persons), 0.2))

    def lookup(self, record: PersonRecord, *, include_different: bool = False):
        wanted = prepare(record)
        found = sorted({position for key in query_keys(wanted) for position in self.by_key.get(key, ())})
        return rank_candidates(
            wanted, [self.persons[p] for p in found], self.parameters, include_different=include_different
        )


@pytest.fixture(scope="module")
def index():
    return KeyIndex([ROBERT, ELIZABETH, AMELIA, JOHN_SENIOR, MARY, *_background()])


def changed(record: PersonRecord, **changes) -> PersonRecord:
    return dataclasses.replace(record, record_id="NEW", **changes)


def top(index: KeyIndex, record: PersonRecord):
    results = index.lookup(record)
    assert results, "no candidate offered"
    return results[0]


@pytest.mark.parametrize(
    ("original", "changes", "reason"),
    [
        (ROBERT, {"given_name": "Bob", "email": ""}, "given names are forms of the same name: Bob / Robert"),
        (ROBERT, {"family_name": "Smyth"}, "family name similar: Smyth / Smith"),
        (ROBERT, {"nhs_number": "9434765991", "phone": ""}, "NHS number differs by one digit or two transposed digits"),
        (ROBERT, {"date_of_birth": "1985-12-03", "nhs_number": ""}, "date of birth with day and month swapped"),
        (
            ROBERT,
            {"given_name": "Smith", "family_name": "Robert", "nhs_number": ""},
            "given and family names in the wrong fields",
        ),
        (
            ELIZABETH,
            {"family_name": "Taylor", "nhs_number": ""},
            "different family names (a change of name?): Taylor / Jones",
        ),
        (ELIZABETH, {"given_name": "Liz"}, "given names are forms of the same name: Liz / Elizabeth"),
        (
            MARY,
            {"family_name": "Smith"},
            "one family name is part of the other (double-barrelled): Smith / Smith-Jones",
        ),
        (ROBERT, {"postcode": "ls14ab", "nhs_number": "", "phone": "", "email": ""}, "same address"),
        (
            ROBERT,
            {"address": "Flat 2, 40 Station Road, Bradford", "postcode": "BD1 1AA", "phone": "", "email": ""},
            "NHS number matches",
        ),
        (ROBERT, {"nhs_number": "", "pnc_id": "", "phone": "", "email": "", "sex": ""}, "same date of birth"),
        (
            ROBERT,
            {"date_of_birth": "1958-03-12", "nhs_number": ""},
            "date of birth differs by one digit or two transposed digits",
        ),
    ],
    ids=[
        "nickname",
        "typo",
        "transposed-nhs",
        "dob-swap",
        "wrong-fields",
        "name-change",
        "nickname-liz",
        "double-barrelled",
        "postcode-spacing",
        "moved-with-nhs",
        "missing-identifiers",
        "transposed-year",
    ],
)
def test_fault_still_finds_the_person(index, original, changes, reason):
    result = top(index, changed(original, **changes))
    assert result.b.record.record_id == original.record_id
    assert result.is_match
    assert result.verdict == LIKELY
    assert reason in result.reason_text


def test_reasons_read_as_plain_english(index):
    result = top(index, changed(ROBERT, family_name="Smyth", given_name="Robert", email="", phone=""))
    text = result.reason_text
    for phrase in ("same date of birth", "family name similar: Smyth / Smith", "NHS number matches"):
        assert phrase in text
    # Strongest evidence first: an NHS number says more than a date of birth.
    assert text.index("NHS number matches") < text.index("same date of birth")
    assert 0.5 <= result.score <= 1.0


def test_twin_is_not_offered_as_the_same_person(index):
    twin = PersonRecord("NEW", "Isla", "Clarke", "2001-06-15", "F", "", "", "9 Church Street, Bath", "BA1 1LT")
    assert all(r.b.record.record_id != AMELIA.record_id for r in index.lookup(twin))
    marked = [r for r in index.lookup(twin, include_different=True) if r.b.record.record_id == AMELIA.record_id]
    assert marked and marked[0].verdict == DIFFERENT and not marked[0].is_match
    assert "twins" in marked[0].reason_text


def test_child_with_the_same_name_and_address_is_not_offered(index):
    son = PersonRecord("NEW", "John", "Walker", "1990-07-19", "M", "", "", "77 High Street, Derby", "DE1 2AB")
    assert all(r.b.record.record_id != JOHN_SENIOR.record_id for r in index.lookup(son))
    marked = [r for r in index.lookup(son, include_different=True) if r.b.record.record_id == JOHN_SENIOR.record_id]
    assert marked and "parent and child" in marked[0].reason_text


def test_generation_suffix_separates_parent_and_child(index):
    junior = PersonRecord("NEW", "John", "Walker Jr", "1962-02-01", "M", "", "", "77 High Street, Derby", "DE1 2AB")
    senior_marked = changed(JOHN_SENIOR, family_name="Walker Sr")
    result = score_pair(prepare(junior), prepare(senior_marked))
    assert not result.is_match
    assert "different generation (Jr / Sr)" in result.reason_text


def test_shared_nhs_number_overrides_the_twin_rule(index):
    # Same NHS number: one person whose given name was typed wrongly, not a twin.
    record = changed(ROBERT, given_name="Peter")
    result = top(index, record)
    assert result.b.record.record_id == ROBERT.record_id and result.is_match


def test_stranger_gets_no_likely_match(index):
    stranger = PersonRecord(
        "NEW", "Zebedee", "Quartermaine", "1933-01-29", "M", "", "", "1 Nowhere Lane, Truro", "TR1 9ZZ"
    )
    assert all(not r.is_match for r in index.lookup(stranger))
