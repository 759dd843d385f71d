"""Case notes, the clinical record: the notes page (newest first, filtered by kind and significant
events, searched by words), writing a note, its author's correction within the grace period, and
addenda afterwards. Clinical staff who can see the case read them; coordinators never do."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from casework.audit.services import record_view
from casework.cases import queries
from casework.cases.choices import NoteKind
from casework.cases.forms import AddendumForm, NoteFilterForm, NoteForm
from casework.cases.models import Case, CaseNote
from casework.cases.services import notes as note_services
from casework.cases.views.common import case_or_404, form_page
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate

NOTES_PER_PAGE = 20


def notes_url(case: Case) -> str:
    return reverse("cases:notes", args=[case.reference])


def note_row(user, case: Case, note: CaseNote, *, can_write: bool, now=None) -> dict:
    """A note as the pages show it, with its addenda (prefetched by ``queries.notes_of``)."""
    now = now or timezone.now()
    editable = can_write and note.author_id == user.pk and note.is_editable(now)
    return {
        "pk": note.pk,
        "kind": NoteKind(note.kind).label,
        "contact_on": note.contact_on,
        "contact_time": note.contact_time,
        "present": note.present,
        "text": note.text,
        "significant": note.significant,
        "author": note.author.full_name,
        "created_at": note.created_at,
        "edited_at": note.edited_at,
        "editable_until": note.editable_until if editable else None,
        "edit_href": reverse("cases:note_edit", args=[case.reference, note.pk]) if editable else None,
        "addendum_href": reverse("cases:addendum_add", args=[case.reference, note.pk]) if can_write else None,
        "addenda": [
            {"pk": a.pk, "text": a.text, "author": a.author.full_name, "created_at": a.created_at}
            for a in note.addenda.all()
        ],
    }


@require_GET
def notes(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.view_notes")
    form = NoteFilterForm(request.GET or None)
    filters = form.filters()
    page = paginate(request, queries.notes_of(case, **filters), per_page=NOTES_PER_PAGE)
    record_view(request, case)
    can_write = request.user.has_perm("cases.write_notes", case)
    now = timezone.now()
    return render(
        request,
        "cases/notes.jinja",
        {
            "case": case,
            "form": form,
            "page": page,
            "links": page_links(request, page),
            "rows": [note_row(request.user, case, n, can_write=can_write, now=now) for n in page.object_list],
            "filtered": any(filters.values()),
            "can_write": can_write,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _fields(data: dict) -> dict:
    return {
        "kind": data["kind"],
        "contact_on": data["contact_on"],
        "contact_time": data.get("contact_time"),
        "present": data.get("present") or "",
        "text": data["text"],
        "significant": bool(data.get("significant")),
    }


@require_http_methods(["GET", "POST"])
@creates_record
def note_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = case_or_404(request, reference, "cases.write_notes")
    form = NoteForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add a case note",
        save=lambda data: note_services.note_add(case=case, by=request.user, request=request, **_fields(data)),
        success_message="Note added",
        success_url=notes_url(case),
        cancel_url=notes_url(case),
        extra={"grace_minutes": settings.CASE_NOTE_GRACE_MINUTES},
        template="cases/note_form.jinja",
    )


def _note_or_404(case: Case, pk: int) -> CaseNote:
    note = queries.note_of(case, pk)
    if note is None:
        raise Http404("No such note")
    return note


@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """The author's correction within the grace period. Afterwards the page sends them to add an
    addendum; a correction sent just after the period ends is refused with the reason, and what
    they typed is kept."""
    case = case_or_404(request, reference, "cases.write_notes")
    note = _note_or_404(case, pk)
    if note.author_id != request.user.pk:
        raise PermissionDenied
    if request.method == "GET" and not note.is_editable():
        messages.info(request, note_services.LATE_EDIT)
        return redirect("cases:addendum_add", reference=case.reference, pk=note.pk)
    initial = {
        "kind": note.kind,
        "contact_on": note.contact_on,
        "contact_time": note.contact_time.strftime("%H:%M") if note.contact_time else "",
        "present": note.present,
        "text": note.text,
        "significant": note.significant,
    }
    form = NoteForm(request.POST if request.method == "POST" else None, initial=initial)
    return form_page(
        request,
        case=case,
        form=form,
        title="Correct your note",
        save=lambda data: note_services.note_update(note=note, by=request.user, request=request, **_fields(data)),
        success_message="Note corrected",
        success_url=f"{notes_url(case)}#note-{note.pk}",
        cancel_url=notes_url(case),
        extra={"editable_until": note.editable_until},
        template="cases/note_form.jinja",
    )


@require_http_methods(["GET", "POST"])
@creates_record
def addendum_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = case_or_404(request, reference, "cases.write_notes")
    note = _note_or_404(case, pk)
    form = AddendumForm(request.POST if request.method == "POST" else None)
    return form_page(
        request,
        case=case,
        form=form,
        title="Add an addendum",
        save=lambda data: note_services.addendum_add(note=note, text=data["text"], by=request.user, request=request),
        success_message="Addendum added",
        success_url=f"{notes_url(case)}#note-{note.pk}",
        cancel_url=notes_url(case),
        extra={"note": note_row(request.user, case, note, can_write=False)},
        template="cases/addendum_form.jinja",
    )
