"""A report request: one instruction to write a report about a case (issue 13, "Report requests").

Created from the services a referral asked for and the clinic accepted (``source_referral`` says
which referral; the case's ``CaseService`` rows hold them), or added later by hand. The letter of
instruction is a document already uploaded with the referral (``referrals.ReferralDocument`` of
kind ``letter_of_instruction``): no second upload path."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from casework.reports.choices import OPEN_STATUSES, STATUS_TAG_COLOURS, ReportType, RequestStatus

QUESTIONS_LIMIT = 6000


class ReportRequest(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="report_requests")
    report_type = models.CharField("Type of report", max_length=30, choices=ReportType.choices)
    instructing_party = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Instructing party",
    )
    instructing_officer_name = models.CharField("Instructing officer", max_length=150, blank=True)
    instructing_officer_email = models.EmailField("Instructing officer's email address", max_length=254, blank=True)
    questions = models.TextField("Questions asked", blank=True, max_length=QUESTIONS_LIMIT)
    due_on = models.DateField("Due date", null=True, blank=True)
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.REQUESTED)
    letter_of_instruction = models.ForeignKey(
        "referrals.ReferralDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Letter of instruction",
    )
    source_referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="Carried from referral",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "report_type",
        "instructing_party_id",
        "instructing_officer_name",
        "instructing_officer_email",
        "questions",
        "due_on",
        "status",
        "letter_of_instruction_id",
        "source_referral_id",
    )

    class Meta:
        ordering = [F("due_on").asc(nulls_last=True), "id"]
        constraints = [
            # requests_from_case never makes a second request of one type from one referral.
            models.UniqueConstraint(
                fields=["case", "report_type", "source_referral"],
                condition=Q(source_referral__isnull=False),
                name="report_request_once_per_referral",
            ),
        ]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"report request {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def status_colour(self) -> str:
        return STATUS_TAG_COLOURS.get(RequestStatus(self.status), "grey")
