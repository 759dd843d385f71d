"""Different people who look alike on paper are not merged (issue 11, item 10).

Three kinds of false merge seen on the clinic's held-out records: two different NHS numbers that
both pass Modulus 11; a parent and an adult child with the same name at the same address; twins
where one record has its given and family names swapped. Each test scores the pair with the
a priori weights and the prior of a 7,000-record batch (what the synthetic benchmark uses), and
also checks that the genuine fault each rule must not swallow is still found.
"""

import pytest

from casework.people.matching import DIFFERENT, PersonRecord, find_duplicates, prepare, rank_candidates, score_pair
from casework.people.matching.scoring import DEFAULT_PARAMETERS, prior_for

pytestmark = []

PARAMETERS = DEFAULT_PARAMETERS.with_prior(prior_for(7000, 0.1))

# Synthetic NHS numbers that pass Modulus 11, and one that fails it.
VALID_NHS = "9434765919"
OTHER_VALID_NHS = "6541003238"
INVALID_NHS = "9434765918"
LEEDS = ("12 Acacia Avenue, Leeds", "LS1 4AB")
DERBY = ("77 High Street, Derby", "DE1 2AB")
BATH = ("9 Church Street, Bath", "BA1 1LT")


def person(record_id, given, family, dob, sex="M", nhs="", address=LEEDS, pnc="", phone=""):
    return PersonRecord(record_id, given, family, dob, sex, nhs, pnc, address[0], address[1], phone)


def score(a: PersonRecord, b: PersonRecord):
    return score_pair(prepare(a), prepare(b), PARAMETERS)


def assert_two_people(result, reason: str) -> None:
    assert not result.is_match
    assert result.verdict == DIFFERENT
    assert result.score == 0.0
    assert reason in result.reason_text


# -- two different NHS numbers that both pass Modulus 11 ----------------------------------------


@pytest.mark.parametrize("address", [LEEDS, ("4 Mill Lane, York", "YO1 7HH")], ids=["same-address", "moved"])
def test_two_different_valid_nhs_numbers_are_two_people(address):
    first = person("A", "David", "Jones", "1980-04-11", nhs=VALID_NHS)
    second = person("B", "David", "Jones", "1980-04-11", nhs=OTHER_VALID_NHS, address=address)
    result = score(first, second)
    assert_two_people(result, "Different NHS numbers")
    assert result.reasons[0].startswith("Different NHS numbers, both valid")


def test_an_nhs_number_that_fails_modulus_11_is_a_typing_error_not_another_person():
    first = person("A", "David", "Jones", "1980-04-11", nhs=VALID_NHS)
    second = person("B", "David", "Jones", "1980-04-11", nhs=INVALID_NHS)
    result = score(first, second)
    assert result.is_match
    assert "Different NHS numbers, both valid" not in result.reason_text


def test_a_shared_pnc_id_outweighs_two_valid_nhs_numbers():
    # One person whose record picked up someone else's NHS number: the PNC ID says who it is.
    first = person("A", "David", "Jones", "1980-04-11", nhs=VALID_NHS, pnc="99/1234567T")
    second = person("B", "David", "Jones", "1980-04-11", nhs=OTHER_VALID_NHS, pnc="99/1234567T")
    assert score(first, second).is_match


def test_a_candidate_with_another_valid_nhs_number_is_not_offered():
    new = person("NEW", "David", "Jones", "1980-04-11", nhs=VALID_NHS)
    other = prepare(person("B", "David", "Jones", "1980-04-11", nhs=OTHER_VALID_NHS))
    assert rank_candidates(prepare(new), [other], PARAMETERS) == []
    marked = rank_candidates(prepare(new), [other], PARAMETERS, include_different=True)
    assert marked and marked[0].verdict == DIFFERENT


# -- a parent and an adult child with the same name at the same address -------------------------


@pytest.mark.parametrize(
    ("parent_dob", "child_dob", "years"),
    [
        ("1962-02-01", "1982-02-01", 20),  # the same birthday: the dates differ by one digit
        ("1958-11-03", "1988-03-11", 30),  # the same birthday with day and month swapped on the child
        ("1962-02-30", "1990-07-19", 28),  # an impossible date typed on one record
        ("1962-02-11", "1975-07-19", 13),  # a young parent
    ],
    ids=["same-birthday", "same-birthday-day-month-swapped", "impossible-date", "thirteen-years"],
)
def test_same_name_parent_and_adult_child_at_one_address_are_two_people(parent_dob, child_dob, years):
    parent = person("A", "John", "Walker", parent_dob, address=DERBY)
    child = person("B", "John", "Walker", child_dob, address=DERBY)
    assert_two_people(score(parent, child), f"born {years} years apart: likely parent and child")


