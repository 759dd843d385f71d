"""Keeping the index current: the referral services index what they write, in their own
transaction; cases are indexed through ``index_case``; the whole index rebuilds on demand."""

from __future__ import annotations

import datetime as dt
import io
import random

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from casework.cases.tests.factories import IncidentFactory
from casework.demo import search as demo
from casework.demo.context import DemoContext
from casework.people import services as people_services
from casework.referrals.choices import Channel, Service
from casework.referrals.services import intake
from casework.referrals.tests.factories import ReferralFactory
from casework.search.models import SearchDocument
from casework.search.queries import search
from casework.search.services import (
    index_case,
    index_cases_of_person,
    index_referral,
    reindex_all,
    remove_case,
    remove_referral,
)
from casework.search.tests.conftest import references


def log_referral(cast, **fields):
    values = {
        "received_via": Channel.PHONE,
        "received_at": timezone.now() - dt.timedelta(hours=1),
        "referring_organisation": cast.organisation,
        "referrer_name": "DC Jo Example",
        "subject_given_name": "Ottoline",
        "subject_family_name": "Marchbanks",
        "behaviour_summary": "Repeated calls to her office switchboard.",
    }
    values.update(fields)
    return intake.referral_log(by=cast.coordinator, services=[Service.STALKER_ASSESSMENT], **values)


def test_a_logged_referral_is_found_at_once(cast):
    referral = log_referral(cast)
    assert references(search(cast.coordinator, "Marchbanks")) == {referral.reference}


def test_an_edited_referral_is_found_by_its_new_words_only(cast):
    referral = log_referral(cast)
    intake.referral_update(
        referral=referral,
        by=cast.coordinator,
        subject_family_name="Pargeter",
        parties=[{"role": "victim", "name": "Winifred Target", "relationship_to_subject": ""}],
    )
    assert references(search(cast.coordinator, "Marchbanks")) == set()
    assert references(search(cast.coordinator, "Pargeter")) == {referral.reference}
    assert references(search(cast.coordinator, "Winifred")) == {referral.reference}


def test_a_draft_is_never_indexed_and_a_submitted_one_is(cast):
    draft = intake.draft_start(by=cast.agency)
    intake.draft_save(referral=draft, by=cast.agency, subject_given_name="Peregrine", subject_family_name="Ashdown")
    assert not SearchDocument.objects.filter(record_type="referral", record_id=draft.pk).exists()
    assert references(search(cast.clinical_lead, "Ashdown")) == set()
    intake.draft_submit(referral=draft, by=cast.agency)
    assert references(search(cast.clinical_lead, "Ashdown")) == {draft.reference}


def test_the_index_changes_with_the_record_or_not_at_all(cast):
    with pytest.raises(RuntimeError), transaction.atomic():
        log_referral(cast, subject_family_name="Rolledback")
        raise RuntimeError("the caller's transaction fails after the write")
    assert not SearchDocument.objects.exists()
    assert references(search(cast.coordinator, "Rolledback")) == set()


def test_a_case_is_found_by_new_clinical_content_once_indexed(world, cast):
    case = world.perpetrator_case
    IncidentFactory(case=case, description="Parked a hired van outside the gymnasium.")
    assert references(search(cast.clinician, "gymnasium")) == set()
    index_case(case)
    assert references(search(cast.clinician, "gymnasium")) == {case.reference}
    assert references(search(cast.clinician, "wombat")) == {case.reference}


def test_a_subject_s_new_name_reaches_their_cases(world, cast):
    person = world.perpetrator_case.subject
    people_services.person_update(person=person, by=cast.clinical_lead, family_name="Renamedsworth")
    index_cases_of_person(person)
    assert references(search(cast.clinician, "Renamedsworth")) == {world.perpetrator_case.reference}


def test_removing_a_record_s_document(world, cast):
    remove_case(world.perpetrator_case)
    remove_referral(world.perpetrator_referral)
    assert references(search(cast.clinical_lead, "Perpetrator")) == set()
    index_referral(world.perpetrator_referral)
    assert references(search(cast.clinical_lead, "Perpetrator")) == {world.perpetrator_referral.reference}


def test_reindexing_twice_gives_the_same_index(world):
    def snapshot():
        return sorted(SearchDocument.objects.values_list("record_type", "record_id", "heading", "details", "clinical"))

    first = snapshot()
    done = reindex_all(batch_size=2)
    assert (done.referrals, done.cases) == (3, 2)
    assert snapshot() == first


def test_the_reindex_command_says_how_many_records_it_indexed(world, cast):
    SearchDocument.objects.all().delete()
    out = io.StringIO()
    call_command("reindex_search", stdout=out)
    assert out.getvalue().strip() == "Indexed 3 referrals and 2 cases."
    assert references(search(cast.clinical_lead, "wombat")) == {world.perpetrator_case.reference}


def test_the_demo_indexes_everything_the_other_apps_seeded(world, cast):
    SearchDocument.objects.all().delete()
    out = io.StringIO()
    context = DemoContext(faker=Faker("en_GB"), rng=random.Random(1), out=out)
    demo.seed(context)
    demo.seed(context)
    assert SearchDocument.objects.count() == 5
    assert "Search: indexed 3 referrals and 2 cases" in out.getvalue()


def test_index_triggers_exist(db):
    """A later migration that rebuilds search_searchdocument on SQLite drops them; it must make them
    again (see migration 0002)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'search_searchdocument'"
            )
            assert {row[0] for row in cursor.fetchall()} == {
                "search_document_ai",
                "search_document_ad",
                "search_document_au",
            }
        else:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'search_document_vector_gin'")
            assert "USING gin (vector)" in cursor.fetchone()[0]


def test_documents_written_any_way_are_searchable(cast, db):
    """Bulk writes and deletes go through the triggers (SQLite) or the batch vector write."""
    made = [ReferralFactory(subject_family_name="Bulkington") for _ in range(3)]
    reindex_all()
    assert references(search(cast.clinical_lead, "Bulkington")) == {r.reference for r in made}
    SearchDocument.objects.filter(record_type="referral", record_id=made[0].pk).delete()
    assert references(search(cast.clinical_lead, "Bulkington")) == {r.reference for r in made[1:]}


def test_a_merge_reaches_the_survivors_cases_at_once_and_an_unmerge_takes_it_back(world, cast):
    """A merge that fills the survivor's middle name must reach her cases' search headings in the
    same transaction, not at the next reindex (ADR 0008's recorded limit, now closed)."""
    from casework.people.tests.factories import create_person

    survivor = world.perpetrator_case.subject
    assert not survivor.middle_names
    duplicate = create_person(
        by=cast.coordinator,
        given_name=survivor.given_name,
        family_name=survivor.family_name,
        middle_names="Quillfeatherby",
    )
    merge = people_services.person_merge(
        source=duplicate, target=survivor, by=cast.clinical_lead, reason="The same man: same date of birth and address"
    )
    assert references(search(cast.clinician, "Quillfeatherby")) == {world.perpetrator_case.reference}
    people_services.person_unmerge(merge=merge, by=cast.clinical_lead, reason="Merged in error")
    assert references(search(cast.clinician, "Quillfeatherby")) == set()
