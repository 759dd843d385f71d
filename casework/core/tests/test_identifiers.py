"""Validators, normalisers and formatters for the identifiers a person or referral holds: the one
module forms, blind indexes, the matching engine and the portal use (issue 10)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from casework.core import identifiers as ids

NHS_NUMBERS = ["9434765919", "6541003238", "9990000018", "9990000026", "9990000034"]

# --- NHS number -----------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["9434765919", "6541003238", *NHS_NUMBERS])
def test_valid_nhs_numbers_pass_the_modulus_11_check(number):
    assert ids.is_valid_nhs_number(number)
    assert ids.clean_nhs_number(number) == number


def test_the_check_digit_follows_the_weights_10_to_2():
    # 9×10 + 4×9 + 3×8 + 4×7 + 7×6 + 6×5 + 5×4 + 9×3 + 1×2 = 299; 299 mod 11 = 2; 11 − 2 = 9
    assert ids.nhs_number_check_digit("943476591") == 9


def test_a_remainder_of_zero_gives_check_digit_zero():
    # 11 − 0 = 11, which means 0.
    first_nine = next(
        f"{n:09d}"
        for n in range(100_000_000, 100_100_000)
        if sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1))) % 11 == 0
    )
    assert ids.nhs_number_check_digit(first_nine) == 0
    assert ids.is_valid_nhs_number(first_nine + "0")


def test_a_check_digit_of_ten_makes_the_number_invalid():
    first_nine = next(
        f"{n:09d}"
        for n in range(100_000_000, 100_100_000)
        if sum(int(d) * w for d, w in zip(f"{n:09d}", range(10, 1, -1))) % 11 == 1
    )
    assert ids.nhs_number_check_digit(first_nine) is None
    assert not any(ids.is_valid_nhs_number(first_nine + str(d)) for d in range(10))


@pytest.mark.parametrize("typed", ["943 476 5919", "943-476-5919", " 9434765919 "])
def test_nhs_numbers_are_stored_as_ten_digits(typed):
    assert ids.clean_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9434765918", "Enter a valid NHS number"),
        ("943476591", "NHS number must be 10 digits"),
        ("94347659191", "NHS number must be 10 digits"),
        ("943476591X", "NHS number must only include numbers"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_a_message(typed, message):
    with pytest.raises(ValidationError) as error:
        ids.clean_nhs_number(typed)
    assert error.value.messages == [message]


@pytest.mark.parametrize("typed", ["943.476.5919", "NHS 9434765919", "9434765919.0", "٩٤٣٤٧٦٥٩١٩"])
def test_only_spaces_and_hyphens_separate_the_digits_of_an_nhs_number(typed):
    # Decided in issue 10: the matching engine used to take the digits out of any text
    # ("943.476.5919" was valid there, refused by the form). One rule now: an NHS number is
    # written 3-3-4 with spaces or hyphens, in ASCII digits; anything else is not one.
    assert ids.normalise_nhs_number(typed) == ""
    assert not ids.is_valid_nhs_number(typed)


def test_blank_nhs_number_is_allowed():
    assert ids.clean_nhs_number("  ") == ""


def test_nhs_numbers_are_shown_3_3_4():
    assert ids.format_nhs_number("9434765919") == "943 476 5919"
    assert ids.format_nhs_number("943-476-5919") == "943 476 5919"
    assert ids.format_nhs_number("12345") == "12345"
    assert ids.format_nhs_number(None) == ""


# --- PNC ID ---------------------------------------------------------------------------------------


def test_the_pnc_check_letter_is_modulus_23_skipping_i_o_and_s():
    # 010171310 mod 23 = 20 -> the 21st letter of ZABCDEFGHJKLMNPQRTUVWXY = W
    assert ids.pnc_check_letter("01", "0171310") == "W"
    assert set("IOS").isdisjoint(ids.PNC_CHECK_LETTERS)
    assert len(ids.PNC_CHECK_LETTERS) == 23


@pytest.mark.parametrize("typed", ["01/0171310W", "2001/0171310W", "01/171310W", " 01/0171310w "])
def test_pnc_ids_are_normalised_to_yy_slash_seven_digits_and_letter(typed):
    parsed = ids.clean_pnc_id(typed)
    assert parsed.canonical == "01/0171310W"
    assert parsed.check_letter_ok
    assert parsed.warning == ""


def test_a_check_letter_mismatch_is_a_warning_not_a_refusal():
    parsed = ids.clean_pnc_id("01/0171310A")
    assert parsed.canonical == "01/0171310A"
    assert not parsed.check_letter_ok
    assert "expected W" in parsed.warning


@pytest.mark.parametrize("typed", ["0171310W", "01-0171310W", "01/01713100W", "AB/0171310W", "01/0171310"])
def test_pnc_ids_in_another_format_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        ids.clean_pnc_id(typed)
    assert error.value.messages == ["Enter a PNC ID in the correct format, like 01/0171310W"]


def test_blank_pnc_id_is_allowed():
    assert ids.clean_pnc_id("") is None


# --- Prison number ----------------------------------------------------------------------------------


def test_a_nomis_prison_number_is_accepted_without_warning():
    assert ids.clean_prison_number(" a1234bc ") == ids.PrisonNumber("A1234BC")
    assert ids.is_nomis_prison_number(" a1234 bc")
    assert not ids.is_nomis_prison_number("BX4567")


def test_another_prison_number_form_is_accepted_with_a_warning():
    parsed = ids.clean_prison_number("BX 4567")
    assert parsed.value == "BX4567"
    assert "not in the usual form" in parsed.warning


def test_a_prison_number_with_other_characters_is_refused():
    with pytest.raises(ValidationError):
        ids.clean_prison_number("A1234-BC!")


# --- Telephone numbers ------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["020 7946 0000", "02079460000", "+44 20 7946 0000", "+44 (0)20 7946 0000"])
def test_phone_numbers_are_stored_in_e164(typed):
    assert ids.clean_phone(typed) == "+442079460000"


def test_numbers_from_abroad_keep_their_country_code():
    assert ids.clean_phone("+33 1 42 68 53 00") == "+33142685300"


@pytest.mark.parametrize("typed", ["12345", "not a number", "020 7946 00000000", "07700 900123"])
def test_invalid_phone_numbers_are_refused(typed):
    with pytest.raises(ValidationError) as error:
        ids.clean_phone(typed)
    assert error.value.messages == [ids.PHONE_MESSAGE]


def test_phone_numbers_are_shown_in_national_form_for_the_uk():
    assert ids.format_phone("+442079460000") == "020 7946 0000"
    assert ids.format_phone("+33142685300") == "+33 1 42 68 53 00"


def test_normalise_phone_never_raises():
    assert ids.normalise_phone("rubbish") == ""
    assert ids.normalise_phone("0113 496 0000") == "+441134960000"


# --- Email, postcode, handles -----------------------------------------------------------------------


def test_email_addresses_are_validated_and_lower_cased_for_look_up():
    assert ids.clean_email(" Jo.Bloggs@Example.org ") == "Jo.Bloggs@Example.org"
    assert ids.normalise_email(" Jo.Bloggs@Example.org ") == "jo.bloggs@example.org"
    with pytest.raises(ValidationError) as error:
        ids.clean_email("jo.bloggs@")
    assert error.value.messages == [ids.EMAIL_MESSAGE]


def test_text_without_an_at_sign_is_no_email_address_to_look_up():
    # Decided in issue 10: forms' look-ups lower-cased anything, the matching engine required an
    # "@"; "n/a" in two spreadsheets is not an address two people share.
    assert ids.normalise_email(" N/A ") == ""


def test_postcodes_are_split_into_outward_and_inward_codes():
    spaced, compact = ids.parse_postcode("SW1A 1AA"), ids.parse_postcode(" sw1a-1aa ")
    assert spaced == compact
    assert (spaced.compact, spaced.outward, spaced.inward, spaced.sector) == ("SW1A1AA", "SW1A", "1AA", "SW1A 1")
    assert ids.normalise_postcode("sw1a1aa") == spaced.display == "SW1A 1AA"
    assert ids.parse_postcode("2615.0").compact == "2615"  # a number read from a spreadsheet
    assert ids.parse_postcode("2615").uk is False
    assert ids.parse_postcode("  ") is None


@pytest.mark.parametrize(("typed", "stored"), [("sw1a1aa", "SW1A 1AA"), ("ls1 4ap", "LS1 4AP"), ("M1  1AE", "M1 1AE")])
def test_postcodes_are_normalised(typed, stored):
    assert ids.clean_postcode(typed) == stored


def test_a_postcode_that_is_not_a_uk_postcode_is_refused():
    with pytest.raises(ValidationError) as error:
        ids.clean_postcode("12345")
    assert error.value.messages == [ids.POSTCODE_MESSAGE]


def test_handles_keep_gaming_tags_and_refuse_control_characters():
    assert ids.clean_handle(" Player One#1234 ") == "Player One#1234"
    assert ids.normalise_handle("instagram", "@Jo.Bloggs") == "instagram:jo.bloggs"
    with pytest.raises(ValidationError):
        ids.clean_handle("bad\x00handle")
    with pytest.raises(ValidationError):
        ids.clean_handle("x" * 201)
