"""Case notes, the clinical record: writing a note, correcting it within the grace period, and
adding an addendum afterwards.

A note is fixed once its grace period (``settings.CASE_NOTE_GRACE_MINUTES`` after it was saved)
has passed: only its author corrects it, and only within that time; after it, a correction is an
addendum with its own author and time. Every write is one transaction with its audit event,
recorded against the case (``note 12``, ``note 12 addendum 3``); the audit keeps the kind, the date
and whether the note is significant, and of the free text (the note, who was present) only that it
changed (``audit.services.diff``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from casework.audit.services import snapshot
from casework.cases.choices import NoteKind
from casework.cases.errors import CaseRefused, NoteFixed
from casework.cases.models import Case, CaseNote, CaseNoteAddendum
from casework.cases.services._shared import audit_changed, audit_created, require
from casework.core.limits import check_text_limits

LATE_EDIT = "The time to correct this note has passed: add an addendum instead"


def _grace_period() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CASE_NOTE_GRACE_MINUTES)


def _validated(obj) -> None:
    try:
        check_text_limits(obj)
        obj.full_clean(exclude=["case", "note", "author"])
    except ValidationError as error:
        name, messages = next(iter(error.message_dict.items()))
        raise CaseRefused(messages[0], None if name == "__all__" else name) from None


def _note_fields(fields: dict[str, Any]) -> dict[str, Any]:
    kind = fields.get("kind") or ""
    if kind not in NoteKind.values:
        raise CaseRefused("Select the kind of note", "kind")
    text = (fields.get("text") or "").strip()
    if not text:
        raise CaseRefused("Enter the note", "text")
    contact_on = fields.get("contact_on")
    if contact_on is None:
        raise CaseRefused("Enter the date of the contact", "contact_on")
    if contact_on > timezone.localdate():
        raise CaseRefused("The date of the contact must be today or in the past", "contact_on")
    return {
        "kind": kind,
        "contact_on": contact_on,
        "contact_time": fields.get("contact_time"),
        "present": (fields.get("present") or "").strip(),
        "text": text,
        "significant": bool(fields.get("significant")),
    }


def note_add(*, case: Case, by, request: HttpRequest | None = None, **fields: Any) -> CaseNote:
    require(by, "cases.write_notes", case)
    values = _note_fields(fields)
    now = timezone.now()
    note = CaseNote(case=case, author=by, created_at=now, editable_until=now + _grace_period(), **values)
    _validated(note)
    with transaction.atomic():
        note.save()
        audit_created(case=case, by=by, request=request, obj=note, label="note", fields=CaseNote.AUDITED_FIELDS)
    return note


def note_update(*, note: CaseNote, by, request: HttpRequest | None = None, **fields: Any) -> CaseNote:
    """The author's correction within the grace period; afterwards refused (``NoteFixed``)."""
    case = note.case
    require(by, "cases.write_notes", case)
    if note.author_id != by.pk:
        raise PermissionDenied
    values = _note_fields(fields)
    with transaction.atomic():
        # The row as it is now, locked: the grace period is judged on the stored time.
        current = CaseNote.objects.select_for_update().get(pk=note.pk)
        if not current.is_editable():
            raise NoteFixed(LATE_EDIT)
        before = snapshot(current, CaseNote.AUDITED_FIELDS)
        for name, value in values.items():
            setattr(note, name, value)
        note.editable_until = current.editable_until
        _validated(note)
        note.save()
        audit_changed(
            case=case, by=by, request=request, obj=note, label="note", before=before, fields=CaseNote.AUDITED_FIELDS
        )
    return note


def addendum_add(*, note: CaseNote, text: str, by, request: HttpRequest | None = None) -> CaseNoteAddendum:
    require(by, "cases.add_addendum", note)
    text = (text or "").strip()
    if not text:
        raise CaseRefused("Enter the addendum", "text")
    addendum = CaseNoteAddendum(note=note, text=text, author=by, created_at=timezone.now())
    _validated(addendum)
    with transaction.atomic():
        addendum.save()
        audit_created(
            case=note.case,
            by=by,
            request=request,
            obj=addendum,
            label=f"note {note.pk} addendum",
            fields=CaseNoteAddendum.AUDITED_FIELDS,
        )
    return addendum
