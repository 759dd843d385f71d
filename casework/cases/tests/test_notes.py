"""Case notes, the clinical record: writing a note, who may read and write them, the author's
correction within the grace period and nothing after it (service, model and database), addenda,
the notes page (newest first, filters, search, pages) and the latest notes on the case page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from casework.access.breakglass import open_grant as break_glass_open
from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, AuditEvent
from casework.cases.errors import CaseRefused, NoteFixed
from casework.cases.models import CaseNote, CaseNoteAddendum
from casework.cases.services import notes
from casework.cases.services.team import team_add
from casework.core.roles import Role
from casework.core.testing import assert_page_queries_flat

WRITTEN = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC)


def form_data(**overrides) -> dict:
    data = {
        "kind": "client_contact",
        "contact_on_day": "19",
        "contact_on_month": "11",
        "contact_on_year": "2026",
        "contact_time": "14:30",
        "present": "The client; Dr Amal Shah (psychiatrist)",
        "text": "Seen at the clinic. Says he has stopped driving past her house.",
        "significant": "on",
    }
    data.update(overrides)
    return data


def write(case, by, text="A note", **fields) -> CaseNote:
    values = {"kind": "client_contact", "contact_on": dt.date(2026, 11, 19), "text": text, **fields}
    return notes.note_add(case=case, by=by, **values)


def notes_url(case) -> str:
    return reverse("cases:notes", args=[case.reference])


# --- Writing a note -----------------------------------------------------------------------------


def test_a_clinician_on_the_team_writes_a_note_and_it_is_audited_without_its_words(cast, world, client_for):
    with time_machine.travel(WRITTEN, tick=False):
        response = client_for(cast.clinician).post(reverse("cases:note_add", args=[world.case.reference]), form_data())
    assert response.status_code == 302 and response.url == notes_url(world.case)
    note = CaseNote.objects.get()
    assert note.kind == "client_contact" and note.contact_on == dt.date(2026, 11, 19)
    assert note.contact_time == dt.time(14, 30) and note.significant is True
    assert note.author == cast.clinician and note.created_at == WRITTEN
    assert note.editable_until == WRITTEN + dt.timedelta(minutes=15)
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case").latest("sequence")
    assert f"note {note.pk}" in event.changes
    assert "stopped driving" not in str(event.changes) and "Amal Shah" not in str(event.changes)
    assert event.changes[f"note {note.pk}"]["new"]["kind"] == "client_contact"


def test_a_clinical_lead_writes_a_note(cast, world, client_for):
    response = client_for(cast.clinical_lead).post(reverse("cases:note_add", args=[world.case.reference]), form_data())
    assert response.status_code == 302
    assert CaseNote.objects.get().author == cast.clinical_lead


def test_a_refused_note_says_why_for_each_field_and_keeps_what_was_typed(cast, world, client_for):
    response = client_for(cast.clinician).post(
        reverse("cases:note_add", args=[world.case.reference]),
        form_data(kind="", text="", contact_time="25:61", contact_on_year="2999", present="Kept words here"),
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select the kind of note" in body
    assert "Enter the note" in body
    assert "Time of the contact must be a real time, like 14:30" in body
    assert "Kept words here" in body
    assert 'href="#contact_on' in body or "contact_on" in body
    assert not CaseNote.objects.exists()


def test_a_note_longer_than_the_limit_is_refused_by_the_service(cast, world):
    with pytest.raises(CaseRefused) as refused:
        write(world.case, cast.clinician, text="x" * 20_001)
    assert refused.value.field == "text"


# --- Who reads and who writes -------------------------------------------------------------------


def test_a_coordinator_neither_reads_nor_writes_notes(cast, world, client_for):
    write(world.case, cast.clinician, text="Canaryclinical disclosure in session")
    client = client_for(cast.coordinator)
    assert client.get(notes_url(world.case)).status_code == 403
    assert client.post(reverse("cases:note_add", args=[world.case.reference]), form_data()).status_code == 403
    page = client.get(reverse("cases:detail", args=[world.case.reference]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Canaryclinical" not in body and reverse("cases:notes", args=[world.case.reference]) not in body
    assert CaseNote.objects.count() == 1


def test_a_clinician_on_no_team_gets_404_for_every_note_page(cast, world, client_for):
    note = write(world.case, cast.clinician)
    client = client_for(cast.other_clinician)
    ref = world.case.reference
    for url in (
        notes_url(world.case),
        reverse("cases:note_add", args=[ref]),
        reverse("cases:note_edit", args=[ref, note.pk]),
        reverse("cases:addendum_add", args=[ref, note.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cases:addendum_add", args=[ref, note.pk]), {"text": "x"}).status_code == 404
    assert not CaseNoteAddendum.objects.exists()


def test_break_glass_reads_the_notes_and_writes_nothing(cast, world, client_for):
    note = write(world.case, cast.clinician, text="Read under break-glass")
    break_glass_open(user=cast.other_clinician, obj=world.case, reason="Covering the on-call rota for the team tonight")
    client = client_for(cast.other_clinician)
    page = client.get(notes_url(world.case))
    assert page.status_code == 200 and "Read under break-glass" in page.content.decode()
    assert "Add an addendum" not in page.content.decode()
    ref = world.case.reference
    assert client.post(reverse("cases:note_add", args=[ref]), form_data()).status_code == 403
    assert client.post(reverse("cases:addendum_add", args=[ref, note.pk]), {"text": "x"}).status_code == 403
    assert CaseNote.objects.count() == 1 and not CaseNoteAddendum.objects.exists()


def test_reading_the_notes_is_audited(cast, world, client_for):
    write(world.case, cast.clinician)
    before = AuditEvent.objects.filter(action=Action.VIEW, object_type="cases.case").count()
    client_for(cast.clinician).get(notes_url(world.case))
    assert AuditEvent.objects.filter(action=Action.VIEW, object_type="cases.case").count() == before + 1


def test_no_notes_are_written_on_a_closed_case(cast, world):
    from casework.cases.services.team import case_change_status

    case_change_status(case=world.case, to="closed", closure_reason="work_completed", by=cast.clinical_lead)
    world.case.refresh_from_db()
    assert world.case.status == "closed"
    with pytest.raises(PermissionDenied):
        write(world.case, cast.clinician)


# --- The grace period ---------------------------------------------------------------------------


def test_the_author_corrects_the_note_within_the_grace_period_and_the_audit_says_only_that_text_changed(
    cast, world, client_for
):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="Seen with his mother", significant=True)
    url = reverse("cases:note_edit", args=[world.case.reference, note.pk])
    client = client_for(cast.clinician)
    with time_machine.travel(WRITTEN + dt.timedelta(minutes=14), tick=False):
        page = client.get(url)
        assert page.status_code == 200 and "Seen with his mother" in page.content.decode()
        response = client.post(url, form_data(text="Seen with his father", significant=""))
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text == "Seen with his father" and note.significant is False
    assert note.edited_at == WRITTEN + dt.timedelta(minutes=14)
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.case").latest("sequence")
    assert event.changes[f"note {note.pk} text"]["old"] != "Seen with his mother"
    assert "mother" not in str(event.changes) and "father" not in str(event.changes)
    assert event.changes[f"note {note.pk} significant"] == {"old": True, "new": False}


def test_after_the_grace_period_the_page_sends_the_author_to_add_an_addendum(cast, world, client_for):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="As written")
    url = reverse("cases:note_edit", args=[world.case.reference, note.pk])
    client = client_for(cast.clinician)
    with time_machine.travel(WRITTEN + dt.timedelta(minutes=16), tick=False):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("cases:addendum_add", args=[world.case.reference, note.pk])
        late = client.post(url, form_data(text="Too late to change"))
    assert late.status_code == 400
    body = late.content.decode()
    assert "The time to correct this note has passed" in body and "Too late to change" in body
    note.refresh_from_db()
    assert note.text == "As written" and note.edited_at is None


def test_the_service_refuses_a_correction_after_the_grace_period(cast, world):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="As written")
    with time_machine.travel(WRITTEN + dt.timedelta(minutes=15, seconds=1), tick=False):
        with pytest.raises(NoteFixed):
            notes.note_update(note=note, by=cast.clinician, kind="other", contact_on=note.contact_on, text="Changed")
    note.refresh_from_db()
    assert note.text == "As written"


def test_the_grace_period_is_a_setting(cast, world, settings):
    settings.CASE_NOTE_GRACE_MINUTES = 60
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician)
    assert note.editable_until == WRITTEN + dt.timedelta(minutes=60)


def test_only_the_author_corrects_a_note(cast, world, client_for):
    second = UserFactory(role=Role.CLINICIAN)
    team_add(case=world.case, user=second, role="clinician", by=cast.clinical_lead)
    note = write(world.case, cast.clinician, text="As written")
    url = reverse("cases:note_edit", args=[world.case.reference, note.pk])
    for user in (second, cast.clinical_lead):
        assert client_for(user).get(url).status_code == 403
        assert client_for(user).post(url, form_data(text="Not mine to change")).status_code == 403
    note.refresh_from_db()
    assert note.text == "As written"


def test_the_model_refuses_to_save_a_note_after_the_grace_period(cast, world):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="As written")
    note.text = "Changed behind the service's back"
    with time_machine.travel(WRITTEN + dt.timedelta(hours=1), tick=False):
        with pytest.raises(NoteFixed):
            note.save()
    with pytest.raises(NoteFixed):
        CaseNote.objects.filter(pk=note.pk).update(text="Changed in bulk")
    note.refresh_from_db()
    assert note.text == "As written"


def test_the_database_refuses_an_edit_recorded_after_the_grace_period(cast, world):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="As written")
    table = CaseNote._meta.db_table
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET text = %s, edited_at = %s WHERE id = %s",  # noqa: S608 (the table name is ours)
            ["Changed in SQL", WRITTEN + dt.timedelta(hours=1), note.pk],
        )
    note.refresh_from_db()
    assert note.text == "As written"


def test_a_save_within_the_grace_period_writes_only_the_content(cast, world):
    other = UserFactory(role=Role.CLINICIAN)
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="As written")
        note.author = other
        note.created_at = WRITTEN - dt.timedelta(days=1)
        note.text = "Corrected"
        note.save()
    note.refresh_from_db()
    assert note.text == "Corrected" and note.author == cast.clinician and note.created_at == WRITTEN


# --- Addenda ------------------------------------------------------------------------------------


def test_an_addendum_is_shown_under_the_note_with_its_own_author_and_time(cast, world, client_for):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician, text="Said he last saw her in June")
    url = reverse("cases:addendum_add", args=[world.case.reference, note.pk])
    client = client_for(cast.clinical_lead)
    page = client.get(url)
    assert page.status_code == 200 and "Said he last saw her in June" in page.content.decode()
    later = WRITTEN + dt.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        response = client.post(url, {"text": "Correction: he last saw her in July (police record)"})
    assert response.status_code == 302
    addendum = CaseNoteAddendum.objects.get()
    assert addendum.author == cast.clinical_lead and addendum.created_at == later
    note.refresh_from_db()
    assert note.text == "Said he last saw her in June"
    body = client_for(cast.clinician).get(notes_url(world.case)).content.decode()
    assert body.index("Said he last saw her in June") < body.index("Correction: he last saw her in July")
    assert "Addendum by Lena Lead" in body
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case").latest("sequence")
    assert f"note {note.pk} addendum {addendum.pk}" in event.changes
    assert "July" not in str(event.changes)


def test_an_empty_addendum_is_refused_and_an_addendum_is_fixed(cast, world, client_for):
    note = write(world.case, cast.clinician)
    url = reverse("cases:addendum_add", args=[world.case.reference, note.pk])
    response = client_for(cast.clinician).post(url, {"text": "   "})
    assert response.status_code == 400 and "Enter the addendum" in response.content.decode()
    addendum = notes.addendum_add(note=note, text="Added", by=cast.clinician)
    addendum.text = "Changed"
    with pytest.raises(NoteFixed):
        addendum.save()
    with pytest.raises(NoteFixed):
        CaseNoteAddendum.objects.filter(pk=addendum.pk).update(text="Changed")
    addendum.refresh_from_db()
    assert addendum.text == "Added"


def test_a_note_of_another_case_is_404(cast, world, client_for):
    from casework.cases.tests.factories import make_case

    other = make_case(lead=cast.clinician, by=cast.clinical_lead)
    note = write(other, cast.clinician)
    client = client_for(cast.clinician)
    assert client.get(reverse("cases:addendum_add", args=[world.case.reference, note.pk])).status_code == 404
    assert client.get(reverse("cases:note_edit", args=[world.case.reference, note.pk])).status_code == 404


# --- The notes page and the case page -----------------------------------------------------------


def test_the_notes_page_lists_newest_contact_first_and_filters_and_searches(cast, world, client_for):
    write(world.case, cast.clinician, text="Oldest contact", contact_on=dt.date(2026, 9, 1))
    write(world.case, cast.clinician, text="Middle telephone call", kind="telephone", contact_on=dt.date(2026, 10, 1))
    flagged = write(
        world.case, cast.clinician, text="Newest disclosure", significant=True, contact_on=dt.date(2026, 11, 1)
    )
    notes.addendum_add(note=flagged, text="Police informed of the Zanzibar threat", by=cast.clinician)
    client = client_for(cast.clinician)
    body = client.get(notes_url(world.case)).content.decode()
    assert body.index("Newest disclosure") < body.index("Middle telephone call") < body.index("Oldest contact")

    def shown(**query) -> list[str]:
        text = client.get(notes_url(world.case), query).content.decode()
        return [t for t in ("Oldest contact", "Middle telephone call", "Newest disclosure") if t in text]

    assert shown(kind="telephone") == ["Middle telephone call"]
    assert shown(significant="on") == ["Newest disclosure"]
    assert shown(q="OLDEST") == ["Oldest contact"]
    assert shown(q="zanzibar") == ["Newest disclosure"]  # words in an addendum
    assert shown(q="nothing like this") == []
    bad = client.get(notes_url(world.case), {"kind": "not-a-kind"})
    assert bad.status_code == 400 and "Select a kind of note from the list" in bad.content.decode()


def test_the_search_never_reaches_another_case(cast, world, client_for):
    from casework.cases.tests.factories import make_case

    other = make_case(lead=cast.clinician, by=cast.clinical_lead)
    write(other, cast.clinician, text="Quokka in the other case")
    body = client_for(cast.clinician).get(notes_url(world.case), {"q": "Quokka"}).content.decode()
    assert "Quokka in the other case" not in body and 'data-testid="empty"' in body


def test_the_notes_page_is_paginated(cast, world, client_for):
    for day in range(1, 23):
        write(world.case, cast.clinician, text=f"Note of day {day:02}", contact_on=dt.date(2026, 10, day))
    client = client_for(cast.clinician)
    first = client.get(notes_url(world.case)).content.decode()
    assert "Note of day 22" in first and "Note of day 02" not in first
    assert "Showing 1 to 20 of 22 notes" in first
    second = client.get(notes_url(world.case), {"page": "2"}).content.decode()
    assert "Note of day 02" in second and "Note of day 01" in second and "Note of day 22" not in second


def test_the_case_page_shows_the_latest_five_notes_and_links_to_them_all(cast, world, client_for):
    for day in range(1, 8):
        write(world.case, cast.clinician, text=f"Entry for day {day:02}", contact_on=dt.date(2026, 10, day))
    body = client_for(cast.clinician).get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert all(f"Entry for day {day:02}" in body for day in range(3, 8))
    assert "Entry for day 02" not in body and "Entry for day 01" not in body
    assert 'data-testid="all-notes"' in body and "View all notes (7)" in body
    assert reverse("cases:note_add", args=[world.case.reference]) in body


def test_a_correct_link_shows_only_to_the_author_within_the_grace_period(cast, world, client_for):
    with time_machine.travel(WRITTEN, tick=False):
        note = write(world.case, cast.clinician)
    edit = f'href="{reverse("cases:note_edit", args=[world.case.reference, note.pk])}"'
    with time_machine.travel(WRITTEN + dt.timedelta(minutes=5), tick=False):
        assert edit in client_for(cast.clinician).get(notes_url(world.case)).content.decode()
        assert edit not in client_for(cast.clinical_lead).get(notes_url(world.case)).content.decode()
    with time_machine.travel(WRITTEN + dt.timedelta(minutes=20), tick=False):
        assert edit not in client_for(cast.clinician).get(notes_url(world.case)).content.decode()


# --- Query counts -------------------------------------------------------------------------------


def _grow(world, cast, n: int = 3):
    def grow() -> None:
        for i in range(n):
            note = write(world.case, cast.clinician, text=f"Grown note {i}", significant=bool(i % 2))
            notes.addendum_add(note=note, text=f"Grown addendum {i}", by=cast.clinical_lead)
            notes.addendum_add(note=note, text=f"Second grown addendum {i}", by=cast.clinician)

    return grow


def test_the_notes_page_keeps_a_fixed_query_count_as_notes_and_addenda_grow(cast, world, client_for):
    note = write(world.case, cast.clinician)
    notes.addendum_add(note=note, text="First addendum", by=cast.clinician)
    client = client_for(cast.clinician)
    assert_page_queries_flat(client, notes_url(world.case), grow=_grow(world, cast))
    assert_page_queries_flat(client, notes_url(world.case), data={"q": "grown"}, grow=_grow(world, cast))


def test_the_case_page_keeps_a_fixed_query_count_as_notes_and_addenda_grow(cast, world, client_for):
    note = write(world.case, cast.clinician)
    notes.addendum_add(note=note, text="First addendum", by=cast.clinician)
    url = reverse("cases:detail", args=[world.case.reference])
    assert_page_queries_flat(client_for(cast.clinician), url, grow=_grow(world, cast))
