from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from casework.referrals.choices import (
    SCAN_HELD,
    SCAN_TAG_COLOUR,
    Channel,
    Decision,
    DocumentKind,
    LegalStatus,
    Offence,
    Order,
    PartyRole,
    ScanStatus,
    Service,
    Setting,
    Status,
    SubjectRole,
)


class Referral(models.Model):
    """A request from an agency for the clinic's work: where every piece of work starts.

    Subject and named parties are held as the referrer gave them (free text); the people
    work links them to person records.
    """

    reference = models.CharField(max_length=20, blank=True, help_text="REF-2026-00042; given on submission")
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True)
    received_via = models.CharField("How it arrived", max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField("Date and time received", null=True, blank=True, db_index=True)

    # Who referred
    referring_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="referrals"
    )
    referrer_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The agency user who submitted it through the portal",
    )
    referrer_name = models.CharField("Referring officer", max_length=150)
    referrer_job_title = models.CharField("Job title", max_length=150, blank=True)
    referrer_email = models.EmailField("Email address", blank=True)
    referrer_phone = models.CharField("Telephone number", max_length=30, blank=True)

    # The subject
    subject_role = models.CharField(max_length=20, choices=SubjectRole.choices, blank=True)
    subject_given_name = models.CharField("Given name", max_length=100, blank=True)
    subject_family_name = models.CharField("Family name", max_length=100, blank=True)
    subject_date_of_birth = models.DateField("Date of birth", null=True, blank=True)
    subject_details = models.TextField(
        "Other details about the subject",
        blank=True,
        max_length=2000,
        help_text="Other names, address, NHS number or PNC ID, as the referrer gave them",
    )

    # The behaviour
    behaviour_summary = models.TextField("Stalking, harassment or threat behaviour", blank=True, max_length=5000)
    behaviour_duration = models.CharField("How long it has gone on", max_length=100, blank=True)
    stalking_significant = models.BooleanField(
        "Stalking, harassment or threat is a significant part of the case", null=True, blank=True
    )

    # Legal position
    legal_status = models.CharField(max_length=30, choices=LegalStatus.choices, blank=True)
    offences = models.JSONField(default=list, blank=True)
    other_offences = models.CharField("Other offences", max_length=300, blank=True)
    orders_in_force = models.JSONField(default=list, blank=True)

    # Where an assessment would happen
    assessment_setting = models.CharField(max_length=30, choices=Setting.choices, blank=True)
    custody_establishment = models.CharField("Prison or establishment", max_length=150, blank=True)
    prison_number = models.CharField(max_length=20, blank=True)
    facility_name = models.CharField("Mental health facility", max_length=150, blank=True)

    # Key dates
    next_hearing_on = models.DateField("Next court hearing", null=True, blank=True)
    report_due_on = models.DateField("Report needed by", null=True, blank=True, db_index=True)
    parole_hearing_on = models.DateField("Parole hearing", null=True, blank=True)

    # Funding
    commissioner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commissioned_referrals",
        verbose_name="Commissioning organisation",
    )
    purchase_order = models.CharField("Purchase order number", max_length=50, blank=True)
    contract_reference = models.CharField(max_length=50, blank=True)

    # Screening
    decision = models.CharField(max_length=30, choices=Decision.choices, blank=True)
    decision_reason = models.TextField(blank=True, max_length=4000)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted_services = models.JSONField(default=list, blank=True)
    information_requested_at = models.DateTimeField(null=True, blank=True)

    # Allocation
    lead_clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="lead_referrals"
    )
    second_assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="second_assessor_referrals",
    )
    allocated_at = models.DateTimeField(null=True, blank=True)

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    portal_step = models.CharField(max_length=40, blank=True, help_text="Where a portal draft was left")
    as_sent = models.JSONField(
        default=list,
        blank=True,
        editable=False,
        help_text="What the referrer sent, as received: the portal shows the agency this, never later staff edits",
    )

    AUDITED_FIELDS = (
        "status",
        "received_via",
        "received_at",
        "referring_organisation_id",
        "referrer_name",
        "referrer_job_title",
        "referrer_email",
        "referrer_phone",
        "subject_role",
        "subject_given_name",
        "subject_family_name",
        "subject_date_of_birth",
        "subject_details",
        "behaviour_summary",
        "behaviour_duration",
        "stalking_significant",
        "legal_status",
        "offences",
        "other_offences",
        "orders_in_force",
        "assessment_setting",
        "custody_establishment",
        "prison_number",
        "facility_name",
        "next_hearing_on",
        "report_due_on",
        "parole_hearing_on",
        "commissioner_id",
        "purchase_order",
        "contract_reference",
        "decision",
        "decision_reason",
        "accepted_services",
        "lead_clinician_id",
        "second_assessor_id",
    )
    # The trail keeps lists of choices; never the subject's date of birth (audit.services.records_value).
    AUDIT_VALUES_RECORDED = (
        "offences",
        "orders_in_force",
        "accepted_services",
        # The referring officer is a professional, not a client.
        "referrer_name",
        "referrer_job_title",
        "referrer_email",
        "referrer_phone",
    )
    AUDIT_VALUES_WITHHELD = ("subject_date_of_birth",)
    # Lists of choices the trail keeps, shown in the access review by their labels.
    AUDIT_VALUE_LABELS = {
        "offences": Offence.choices,
        "orders_in_force": Order.choices,
        "accepted_services": Service.choices,
    }

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="referral_reference_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "received_at"], name="referral_status_received_idx"),
            models.Index(fields=["referring_organisation", "status"], name="referral_org_status_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft referral {self.pk}"

    @property
    def audit_label(self) -> str:
        return self.reference or f"draft referral {self.pk}"

    @property
    def subject_name(self) -> str:
        return " ".join(part for part in (self.subject_given_name, self.subject_family_name) if part) or "Not given"

    @property
    def services(self) -> list[str]:
        """The services requested, in the vocabulary's order (needs prefetch of requested_services)."""
        chosen = {row.service for row in self.requested_services.all()}
        return [s.value for s in Service if s.value in chosen]

    # --- Waiting-time clocks ---------------------------------------------------------------

    def days_to_decision(self, today: dt.date | None = None) -> int | None:
        """Days from receipt to the screening decision (or to today, while undecided)."""
        if not self.received_at:
            return None
        end = timezone.localdate(self.decided_at) if self.decided_at else (today or timezone.localdate())
        return (end - timezone.localdate(self.received_at)).days

    def days_to_allocation(self, today: dt.date | None = None) -> int | None:
        if not self.received_at:
            return None
        end = timezone.localdate(self.allocated_at) if self.allocated_at else (today or timezone.localdate())
        return (end - timezone.localdate(self.received_at)).days


class RequestedService(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="requested_services")
    service = models.CharField(max_length=30, choices=Service.choices, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["referral", "service"], name="requested_service_unique")]

    def __str__(self) -> str:
        return Service(self.service).label


