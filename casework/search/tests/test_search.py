"""Finding things: names, references, words from descriptions, prefixes, accents, ranking and pages.
The same tests run on SQLite (FTS5) and on PostgreSQL (``DATABASE_URL=postgres://…``)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.referrals.tests.factories import ReferralFactory
from casework.search.queries import PER_PAGE, search
from casework.search.services import index_referral, reindex_all
from casework.search.tests.conftest import references


def test_a_surname_finds_the_referral_and_the_case(world, cast):
    page = search(cast.clinical_lead, "Perpetrator")
    assert references(page) == {world.perpetrator_referral.reference, world.perpetrator_case.reference}


def test_the_end_of_the_last_word_can_be_left_off(world, cast):
    assert references(search(cast.clinical_lead, "Featherst")) == {world.lone_referral.reference}
    assert references(search(cast.clinical_lead, "Hermione Feath")) == {world.lone_referral.reference}
    # Only the last word is a prefix.
    assert references(search(cast.clinical_lead, "Herm Featherstonehaugh")) == set()


def test_a_reference_finds_its_record_whole_or_begun(world, cast):
    reference = world.lone_referral.reference
    assert references(search(cast.clinical_lead, reference)) == {reference}
    assert reference in references(search(cast.clinical_lead, reference[:-2]))
    case = world.perpetrator_case
    # A case is found by its own reference and by those of the referrals whose work it holds.
    assert references(search(cast.clinical_lead, case.reference)) == {case.reference}
    assert case.reference in references(search(cast.clinical_lead, world.perpetrator_referral.reference))


def test_two_words_from_a_description_find_it(world, cast):
    assert references(search(cast.clinical_lead, "flowers Friday")) == {world.lone_referral.reference}
    assert references(search(cast.clinical_lead, "stuffed wombat")) == {world.perpetrator_case.reference}
    assert references(search(cast.clinical_lead, "wombat flowers")) == set()


def test_words_of_a_piece_must_be_together_and_in_order(world, cast):
    assert references(search(cast.clinical_lead, "car-park")) == {world.lone_referral.reference}
    assert references(search(cast.clinical_lead, "park-car")) == set()


def test_accents_and_case_do_not_matter(world, cast):
    zoe = ReferralFactory(subject_given_name="Zoë", subject_family_name="Ångström-Núñez")
    index_referral(zoe)
    for text in ("zoe angstrom", "ZOË ÅNGSTRÖM", "Angstrom-Nunez", "nunez"):
        assert references(search(cast.clinical_lead, text)) == {zoe.reference}, text


def test_the_snippet_highlights_what_matched(world, cast):
    [result] = search(cast.clinical_lead, "stuffed wombat").object_list
    assert "<mark>stuffed</mark> <mark>wombat</mark>" in str(result.snippet)
    assert result.type_label == "Perpetrator case"
    assert result.status == "Open"
    assert result.subject == "Stan Perpetrator"
    assert result.url == f"/cases/{world.perpetrator_case.reference}/"
    [result] = search(cast.clinical_lead, "Featherstonehaugh").object_list
    assert "<mark>Featherstonehaugh</mark>" in str(result.snippet)
    assert (result.type_label, result.status, result.url) == (
        "Referral",
        "Received",
        f"/referrals/{world.lone_referral.reference}/",
    )


def test_a_name_ranks_above_a_mention(cast, db):
    mention = ReferralFactory(behaviour_summary="Followed Mr Pennyfeather's daughter from the station.")
    named = ReferralFactory(subject_given_name="Alan", subject_family_name="Pennyfeather")
    reindex_all()
    assert [r.reference for r in search(cast.clinical_lead, "Pennyfeather").object_list] == [
        named.reference,
        mention.reference,
    ]


def test_results_come_a_page_at_a_time(cast, db):
    made = [ReferralFactory(subject_family_name="Lindqvist") for _ in range(PER_PAGE + 5)]
    reindex_all()
    first = search(cast.clinical_lead, "Lindqvist", 1)
    second = search(cast.clinical_lead, "Lindqvist", "2")
    assert first.paginator.count == PER_PAGE + 5
    assert len(first.object_list) == PER_PAGE and len(second.object_list) == 5
    assert references(first) | references(second) == {r.reference for r in made}
    assert not references(first) & references(second)
    # A malformed or out-of-range page gives the nearest one.
    assert search(cast.clinical_lead, "Lindqvist", "abc").number == 1
    assert search(cast.clinical_lead, "Lindqvist", 99).number == 2


def test_a_page_of_results_takes_the_same_queries_however_many_records(cast):
    from casework.cases.tests.factories import IncidentFactory, make_case
    from casework.people.tests.factories import create_person

    def add(n: int) -> None:
        for i in range(n):
            subject = create_person(by=cast.coordinator, given_name="Quentin", family_name=f"Quernby{i}")
            case = make_case(lead=cast.clinician, by=cast.clinical_lead, subject=subject, coordinator=cast.coordinator)
            IncidentFactory(case=case, description="Waited outside the Quernby surgery every morning.")
            ReferralFactory(behaviour_summary="Messages about the Quernby surgery.")
        reindex_all()

    def statements() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            page = search(cast.clinical_lead, "Quernby surgery")
            assert {r.record_type for r in page.object_list} == {"referral", "case"}
        return [q["sql"] for q in captured.captured_queries]

    add(1)
    small = statements()
    add(14)
    large = statements()
    assert len(small) == len(large)
    # Of them, on the search tables: the page with its count, and the snippets.
    assert sum("search_searchdocument" in sql or "search_fts" in sql for sql in large) == 2
    assert search(cast.clinical_lead, "Quernby surgery").paginator.count == 30
