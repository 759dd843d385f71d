"""The diary pages.

Under a case (/cases/<reference>/treatment/appointments/…): the case's appointments, booking one,
one appointment with its attendance and session note, moving it, its ICS file and the clinician's
invitation.
The case is loaded for the user (404 if they may not see it), then the appointment among those they
may read (404 otherwise).

The clinic's diary (/diary/…): my week, a clinician's week, a room's week, and the rooms. A week
shows every appointment of the clinician or room; one on a case the viewer may not read is "Busy"
(``diary_queries.week_of``).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casework.access import policy
from casework.audit.models import Action
from casework.audit.services import record, record_view
from casework.cases.views.common import case_or_404
from casework.core.formatting import datetime_gb
from casework.core.idempotency import creates_record
from casework.core.pagination import page_links, paginate
from casework.core.permissions import require
from casework.core.refusals import Refused, show_refusal
from casework.treatment import diary_queries as queries
from casework.treatment.choices import Attendance
from casework.treatment.diary_forms import AttendanceForm, BookForm, MoveForm, RoomForm, SessionNoteForm
from casework.treatment.diary_ics import appointment_ics, ics_filename, place_of
from casework.treatment.models import Appointment
from casework.treatment.services import diary as services

# --- Under a case ---------------------------------------------------------------------------------------


def _case(request: HttpRequest, reference: str):
    case = case_or_404(request, reference)
    require(request.user, "treatment.view_diary", case)
    return case


def _appointment(request: HttpRequest, case, pk: int) -> Appointment:
    return policy.get_or_404(request, Appointment, queryset=queries.appointments_of_case(request.user, case), pk=pk)


def list_url(case) -> str:
    return reverse("treatment:appointments", args=[case.reference])


def detail_url(appointment: Appointment) -> str:
    return reverse("treatment:appointment_detail", args=[appointment.case.reference, appointment.pk])


@require_GET
def appointment_list(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    page = paginate(request, queries.appointments_of_case(request.user, case))
    record_view(request, case, object_label=f"{case.reference}: appointments")
    return render(
        request,
        "treatment/diary_appointments.jinja",
        {
            "case": case,
            "page": page,
            "pagination": page_links(request, page),
            "may_book": request.user.has_perm("treatment.book", case),
            "place_label": queries.place_label,
        },
    )


@require_http_methods(["GET", "POST"])
@creates_record
def appointment_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    require(request.user, "treatment.book", case)
    clinicians = queries.clinicians_for_booking(case)
    rooms = queries.rooms()
    form = BookForm(
        request.POST if request.method == "POST" else None,
        clinicians=clinicians,
        rooms=rooms,
        initial={"minutes": 60, "clinician": str(request.user.pk)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = next((u for u in clinicians if str(u.pk) == data["clinician"]), None)
        room = next((r for r in rooms if str(r.pk) == data.get("room")), None)
        try:
            appointment = services.appointment_book(
                case=case,
                kind=data["kind"],
                clinician=chosen,
                place_kind=data["place_kind"],
                room=room,
                place_detail=data.get("place_detail") or "",
                starts_at=form.starts_at(),
                minutes=data["minutes"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused, {"starts_at": "time"})
        else:
            messages.success(request, "Appointment booked")
            return redirect(detail_url(appointment))
    if request.method == "GET":
        record_view(request, case)
    return render(
        request,
        "cases/form.jinja",
        {
            "case": case,
            "form": form,
            "title": "Book an appointment",
            "submit_text": "Book the appointment",
            "cancel_url": list_url(case),
        },
        status=400 if form.is_bound else 200,
    )


def _detail(request: HttpRequest, case, appointment: Appointment, *, attendance_form=None, note_form=None, status=200):
    user = request.user
    may_read_notes = user.has_perm("treatment.view", case)
    may_record = user.has_perm("treatment.record_attendance", appointment)
    may_note = user.has_perm("treatment.write_session_note", appointment)
    may_move = user.has_perm("treatment.book", appointment) and appointment.attendance == Attendance.BOOKED
    session_note = queries.session_note_of(appointment) if may_read_notes else None
    modules = services.programme_modules(appointment)
    focus = services.focus_of(case)
    if may_record and attendance_form is None:
        attendance_form = AttendanceForm(
            initial={"attendance": "" if appointment.attendance == Attendance.BOOKED else appointment.attendance}
        )
    attended = appointment.attendance in (Attendance.ATTENDED, Attendance.LATE)
    if may_note and attended and session_note is None and note_form is None:
        note_form = SessionNoteForm(modules=modules, focus=focus)
    return render(
        request,
        "treatment/diary_appointment.jinja",
        {
            "case": case,
            "appointment": appointment,
            "place": place_of(appointment),
            "session_note": session_note,
            "note_modules": [dict(modules).get(c, c) for c in (session_note.modules if session_note else [])],
            "note_focus": focus,
            "note_risk_factors": [
                dict(focus.choices).get(c, c) for c in (session_note.risk_factors if session_note else [])
            ],
            "attendance_form": attendance_form if may_record else None,
            "note_form": note_form if (may_note and attended and session_note is None) else None,
            "may_invite": may_move,
            "may_move": may_move,
        },
        status=status,
    )


@require_GET
def appointment_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    record_view(request, case, object_label=f"{case.reference}: {appointment.audit_label}")
    return _detail(request, case, appointment)


@require_POST
def attendance(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    require(request.user, "treatment.record_attendance", appointment)
    form = AttendanceForm(request.POST)
    if form.is_valid():
        try:
            services.attendance_record(
                appointment=appointment,
                attendance=form.cleaned_data["attendance"],
                reason=form.cleaned_data.get("reason") or "",
                reason_acceptable=form.acceptable(),
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Attendance recorded")
            return redirect(detail_url(appointment))
    return _detail(request, case, appointment, attendance_form=form, status=400)


@require_POST
@creates_record
def session_note_add(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    require(request.user, "treatment.write_session_note", appointment)
    form = SessionNoteForm(request.POST, modules=services.programme_modules(appointment), focus=services.focus_of(case))
    if form.is_valid():
        try:
            services.session_note_add(
                appointment=appointment,
                modules=form.cleaned_data.get("modules") or [],
                risk_factors=form.cleaned_data.get("risk_factors") or [],
                text=form.cleaned_data["text"],
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            messages.success(request, "Session note saved. It is also in the case notes.")
            return redirect(detail_url(appointment))
    return _detail(request, case, appointment, note_form=form, status=400)


@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Another time (and perhaps another clinician or place) for a booked appointment. One that has
    taken place or been cancelled shows why it cannot be moved."""
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    require(request.user, "treatment.book", appointment)
    movable = appointment.attendance == Attendance.BOOKED
    clinicians = queries.clinicians_for_booking(case)
    rooms = queries.rooms()
    form = MoveForm(
        request.POST if request.method == "POST" and movable else None,
        clinicians=clinicians,
        rooms=rooms,
        initial=MoveForm.initial_for(appointment),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        invited = appointment.invitation_sent_at is not None
        try:
            services.appointment_move(
                appointment=appointment,
                starts_at=form.starts_at(),
                minutes=data["minutes"],
                clinician=next((u for u in clinicians if str(u.pk) == data["clinician"]), None),
                place_kind=data["place_kind"],
                room=next((r for r in rooms if str(r.pk) == data.get("room")), None),
                place_detail=data.get("place_detail") or "",
                by=request.user,
                request=request,
            )
        except Refused as refused:
            show_refusal(form, refused, {"starts_at": "time"})
        else:
            moved = f"Appointment moved to {datetime_gb(appointment.starts_at)}, {place_of(appointment)}"
            if invited:
                moved += ". The invitation sent before has the old time: send it again"
            messages.success(request, moved)
            return redirect(detail_url(appointment))
    if request.method == "GET":
        record_view(request, case, object_label=f"{case.reference}: {appointment.audit_label}")
    return render(
        request,
        "treatment/diary_move.jinja",
        {
            "case": case,
            "appointment": appointment,
            "place": place_of(appointment),
            "form": form if movable else None,
            "cancel_url": detail_url(appointment),
        },
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def calendar_file(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    record(
        action=Action.EXPORT,
        request=request,
        obj=case,
        object_label=f"{case.reference}: {appointment.audit_label} calendar file",
    )
    response = HttpResponse(appointment_ics(appointment), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(appointment)}"'
    return response


@require_POST
def invite(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    case = _case(request, reference)
    appointment = _appointment(request, case, pk)
    require(request.user, "treatment.book", appointment)
    try:
        services.invitation_send(appointment=appointment, by=request.user, request=request)
    except Refused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, f"Invitation sent to {appointment.clinician.full_name}")
    return redirect(detail_url(appointment))


# --- The clinic's diary -----------------------------------------------------------------------------------


def _week_page(request: HttpRequest, *, title: str, clinician=None, room=None, this_url: str) -> HttpResponse:
    require(request.user, "treatment.view_diary")
    week = queries.week_of(request.user, queries.week_start(request.GET.get("week")), clinician=clinician, room=room)
    return render(
        request,
        "treatment/diary_week.jinja",
        {
            "title": title,
            "week": week,
            "this_url": this_url,
            "showing_clinician": clinician is None,
            "showing_room": room is None,
            "place_label": queries.place_label,
            "clinicians": queries.clinicians(),
            "rooms": queries.rooms(),
        },
    )


@require_GET
def my_week(request: HttpRequest) -> HttpResponse:
    require(request.user, "treatment.view_diary")
    if not request.user.has_perm("treatment.view"):
        # Not a clinician (the coordinator keeps the diary): the clinic's rooms and clinicians.
        return render(
            request, "treatment/diary_index.jinja", {"clinicians": queries.clinicians(), "rooms": queries.rooms()}
        )
    return _week_page(request, title="My week", clinician=request.user, this_url=reverse("diary:week"))


@require_GET
def clinician_week(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "treatment.view_diary")
    clinician = queries.clinician_or_none(pk)
    if clinician is None:
        raise Http404("No such clinician")
    return _week_page(
        request,
        title=f"{clinician.full_name}'s week",
        clinician=clinician,
        this_url=reverse("diary:clinician", args=[clinician.pk]),
    )


@require_GET
def room_week(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "treatment.view_diary")
    room = queries.room_or_none(pk)
    if room is None:
        raise Http404("No such room")
    return _week_page(request, title=f"{room.name}: week", room=room, this_url=reverse("diary:room", args=[room.pk]))


@require_http_methods(["GET", "POST"])
@creates_record
def rooms(request: HttpRequest) -> HttpResponse:
    require(request.user, "treatment.view_diary")
    may_manage = request.user.has_perm("treatment.manage_rooms")
    form = RoomForm(request.POST if request.method == "POST" else None) if may_manage else None
    if request.method == "POST":
        require(request.user, "treatment.manage_rooms")
        assert form is not None
        if form.is_valid():
            try:
                room = services.room_add(
                    name=form.cleaned_data["name"],
                    site=form.cleaned_data.get("site") or "",
                    by=request.user,
                    request=request,
                )
            except Refused as refused:
                show_refusal(form, refused)
            else:
                messages.success(request, f"{room.name} added")
                return redirect(reverse("diary:rooms"))
    return render(
        request,
        "treatment/diary_rooms.jinja",
        {"rooms": queries.rooms(active_only=False), "form": form},
        status=400 if form is not None and form.is_bound else 200,
    )
