"""Normalisation of UK person details: identifiers, postcodes, dates, names, nicknames, phonetics."""

import jellyfish
import pytest

from casework.core.identifiers import (
    is_valid_nhs_number,
    nhs_number_check_digit,
    normalise_nhs_number,
    parse_pnc_id,
    parse_postcode,
    pnc_check_letter,
)
from casework.people.matching.nicknames import are_equivalent, canonical_given_name, pair_count
from casework.people.matching.normalise import (
    PersonRecord,
    day_month_swapped,
    fold,
    is_one_edit,
    is_transposition,
    parse_address,
    parse_birth_date,
    prepare,
    split_name,
)

pytestmark = []


@pytest.mark.parametrize("number", ["9434765919", "6541003238", "943 476 5919", "654-100-3238"])
def test_valid_nhs_numbers_pass_modulus_11(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "9434765991", "943476591", "94347659190", "", None, "abcdefghij"])
def test_invalid_nhs_numbers_fail(number):
    assert not is_valid_nhs_number(number)


def test_nhs_check_digit_of_ten_means_no_valid_number():
    # Find a nine-digit stem whose weighted sum leaves remainder 1 (check 10): no valid number ends it.
    stem = next(f"{n:09d}" for n in range(100_000_000, 100_001_000) if nhs_number_check_digit(f"{n:09d}") is None)
    assert all(not is_valid_nhs_number(stem + str(digit)) for digit in range(10))


def test_nhs_number_normalised_to_digits():
    assert normalise_nhs_number("943 476 5919") == "9434765919"
    assert normalise_nhs_number("94347659") == ""


def test_pnc_id_format_and_check_letter():
    letter = pnc_check_letter("12", "0345678")
    assert letter in "ZABCDEFGHJKLMNPQRTUVWXY"
    parsed = parse_pnc_id(f"12/345678{letter}")
    assert parsed.canonical == f"12/0345678{letter}"
    assert parsed.check_letter_ok
    # The four-digit-year form and lower case give the same canonical value.
    assert parse_pnc_id(f"2012/0345678{letter.lower()}").canonical == parsed.canonical
    wrong = next(ch for ch in "ABC" if ch != letter)
    assert parse_pnc_id(f"12/345678{wrong}").check_letter_ok is False  # a warning, not a rejection


def test_a_pnc_id_without_its_slash_is_not_read_as_one():
    # Decided in issue 10: the matching engine used to read "12345678L" as 12/0345678L while the
    # person form refused it. Without the slash a run of digits does not say where the year ends
    # (2012/345678L or 12/345678L?), so neither reads it as a PNC ID; matching compares it as an
    # identifier typed as it was.
    letter = pnc_check_letter("12", "0345678")
    assert parse_pnc_id(f"12345678{letter}") is None
    assert prepare(PersonRecord("A", pnc_id=f"12345678{letter}")).pnc == f"12345678{letter}"
    assert prepare(PersonRecord("A", pnc_id=f"12/345678{letter}")).pnc == f"12/0345678{letter}"


@pytest.mark.parametrize("text", ["123/45678A", "1/345678A", "12/34567890A", "12/345678", "AB/345678A", ""])
def test_pnc_id_bad_formats_rejected(text):
    assert parse_pnc_id(text) is None


def test_postcodes_with_and_without_spaces_are_equal():
    spaced, compact, lower = parse_postcode("SW1A 1AA"), parse_postcode("SW1A1AA"), parse_postcode(" sw1a 1aa ")
    assert spaced.compact == compact.compact == lower.compact == "SW1A1AA"
    assert (spaced.outward, spaced.inward, spaced.sector) == ("SW1A", "1AA", "SW1A 1")
    assert parse_postcode("LS1 4AB").display == "LS1 4AB"
    assert parse_postcode("2765").uk is False


def test_dates_in_several_forms():
    iso, compact, uk = parse_birth_date("1985-03-12"), parse_birth_date("19850312"), parse_birth_date("12/03/1985")
    assert iso.digits == compact.digits == uk.digits == "19850312"
    assert iso.valid
    impossible = parse_birth_date("1985-13-45")
    assert impossible.digits == "19851345" and not impossible.valid
    assert parse_birth_date("not a date") is None


def test_day_month_swap_and_transposition_detected():
    assert day_month_swapped(parse_birth_date("1985-03-12"), parse_birth_date("1985-12-03"))
    assert not day_month_swapped(parse_birth_date("1985-03-03"), parse_birth_date("1985-03-03"))
    assert is_transposition("1985", "1958")
    assert not is_transposition("1985", "1895x")
    assert is_one_edit("19850312", "19850313")
    assert not is_one_edit("19850312", "19860313")


def test_names_folded_and_split():
    assert fold("O’Brien-Núñez") == "obrien-nunez"
    parts = split_name("Mr John-Paul O'Neill Jnr")
    assert parts.tokens == ("john", "paul", "oneill")
    assert parts.suffix == "jr"
    assert split_name("Smith-Jones").tokens == ("smith", "jones")
    assert split_name("Dr Ann Smith").tokens == ("ann", "smith")


def test_nicknames():
    assert are_equivalent("bob", "robert")
    assert are_equivalent("liz", "elizabeth")
    assert are_equivalent("bob", "rob")
    assert are_equivalent("alex", "sandy")
    assert not are_equivalent("bob", "william")
    assert canonical_given_name("bill") == "william"
    assert pair_count() >= 300


def test_family_names_are_coded_with_jellyfish_nysiis():
    # jellyfish's NYSIIS, not the hand-written one it replaced: that one read a Y after the first
    # letter as a vowel (Smyth = Smith); the standard code keeps the Y (Smyth is SNYT).
    assert prepare(PersonRecord("A", family_name="Smith")).family_codes == ("SNAT",)
    assert prepare(PersonRecord("A", family_name="Smithe")).family_codes == ("SNAT",)
    assert prepare(PersonRecord("A", given_name="Knight")).given_code == jellyfish.nysiis("Knight") == "NAGT"
    assert prepare(PersonRecord("A", family_name="Smith-Jones")).family_codes == ("SNATJAN", "SNAT", "JAN")


def test_phone_numbers_are_compared_in_e164():
    # Decided in issue 10: the engine used to compare national digits ("02079460000") and read any
    # nine or more digits as a number; it now uses the canonical form forms and blind indexes use.
    same = ("+44 (0)20 7946 0000", "020 7946 0000", "0044 20 7946 0000", "+442079460000")
    assert {prepare(PersonRecord("A", phone=typed)).phone for typed in same} == {"+442079460000"}
    assert prepare(PersonRecord("A", phone="12345 6789")).phone == ""


def test_addresses():
    address = parse_address("Flat 3, 12 Acacia Rd, Leeds")
    assert address.text == "flat 3 12 acacia road leeds"
    assert address.numbers == ("3", "12")
