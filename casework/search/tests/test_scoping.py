"""Who finds what: every member of the cast, the clinical content only for clinical staff, and the
information barrier tested with canary words (the world is described in conftest.py)."""

from __future__ import annotations

import pytest
from django.db import connection

from casework.access.breakglass import open_grant as break_glass_open
from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.search.models import SearchDocument
from casework.search.queries import search
from casework.search.tests.conftest import (
    REFERRAL_DETAIL_CANARIES,
    SEALED_CANARIES,
    VICTIM_SIDE_CANARIES,
    references,
)
from casework.search.text import QueryError

# Every reference holds "2026", so this finds every record a user may find.
EVERYTHING = "2026"


def expected_for(world) -> dict[str, set[str]]:
    w = world
    everything = {
        w.victim_referral.reference,
        w.victim_case.reference,
        w.perpetrator_referral.reference,
        w.perpetrator_case.reference,
        w.lone_referral.reference,
    }
    return {
        "coordinator": everything,
        "clinician": {w.perpetrator_referral.reference, w.perpetrator_case.reference},
        "other_clinician": set(),
        "clinical_lead": everything,
        "finance": set(),
        "researcher": set(),
        "sysadmin": set(),
        "agency": set(),
        "agency_other": set(),
    }


@pytest.mark.parametrize(
    "role",
    [
        "coordinator",
        "clinician",
        "other_clinician",
        "clinical_lead",
        "finance",
        "researcher",
        "sysadmin",
        "agency",
        "agency_other",
    ],
)
def test_each_member_of_the_cast_finds_only_what_they_may_see(role, world, cast):
    page = search(cast.by_name(role), EVERYTHING)
    assert references(page) == expected_for(world)[role]
    # The count is of the same records: nothing hidden is counted.
    assert page.paginator.count == len(expected_for(world)[role])


def test_the_victim_service_clinician_finds_only_the_victim_side(world):
    assert references(search(world.victim_clinician, EVERYTHING)) == {
        world.victim_referral.reference,
        world.victim_case.reference,
    }


def test_a_clinician_finds_a_case_they_broke_glass_into(world, cast):
    assert references(search(cast.other_clinician, "wombat")) == set()
    break_glass_open(user=cast.other_clinician, obj=world.perpetrator_case, reason="On call: urgent risk call tonight")
    assert references(search(cast.other_clinician, "wombat")) == {world.perpetrator_case.reference}


def test_a_coordinator_finds_a_case_by_reference_and_subject_but_never_by_clinical_content(world, cast):
    coordinator = cast.coordinator
    case = world.perpetrator_case
    assert case.reference in references(search(coordinator, "Stan Perpetrator"))
    assert references(search(coordinator, case.reference)) == {case.reference}
    # The incident description and the parties' names are clinical content.
    for text in ("wombat", "stuffed wombat", "doorstep divorce"):
        assert references(search(coordinator, text)) == set(), text
    # The victim's name as given is in the referral (which coordinators read), not found in the case.
    assert references(search(coordinator, "Vicky Named")) == {world.perpetrator_referral.reference}
    # Clinical staff find the case by the same words.
    assert references(search(cast.clinical_lead, "wombat")) == {case.reference}


@pytest.mark.parametrize(
    "text",
    [
        "clinical wombat",
        "{clinical} : wombat",
        "clinical:wombat",
        "clinical : (wombat)",
        '"wombat"',
        "- {heading details} : wombat",
        "wombat*",
        "NEAR(wombat doorstep)",
    ],
)
def test_a_coordinator_cannot_reach_clinical_content_by_query_syntax(text, world, cast):
    try:
        page = search(cast.coordinator, text)
    except QueryError:
        return
    assert references(page) == set()


def perpetrator_side(world, cast) -> dict[str, object]:
    glass = UserFactory(role=Role.CLINICIAN, full_name="Gil Glass")
    break_glass_open(user=glass, obj=world.perpetrator_case, reason="On call: urgent risk call from probation")
    return {
        "lead clinician": cast.clinician,
        "clinical lead on the team": world.lead_on_team,
        "break-glass clinician": glass,
    }


def test_nobody_on_the_perpetrator_side_finds_anything_on_the_victim_side(world, cast):
    for name, user in perpetrator_side(world, cast).items():
        assert references(search(user, "wombat")) == {world.perpetrator_case.reference}, name
        for canary, text in VICTIM_SIDE_CANARIES.items():
            for query in (text, text.split()[-1], text.split()[0][:6]):
                page = search(user, query)
                assert references(page) == set(), (name, canary, query)
                assert page.paginator.count == 0
        # Neither the victim's case nor her own referral, by reference or by anything else.
        for reference in (world.victim_case.reference, world.victim_referral.reference):
            assert reference not in references(search(user, reference)), (name, reference)
            assert reference not in references(search(user, EVERYTHING)), (name, reference)


def test_the_victim_side_is_found_by_those_who_may_see_it(world, cast):
    for user in (world.victim_clinician, cast.clinical_lead):
        assert world.victim_case.reference in references(search(user, "Canaryincident"))
        assert world.victim_referral.reference in references(search(user, "Canaryreferral"))


def all_users(world, cast):
    return [cast.by_name(r) for r in ("coordinator", "clinician", "other_clinician", "clinical_lead")] + [
        world.victim_clinician,
        world.lead_on_team,
    ]


def test_sealed_details_and_referrers_free_text_details_are_found_by_nobody(world, cast):
    """Not even the victim's own team: they are never indexed."""
    canaries = {**SEALED_CANARIES, **REFERRAL_DETAIL_CANARIES}
    for user in all_users(world, cast):
        for name, text in canaries.items():
            try:
                page = search(user, text)
            except QueryError:
                continue
            assert references(page) == set(), (user.full_name, name)
            for word in text.split():
                if len(word) > 4 and "canary" in word.lower():
                    assert references(search(user, word)) == set(), (user.full_name, name, word)


def test_the_index_holds_no_sealed_detail_nor_referrers_free_text_details(world):
    canaries = [v.lower() for v in {**SEALED_CANARIES, **REFERRAL_DETAIL_CANARIES}.values()]
    canaries += ["kestrelcanary", "canarystreet", "canarydetails", "veracanaryhandle", "canaryworks", "4960555"]
    rows = list(SearchDocument.objects.values_list("heading", "details", "clinical"))
    assert rows
    text = " ".join(" ".join(row) for row in rows).lower()
    assert [c for c in canaries if c in text] == []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT string_agg(vector::text, ' ') FROM search_searchdocument")
            vectors = cursor.fetchone()[0]
        # Whole lexemes ('0555':3), not substrings: a factory reference such as REF-2026-90555 holds
        # "0555" as part of a longer word.
        assert [c for c in canaries if f"'{c.split()[-1].lower()}'" in vectors] == []


def test_a_victim_case_s_new_identity_is_not_in_the_perpetrator_case_s_document(world):
    document = SearchDocument.objects.get(record_type="case", record_id=world.perpetrator_case.pk)
    text = f"{document.heading} {document.details} {document.clinical}"
    assert "Vicky Named" in text
    assert "Quillcanary" not in text and "Zephyrine" not in text