def test_same_name_parent_and_child_with_the_address_typed_differently_are_two_people():
    parent = person("A", "John", "Walker", "1962-02-01", address=DERBY)
    child = person("B", "John", "Walker", "1982-02-01", address=("77 High St, Derby", "de12ab"))
    assert_two_people(score(parent, child), "likely parent and child")


@pytest.mark.parametrize(
    ("first", "second"),
    [("1985-03-12", "1958-03-12"), ("1985-03-12", "1895-03-12")],
    ids=["transposed-year", "transposed-century"],
)
def test_a_year_typed_with_two_digits_transposed_is_still_one_person(first, second):
    assert score(
        person("A", "John", "Walker", first, address=DERBY), person("B", "John", "Walker", second, address=DERBY)
    ).is_match


def test_a_year_one_digit_out_within_twelve_years_is_still_one_person():
    assert score(
        person("A", "John", "Walker", "1985-03-12", address=DERBY),
        person("B", "John", "Walker", "1986-03-12", address=DERBY),
    ).is_match


# -- twins, one of them recorded with given and family names swapped -----------------------------


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("Alex", "Morgan"), ("Morgan", "Sam")),
        (("Morgan", "Sam"), ("Alex", "Morgan")),
        (("Jordan", "Ellis"), ("Ellis", "Tyler")),
    ],
    ids=["second-swapped", "first-swapped", "jordan-ellis"],
)
def test_twins_with_one_record_swapped_are_two_people(first, second):
    a = person("A", *first, "2001-06-15", address=BATH)
    b = person("B", *second, "2001-06-15", address=BATH)
    result = score(a, b)
    assert_two_people(result, "likely twins or siblings")
    assert not result.comparison.names_swapped


def test_twins_with_one_record_swapped_and_a_shared_phone_are_two_people():
    a = person("A", "Alex", "Morgan", "2001-06-15", address=BATH, phone="01225 496000")
    b = person("B", "Morgan", "Sam", "2001-06-15", address=BATH, phone="01225 496000")
    assert_two_people(score(a, b), "likely twins or siblings")


def test_a_full_swap_is_still_one_person():
    a = person("A", "Jordan", "Ellis", "2001-06-15", address=BATH)
    b = person("B", "Ellis", "Jordan", "2001-06-15", address=BATH)
    result = score(a, b)
    assert result.is_match and result.comparison.names_swapped


def test_a_swap_with_a_nickname_is_still_one_person():
    a = person("A", "Robert", "Ellis", "2001-06-15", address=BATH)
    b = person("B", "Ellis", "Bob", "2001-06-15", address=BATH)
    assert score(a, b).is_match


# -- in a batch ---------------------------------------------------------------------------------


def test_a_batch_merges_none_of_the_three_kinds_but_keeps_the_real_duplicate():
    records = [
        person("NHS-1", "David", "Jones", "1980-04-11", nhs=VALID_NHS),
        person("NHS-2", "David", "Jones", "1980-04-11", nhs=OTHER_VALID_NHS),
        person("PARENT", "John", "Walker", "1962-02-01", address=DERBY),
        person("CHILD", "John", "Walker", "1982-02-01", address=DERBY),
        person("TWIN-1", "Alex", "Morgan", "2001-06-15", sex="F", address=BATH),
        person("TWIN-2", "Morgan", "Sam", "2001-06-15", sex="F", address=BATH),
        person("SWAP-1", "Jordan", "Ellis", "1999-01-21", address=("3 Park Road, Hull", "HU1 1AA")),
        person("SWAP-2", "Ellis", "Jordan", "1999-01-21", address=("3 Park Road, Hull", "HU1 1AA")),
    ]
    result = find_duplicates(records)
    pairs = {tuple(sorted((r.a.record.record_id, r.b.record.record_id))) for r in result.pairs}
    assert pairs == {("SWAP-1", "SWAP-2")}
