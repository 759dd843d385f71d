"""Treatment of the person who stalks (issue 14): programmes defined as data, enrolments resting on
a legal basis (an order of the case), the diary of appointments with attendance and session notes,
compliance notices to the supervising officer, outcome measures, discharge and follow-up.

Every record belongs to a case (``access.register``): the case's access rules decide who sees it.
Rooms are the clinic's own (no personal data)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from casework.treatment.choices import (
    AppointmentKind,
    Attendance,
    EnrolmentStatus,
    FollowUpPoint,
    LegalBasis,
    NoticeChannel,
    NoticeStatus,
    PlaceKind,
)

OFFICER_NAME_LIMIT = 150
REASON_LIMIT = 2000
PLACE_LIMIT = 200
SESSION_NOTE_LIMIT = 20000
FOLLOW_UP_NOTE_LIMIT = 2000


class KeptProgramme(models.Model):
    """A programme definition as it was when someone was enrolled in it (``programmes/*.json``):
    its modules, planned number of sessions and outcome measures. Kept by content hash, so a later
    edit of the file never changes what an enrolment followed."""

    code = models.CharField(max_length=50)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    content = models.JSONField()
    content_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["code", "version"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"


class Enrolment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="enrolments")
    programme = models.ForeignKey(KeptProgramme, on_delete=models.PROTECT, related_name="+")
    legal_basis = models.CharField("Legal basis", max_length=30, choices=LegalBasis.choices)
    order = models.ForeignKey(
        "cases.LegalOrder",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="The order it rests on",
    )
    supervising_agency = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Supervising agency",
    )
    supervising_officer_name = models.CharField("Supervising officer", max_length=OFFICER_NAME_LIMIT, blank=True)
    supervising_officer_email = models.EmailField("Supervising officer's email address", max_length=254, blank=True)
    starts_on = models.DateField("Start date")
    ends_on = models.DateField("Planned end date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=EnrolmentStatus.choices, default=EnrolmentStatus.ACTIVE)
    discharged_on = models.DateField(null=True, blank=True)
    discharge_reason = models.TextField("Reason", blank=True, max_length=REASON_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "programme_id",
        "legal_basis",
        "order_id",
        "supervising_agency_id",
        "supervising_officer_name",
        "supervising_officer_email",
        "starts_on",
        "ends_on",
        "status",
        "discharged_on",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"enrolment {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status == EnrolmentStatus.ACTIVE


class Room(models.Model):
    """A room the clinic books (its own premises); no personal data."""

    name = models.CharField(max_length=100, unique=True)
    site = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Appointment(models.Model):
    """An assessment or treatment session in the diary: who sees the client, where, when, for how
    long; then what happened (attendance) and the session's note."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="appointments")
    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, null=True, blank=True, related_name="appointments"
    )
    kind = models.CharField(max_length=20, choices=AppointmentKind.choices)
    clinician = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appointments")
    place_kind = models.CharField("Place", max_length=20, choices=PlaceKind.choices)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="appointments")
    place_detail = models.CharField(
        "Where", max_length=PLACE_LIMIT, blank=True, help_text="The prison or facility, for a visit"
    )
    starts_at = models.DateTimeField("Start")
    minutes = models.PositiveSmallIntegerField("Length in minutes", default=60)
    ends_at = models.DateTimeField(editable=False)
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.BOOKED)
    cancellation_reason = models.TextField("Reason", blank=True, max_length=REASON_LIMIT)
    reason_acceptable = models.BooleanField("Reason acceptable", null=True, blank=True)
    attendance_recorded_at = models.DateTimeField(null=True, blank=True)
    attendance_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invitation_sent_at = models.DateTimeField(null=True, blank=True)
    # The reminder sent to the client before the appointment (``tasks.remind_appointment``).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "kind",
        "clinician_id",
        "place_kind",
        "room_id",
        "starts_at",
        "minutes",
        "attendance",
        "reason_acceptable",
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["clinician", "starts_at"], name="appointment_clinician_idx"),
            models.Index(fields=["room", "starts_at"], name="appointment_room_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gte=5) & Q(minutes__lte=480), name="appointment_length_sane"),
        ]

    def __str__(self) -> str:
        return self.audit_label

    def save(self, *args, **kwargs) -> None:
        # Where the appointment ends, kept beside where it starts so clashes are one indexed query.
        self.ends_at = self.starts_at + dt.timedelta(minutes=self.minutes)
        super().save(*args, **kwargs)

    @property
    def audit_label(self) -> str:
        return f"appointment {self.pk}"


class SessionNote(models.Model):
    """What a treatment session covered: the programme's modules and the dynamic risk factors
    addressed; its text is also a case note (``case_note``), so the clinical record is one."""

    appointment = models.OneToOneField(Appointment, on_delete=models.CASCADE, related_name="session_note")
    modules = models.JSONField(default=list, blank=True)
    risk_factors = models.JSONField(default=list, blank=True)
    # The case note that holds the session's text (cases.CaseNote, which is never deleted). Kept as
    # its id, not a foreign key, so that this app's first migration depends only on the cases app's
    # first (the migrations roll back app by app: core/tests/test_migrations_reversible.py).
    case_note_id = models.PositiveBigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"session note {self.pk}"


class ComplianceNotice(models.Model):
    """A notice to the supervising officer that the client is not complying (raised by the
    compliance rule), sent through GOV.UK Notify and tracked until the officer acknowledges it.
    ``idempotency_key`` makes a retried send the same notification, never a second one."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="notices")
    reason = models.TextField(max_length=REASON_LIMIT)
    absences = models.ManyToManyField(Appointment, blank=True, related_name="+")
    channel = models.CharField(max_length=10, choices=NoticeChannel.choices)
    status = models.CharField(max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.PENDING)
    notify_id = models.CharField(max_length=64, blank=True)
    idempotency_key = models.CharField(max_length=64, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    raised_at = models.DateTimeField(default=timezone.now)
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.CharField(max_length=OFFICER_NAME_LIMIT, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"compliance notice {self.pk}"


class OutcomeMeasure(models.Model):
    """A score on one of the programme's outcome measures, before, during or after treatment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="measures")
    measure = models.CharField(max_length=50)
    stage = models.CharField(max_length=10, choices=[("start", "Start"), ("middle", "Middle"), ("end", "End")])
    score = models.DecimalField(max_digits=7, decimal_places=2)
    taken_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["measure", "taken_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "measure", "stage"], name="outcome_measure_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.stage}"


class FollowUp(models.Model):
    """Follow-up after discharge, at 6, 12 and 24 months: re-referral, further stalking reported,
    reconviction. Made due when the enrolment ends; recorded when done."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="follow_ups")
    point = models.PositiveSmallIntegerField(choices=FollowUpPoint.choices)
    due_on = models.DateField()
    done_on = models.DateField(null=True, blank=True)
    re_referred = models.BooleanField("Re-referred to the clinic", null=True, blank=True)
    further_stalking = models.BooleanField("Further stalking reported", null=True, blank=True)
    reconvicted = models.BooleanField("Reconvicted", null=True, blank=True)
    notes = models.TextField(blank=True, max_length=FOLLOW_UP_NOTE_LIMIT)
    # When the lead clinician was reminded that it fell due (``tasks.remind_follow_up``).
    reminded_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["enrolment", "point"], name="follow_up_once_per_point")]

    def __str__(self) -> str:
        return f"follow-up at {self.point} months"
