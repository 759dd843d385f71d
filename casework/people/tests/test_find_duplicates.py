"""manage.py find_duplicates: likely duplicates in the index (references and scores only), and a
CSV checked before import."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from casework.people import services
from casework.people.models import PersonAddress, PersonName
from casework.people.tests.factories import create_person

pytestmark = pytest.mark.django_db


def test_the_index_run_lists_likely_duplicates_by_reference(cast):
    first = create_person(
        by=cast.coordinator,
        given_name="Robert",
        family_name="Smith",
        date_of_birth=dt.date(1984, 3, 7),
        nhs_number="9990000018",
    )
    services.detail_add(
        person=first, model=PersonAddress, by=cast.coordinator, address="4 Elm Road", postcode="LS1 4AP"
    )
    # No NHS number on the second record: two different valid NHS numbers would be two people (issue 11.10).
    second = create_person(
        by=cast.coordinator, given_name="Bob", family_name="Smith", date_of_birth=dt.date(1984, 3, 7)
    )
    services.detail_add(person=second, model=PersonAddress, by=cast.coordinator, address="4 Elm Rd", postcode="LS1 4AP")
    create_person(by=cast.coordinator, given_name="Quentin", family_name="Zebedee", date_of_birth=dt.date(1950, 9, 9))
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "3 persons checked; 1 likely duplicate pairs"
    reference_1, reference_2, score = lines[1].split("\t")
    assert {reference_1, reference_2} == {first.reference, second.reference}
    assert 0.5 <= float(score) <= 1
    for secret in ("Robert", "Smith", "Elm", "LS1", "9990000018"):
        assert secret not in out.getvalue()


def test_look_alikes_with_two_different_valid_nhs_numbers_are_not_listed(cast):
    for nhs_number in ("9990000018", "9990000026"):
        person = create_person(
            by=cast.coordinator,
            given_name="Robert",
            family_name="Smith",
            date_of_birth=dt.date(1984, 3, 7),
            nhs_number=nhs_number,
        )
        services.detail_add(
            person=person, model=PersonAddress, by=cast.coordinator, address="4 Elm Road", postcode="LS1 4AP"
        )
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    assert out.getvalue().splitlines() == ["2 persons checked; 0 likely duplicate pairs"]


def test_aliases_of_one_person_are_not_reported_as_duplicates(cast):
    person = create_person(by=cast.coordinator, given_name="Jo", family_name="Bloggs")
    services.detail_add(
        person=person, model=PersonName, by=cast.coordinator, kind="alias", given_name="Joanne", family_name="Bloggs"
    )
    out = StringIO()
    call_command("find_duplicates", stdout=out)
    assert out.getvalue().splitlines() == ["1 persons checked; 0 likely duplicate pairs"]


def test_a_csv_is_checked_before_import(tmp_path):
    source = tmp_path / "persons.csv"
    rows = [
        [
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
        ],
        ["a1", "Katherine", "Oduya", "1990-11-02", "F", "9434765919", "", "7 Hill St", "M1 1AE", "", ""],
        ["a2", "Kate", "Oduya", "1990-11-02", "F", "9434765919", "", "7 Hill Street", "M1 1AE", "", ""],
        ["a3", "Daniel", "Whitmore", "1979-04-09", "M", "", "", "", "", "", ""],
        ["a4", "", "", "", "", "", "", "", "", "", ""],
    ]
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    output = tmp_path / "pairs.csv"
    out = StringIO()
    call_command("find_duplicates", "--input", str(source), "--output", str(output), stdout=out)
    with output.open(newline="") as handle:
        pairs = list(csv.reader(handle))
    assert pairs[0] == ["record_id_1", "record_id_2", "score"]
    assert [row[:2] for row in pairs[1:]] == [["a1", "a2"]]
    assert float(pairs[1][2]) >= 0.5
    assert "1 likely duplicate pairs written" in out.getvalue()


def test_a_csv_without_record_ids_is_refused(tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("given_name,family_name\nJo,Bloggs\n")
    with pytest.raises(CommandError, match="record_id"):
        call_command("find_duplicates", "--input", str(source), "--output", str(tmp_path / "out.csv"))


def test_input_needs_output(tmp_path):
    with pytest.raises(CommandError, match="both --input and --output"):
        call_command("find_duplicates", "--input", str(tmp_path / "x.csv"))


def test_the_csv_check_says_how_many_pairs_it_compared_and_which_keys_were_too_common(tmp_path):
    """Twelve namesakes born the same day at different postcodes share every name and date key, more
    rows than a key may pair on its own (``stream.BLOCK_CAP``): the command says the keys were split,
    and that the parts still too large were left out, with the pairs not compared."""
    header = ["record_id", "given_name", "family_name", "date_of_birth", "postcode"]
    rows = [[f"j{n}", "John", "Smith", "1980-05-06", f"LS{n + 1} 4AB"] for n in range(12)]
    rows += [["k1", "Katherine", "Oduya", "1990-11-02", "M1 1AE"], ["k2", "Kate", "Oduya", "1990-11-02", "M1 1AE"]]
    source, output = tmp_path / "persons.csv", tmp_path / "pairs.csv"
    with source.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    out = StringIO()
    call_command("find_duplicates", "--input", str(source), "--output", str(output), "--a-priori-weights", stdout=out)
    text = out.getvalue()
    assert "1 candidate pairs compared" in text
    assert "5 blocking keys shared by more than 8 rows were split" in text
    assert "12 groups of rows sharing a key were too large to compare even so (792 pairs not compared" in text
    with output.open(newline="") as handle:
        assert [row[:2] for row in list(csv.reader(handle))[1:]] == [["k1", "k2"]]
