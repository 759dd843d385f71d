"""A consultation: an agency asks the clinic's advice on a problem case that has not reached court.

The request (one per consultation case: who asked, the question, the material they sent, the
advice given) and the meetings held about it. Both belong to the consultation case and follow its
access rules (``casework.access``): the case's team only. The advice letter itself is a report
(``casework.reports``, type "consultation"), issued through the reports engine onto the
disclosure register. A consultation that reaches court becomes a referral (``became_referral``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.consultations.choices import RequestStatus

NAME_LIMIT = 150
QUESTION_LIMIT = 3000
MATERIAL_LIMIT = 2000
ADVICE_LIMIT = 1500
ATTENDEES_LIMIT = 1000
MINUTES_LIMIT = 10000


class ConsultationRequest(models.Model):
    """What the agency asked, and the advice the clinic gave."""

    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="consultation_request")
    agency = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name="Agency asking"
    )
    officer_name = models.CharField("Officer asking", max_length=NAME_LIMIT)
    officer_email = models.EmailField("Officer's email address", max_length=254, blank=True)
    question = models.TextField("Question asked", max_length=QUESTION_LIMIT)
    material = models.TextField("Material provided", blank=True, max_length=MATERIAL_LIMIT)
    received_on = models.DateField("Date received")
    status = models.CharField(max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    advice_summary = models.TextField("Advice given", blank=True, max_length=ADVICE_LIMIT)
    advice_given_on = models.DateField("Date the advice was given", null=True, blank=True)
    became_referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_consultation",
        verbose_name="Became referral",
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "agency_id",
        "officer_name",
        "officer_email",
        "question",
        "material",
        "received_on",
        "status",
        "advice_summary",
        "advice_given_on",
        "became_referral_id",
    )
    EDITED_FIELDS = ("agency", "officer_name", "officer_email", "question", "material", "received_on")

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return "consultation request"


class ConsultationMeeting(models.Model):
    """A meeting held about the consultation: when, who was there, and its minutes."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="consultation_meetings")
    held_on = models.DateField("Date held")
    attendees = models.TextField("Attendees", max_length=ATTENDEES_LIMIT)
    minutes = models.TextField("Minutes", max_length=MINUTES_LIMIT)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("held_on", "attendees", "minutes")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"consultation meeting {self.pk}"
