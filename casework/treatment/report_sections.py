"""The treatment compliance report's sections, drawn from the treatment record: the reports app
lays the report out and asks this app, through ``prefill.register_builder``, for what only it holds
(registered when the app is ready). Each statement links to the enrolment or appointment it came
from. Nothing here reads a session's clinical note: attendance, reasons and what was covered."""

from __future__ import annotations

from collections import Counter

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from casework.core.formatting import date_gb
from casework.reports import prefill, sections
from casework.treatment.choices import ABSENCES, ATTENDED, Attendance
from casework.treatment.models import Appointment, ComplianceNotice, Enrolment, OutcomeMeasure, SessionNote


def _enrolment(record) -> Enrolment | None:
    """The case's enrolment the report is about: the one in treatment, else the latest."""
    if "treatment_enrolment" not in record.__dict__:
        enrolments = list(
            Enrolment.objects.filter(case=record.case)
            .select_related("programme", "order", "supervising_agency")
            .prefetch_related(
                Prefetch(
                    "appointments",
                    queryset=Appointment.objects.filter(starts_at__lte=timezone.now())
                    .select_related("session_note")
                    .order_by("starts_at", "id"),
                    to_attr="past",
                ),
                Prefetch("measures", queryset=OutcomeMeasure.objects.order_by("measure", "taken_on")),
                Prefetch("notices", queryset=ComplianceNotice.objects.order_by("raised_at")),
            )
            .order_by("-starts_on", "-id")
        )
        active = next((e for e in enrolments if e.is_active), None)
        record.__dict__["treatment_enrolment"] = active or (enrolments[0] if enrolments else None)
    return record.__dict__["treatment_enrolment"]


def _past(enrolment: Enrolment) -> list[Appointment]:
    """The enrolment's appointments up to now (prefetched by ``_enrolment``)."""
    return getattr(enrolment, "past", [])


def programme_modules_of(content) -> list[tuple[str, str]]:
    """(key, title) of a kept programme's modules."""
    return [(m.get("key") or m.get("code"), m.get("title", "")) for m in content.get("modules", [])]


def _path(record, enrolment: Enrolment) -> str:
    return reverse("treatment:enrolment", args=[record.reference, enrolment.pk])


def _attendance(record) -> list[dict]:
    enrolment = _enrolment(record)
    if enrolment is None:
        return []
    label, path = f"Enrolment: {enrolment.programme.title}", _path(record, enrolment)
    basis = enrolment.get_legal_basis_display()
    order = f", under the {enrolment.order.get_kind_display().lower()}" if enrolment.order else ""
    counts = Counter(a.attendance for a in _past(enrolment))
    offered = sum(n for kind, n in counts.items() if kind != Attendance.CANCELLED_BY_CLINIC)
    attended = sum(counts[kind] for kind in ATTENDED)
    planned = enrolment.programme.content.get("planned_sessions")
    return [
        record.statement(
            f"{enrolment.programme.title} ({basis.lower()}{order}), from {date_gb(enrolment.starts_on)}"
            + (f"; {planned} sessions planned" if planned else "")
            + f". Status: {enrolment.get_status_display().lower()}.",
            kind="enrolment",
            id=enrolment.pk,
            label=label,
            path=path,
            part="basis",
        ),
        record.statement(
            f"Sessions offered up to {date_gb(timezone.localdate())}: {offered}. Attended: {attended} "
            f"(of which late: {counts[Attendance.LATE]}). Did not attend: {counts[Attendance.DID_NOT_ATTEND]}. "
            f"Cancelled by the client: {counts[Attendance.CANCELLED_BY_CLIENT]}. "
            f"Cancelled by the clinic: {counts[Attendance.CANCELLED_BY_CLINIC]}.",
            kind="enrolment",
            id=enrolment.pk,
            label=label,
            path=path,
            part="counts",
        ),
    ]


def _absences(record) -> list[dict]:
    enrolment = _enrolment(record)
    if enrolment is None:
        return []
    out = []
    for appointment in _past(enrolment):
        if appointment.attendance not in ABSENCES:
            continue
        accepted = {True: "accepted as a reason", False: "not accepted as a reason", None: ""}[
            appointment.reason_acceptable if appointment.attendance == Attendance.CANCELLED_BY_CLIENT else False
        ]
        reason = f': "{appointment.cancellation_reason}"' if appointment.cancellation_reason else ""
        out.append(
            record.statement(
                f"{date_gb(appointment.starts_at)}: {appointment.get_attendance_display().lower()}{reason}"
                + (f" ({accepted})." if accepted else "."),
                kind="appointment",
                id=appointment.pk,
                label=f"Appointment on {date_gb(appointment.starts_at)}",
                path=reverse("treatment:appointment_detail", args=[record.reference, appointment.pk]),
            )
        )
    return out


def _engagement(record) -> list[dict]:
    enrolment = _enrolment(record)
    if enrolment is None:
        return []
    label, path = f"Enrolment: {enrolment.programme.title}", _path(record, enrolment)
    modules = dict(programme_modules_of(enrolment.programme.content))
    covered: Counter[str] = Counter()
    factors: Counter[str] = Counter()
    for appointment in _past(enrolment):
        note: SessionNote | None = getattr(appointment, "session_note", None)
        if note is not None:
            covered.update(note.modules)
            factors.update(note.risk_factors)
    out = []
    if covered:
        out.append(
            record.statement(
                "Modules covered: "
                + "; ".join(
                    f"{modules.get(code, code)} ({n} session{'s' if n != 1 else ''})" for code, n in covered.items()
                )
                + ".",
                kind="enrolment",
                id=enrolment.pk,
                label=label,
                path=path,
                part="modules",
            )
        )
    if factors:
        out.append(
            record.statement(
                "Risk factors worked on: " + ", ".join(code.replace("_", " ") for code in sorted(factors)) + ".",
                kind="enrolment",
                id=enrolment.pk,
                label=label,
                path=path,
                part="factors",
            )
        )
    for measure in enrolment.measures.all():
        out.append(
            record.statement(
                f"{measure.measure.replace('_', ' ').capitalize()}, {measure.get_stage_display().lower()} of "
                f"treatment ({date_gb(measure.taken_on)}): {measure.score.normalize()}.",
                kind="enrolment",
                id=enrolment.pk,
                label=label,
                path=path,
                part=f"measure:{measure.pk}",
            )
        )
    for notice in enrolment.notices.all():
        acknowledged = f", acknowledged {date_gb(notice.acknowledged_at)}" if notice.acknowledged_at else ""
        out.append(
            record.statement(
                f"Compliance notice to the supervising officer, {date_gb(notice.raised_at)}{acknowledged}.",
                kind="enrolment",
                id=enrolment.pk,
                label=label,
                path=path,
                part=f"notice:{notice.pk}",
            )
        )
    return out


def register() -> None:
    prefill.register_builder(sections.ATTENDANCE, _attendance)
    prefill.register_builder(sections.ABSENCES, _absences)
    prefill.register_builder(sections.ENGAGEMENT, _engagement)
