"""The victim pathway: the safety plan agreed with a person who is stalked (kept as numbered
versions, never edited in place) and the messages the clinic sends them, each checked against the
plan's safe-contact terms before it is queued and again before it is sent (``contact``).

Both belong to the victim case and follow its access rules (``casework.access``): the case's team
only, behind the information barrier from the perpetrator side.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.victims.choices import Channel, MessageStatus

NOTES_LIMIT = 2000
NAME_LIMIT = 150
MESSAGE_LIMIT = 1200
ERROR_LIMIT = 300


class SafetyPlanVersion(models.Model):
    """One agreed version of a victim's safety plan. A change is a new version; the latest is the
    plan in force."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="safety_plans")
    number = models.PositiveIntegerField()
    # Safe contact
    channels = models.JSONField("Ways the clinic may contact them", default=list)
    preferred_channel = models.CharField("Preferred way", max_length=10, choices=Channel.choices, blank=True)
    contact_days = models.JSONField("Days contact is safe", default=list)
    contact_from = models.TimeField("Safe from")
    contact_until = models.TimeField("Safe until")
    may_name_clinic = models.BooleanField("Letters and messages may name the clinic", default=False)
    contact_notes = models.TextField("Notes on contact", blank=True, max_length=NOTES_LIMIT)
    # Advice and checks
    diary_advice_given = models.BooleanField("Incident diary advice given", default=False)
    evidence_advice_given = models.BooleanField("Evidence-keeping advice given", default=False)
    tracking_checked = models.BooleanField("Phone and car checked for tracking apps and devices", default=False)
    accounts_checked = models.BooleanField("Shared accounts and passwords reviewed", default=False)
    location_sharing_checked = models.BooleanField("Location sharing checked and switched off", default=False)
    # Agencies involved
    police_officer = models.CharField("Police officer in the case", max_length=NAME_LIMIT, blank=True)
    advocate = models.CharField("Independent stalking advocate", max_length=NAME_LIMIT, blank=True)
    marac_referred = models.BooleanField("Referred to MARAC", default=False)
    marac_on = models.DateField("Date of the MARAC referral", null=True, blank=True)
    # The plan itself
    agreed_on = models.DateField("Date agreed")
    review_on = models.DateField("Review date")
    notes = models.TextField("Other parts of the plan", blank=True, max_length=NOTES_LIMIT)
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = (
        "number",
        "channels",
        "preferred_channel",
        "contact_days",
        "contact_from",
        "contact_until",
        "may_name_clinic",
        "contact_notes",
        "diary_advice_given",
        "evidence_advice_given",
        "tracking_checked",
        "accounts_checked",
        "location_sharing_checked",
        "police_officer",
        "advocate",
        "marac_referred",
        "marac_on",
        "agreed_on",
        "review_on",
        "notes",
    )
    # The fields a version is compared on (everything agreed, not who recorded it or when).
    COMPARED_FIELDS = AUDITED_FIELDS[1:]

    class Meta:
        ordering = ["case", "-number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="safety_plan_version_once")]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"safety plan version {self.number}"


class VictimMessage(models.Model):
    """A letter, email or text message from the clinic to the person who is stalked, sent through
    GOV.UK Notify once the safety plan allows it (``tasks.send_message``)."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="victim_messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    text = models.TextField(max_length=MESSAGE_LIMIT)
    plan = models.ForeignKey(SafetyPlanVersion, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=MessageStatus.choices, default=MessageStatus.QUEUED)
    reference = models.CharField(max_length=64, unique=True)
    notify_id = models.CharField(max_length=64, blank=True)
    last_error = models.CharField(max_length=ERROR_LIMIT, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    send_after = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    AUDITED_FIELDS = ("channel", "status", "plan_id")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"message {self.pk} to the victim"