class NamedParty(models.Model):
    """Another person the referral names (a victim, a family member …), as free text."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="named_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices)
    name = models.CharField(max_length=200)
    relationship_to_subject = models.CharField(max_length=200, blank=True)
    details = models.TextField(blank=True, max_length=2000, help_text="Other details as given: age, address, contact")

    AUDITED_FIELDS = ("role", "name", "relationship_to_subject", "details")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        # Never the name: this may reach logs.
        return f"Named party {self.pk}"


class Transition(models.Model):
    """One change of a referral's status: who, when, why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=30, choices=Status.choices)
    to_status = models.CharField(max_length=30, choices=Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True, max_length=4000)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{Status(self.from_status).label} to {Status(self.to_status).label}"


def document_path(instance: ReferralDocument, filename: str) -> str:
    # Content-addressed: the stored name is the SHA-256 of the bytes, never the uploaded name.
    return f"referrals/{instance.sha256[:2]}/{instance.sha256}"


class ReferralDocument(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=30, choices=DocumentKind.choices)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to=document_path, max_length=200)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    scan_status = models.CharField(
        max_length=20,
        choices=ScanStatus.choices,
        default=ScanStatus.NOT_SCANNED,
        help_text="Pending and infected documents cannot be downloaded",
    )
    scanned_at = models.DateTimeField(null=True, blank=True)
    scan_signature = models.CharField(max_length=200, blank=True, help_text="What the scanner found")

    AUDITED_FIELDS = ("kind", "original_name", "content_type", "size", "sha256", "scan_status", "scan_signature")
    # The file's name may name someone; its type, size, hash and what the scanner found do not.
    AUDIT_VALUES_RECORDED = ("content_type", "sha256", "scan_signature")

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"{self.referral.audit_label} document {self.pk}"

    @property
    def held(self) -> bool:
        """Not downloadable: not yet scanned, or quarantined."""
        return self.scan_status in SCAN_HELD

    @property
    def scan_tag_colour(self) -> str:
        return SCAN_TAG_COLOUR.get(self.scan_status, "grey")


class DeliveryStatus(models.TextChoices):
    NOT_SENT = "not_sent", "Not sent"
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent to GOV.UK Notify"
    DELIVERED = "delivered", "Delivered by email"
    POSTED = "posted", "Sent by post"
    FAILED = "failed", "Not delivered"
    NO_ADDRESS = "no_address", "Not sent: no email or postal address"


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", "Email"
    POST = "post", "Post"


class Letter(models.Model):
    """A letter issued to the referrer (acceptance, decline, request for information), kept as sent."""

    class Kind(models.TextChoices):
        DECLINE = "decline", "Decline letter"
        INFORMATION_REQUEST = "information_request", "Request for more information"
        ACCEPTANCE = "acceptance", "Acceptance letter"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    body_html = models.TextField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    # Sending through GOV.UK Notify (casework.referrals.tasks.send_letter): how, Notify's id for it,
    # and what Notify last said about it.
    delivery_status = models.CharField(max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.NOT_SENT)
    delivery_channel = models.CharField(max_length=10, choices=DeliveryChannel.choices, blank=True)
    notify_id = models.CharField(max_length=36, blank=True)
    delivery_updated_at = models.DateTimeField(null=True, blank=True)
    # When it was handed to Notify, that is released outside the clinic: the disclosure register
    # (``casework.reports.register_queries``) lists every sent letter from this moment.
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"{self.referral.audit_label} letter {self.pk}"
