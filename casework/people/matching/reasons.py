"""Plain-English reasons for a candidate: what agrees, what differs, in the order that mattered most."""

from __future__ import annotations

from .compare import Comparison
from .normalise import PreparedPerson


def _show(text: str) -> str:
    return " ".join(text.split())


def _dob_text(person: PreparedPerson) -> str:
    dob = person.dob
    if dob is None:
        return ""
    return f"{dob.day:02d}/{dob.month:02d}/{dob.year:04d}"


def _nhs_text(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 10 else digits


def _postcode_text(person: PreparedPerson) -> str:
    return person.postcode.display if person.postcode else ""


def describe(field: str, level: int, a: PreparedPerson, b: PreparedPerson, *, swapped: bool = False) -> str:
    """One reason, e.g. ``family name similar: Smyth / Smith``."""
    ra, rb = a.record, b.record
    if field == "given_name":
        pair = f"{_show(ra.given_name)} / {_show(rb.family_name if swapped else rb.given_name)}"
        return [
            "same given name" if not swapped else f"given name matches the other record's family name: {pair}",
            f"given names are forms of the same name: {pair}",
            f"given name similar: {pair}",
            f"given name partly similar: {pair}",
            f"different given names: {pair}",
        ][level]
    if field == "family_name":
        pair = f"{_show(ra.family_name)} / {_show(rb.given_name if swapped else rb.family_name)}"
        return [
            "same family name" if not swapped else f"family name matches the other record's given name: {pair}",
            f"one family name is part of the other (double-barrelled): {pair}",
            f"family name similar: {pair}",
            f"family name partly similar: {pair}",
            f"different family names (a change of name?): {pair}",
        ][level]
    if field == "date_of_birth":
        pair = f"{_dob_text(a)} / {_dob_text(b)}"
        return [
            "same date of birth",
            f"date of birth with day and month swapped: {pair}",
            f"date of birth differs by one digit or two transposed digits: {pair}",
            f"date of birth partly matches: {pair}",
            f"different dates of birth: {pair}",
        ][level]
    if field == "sex":
        return ["same sex", f"different sex recorded: {ra.sex} / {rb.sex}"][level]
    if field == "address":
        postcodes = f"{_postcode_text(a)} / {_postcode_text(b)}"
        return [
            "same address",
            f"same address, postcode differs: {postcodes}",
            "same postcode, different address",
            f"nearby postcode: {postcodes}",
            "different address (moved?)",
        ][level]
    if field == "nhs_number":
        pair = f"{_nhs_text(a.nhs)} / {_nhs_text(b.nhs)}"
        return [
            "NHS number matches",
            f"NHS number differs by one digit or two transposed digits: {pair}",
            f"different NHS numbers: {pair}",
        ][level]
    if field == "pnc_id":
        return [
            "PNC ID matches",
            f"PNC ID differs by one character or two transposed characters: {a.pnc} / {b.pnc}",
            f"different PNC IDs: {a.pnc} / {b.pnc}",
        ][level]
    if field == "other_id":
        return [
            "other identifier matches",
            f"other identifier differs by one character or a transposition: {a.other_id} / {b.other_id}",
            "different other identifiers",
        ][level]
    if field == "phone":
        return ["same phone number", "phone number differs by one digit or a transposition", "different phone numbers"][
            level
        ]
    if field == "email":
        return ["same email address", "similar email address", "different email addresses"][level]
    raise ValueError(field)


def reasons(a: PreparedPerson, b: PreparedPerson, comparison: Comparison, contributions: dict[str, float]) -> list[str]:
    """All reasons, strongest evidence first (for or against)."""
    ordered = sorted(contributions.items(), key=lambda item: -abs(item[1]))
    found = []
    if comparison.names_swapped:
        found.append(
            f"given and family names in the wrong fields: {_show(a.record.given_name)} {_show(a.record.family_name)}"
            f" / {_show(b.record.given_name)} {_show(b.record.family_name)}"
        )
    for field, _weight in ordered:
        level = comparison.level(field)
        if level is None:
            continue
        found.append(
            describe(field, level, a, b, swapped=comparison.names_swapped and field in ("given_name", "family_name"))
        )
    return found
