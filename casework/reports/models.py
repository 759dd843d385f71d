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

from casework.reports.choices import (
    DRAFT_TAG_COLOURS,
    OPEN_STATUSES,
    STATUS_TAG_COLOURS,
    DisclosureMethod,
    DraftStatus,
    LegalBasis,
    RecipientSide,
    ReportType,
    RequestStatus,
)

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


SECTION_BODY_LIMIT = 40000
COMMENT_LIMIT = 4000
CORRECTION_REASON_LIMIT = 2000
DISCLOSURE_NOTE_LIMIT = 2000


class Report(models.Model):
    """The report written for one request: its sections (``ReportSection``), every saved version
    (``ReportVersion``), review comments, the two sign-offs and what was issued (``IssuedReport``).

    A correction after issue reopens the same report: the next issue names the one it replaces."""

    request = models.OneToOneField(ReportRequest, on_delete=models.CASCADE, related_name="report")
    status = models.CharField(max_length=20, choices=DraftStatus.choices, default=DraftStatus.DRAFTING)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_signed_at = models.DateTimeField(null=True, blank=True)
    lead_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_signed_at = models.DateTimeField(null=True, blank=True)
    # The version the sign-offs were given to: saving after a sign-off withdraws it.
    signed_version = models.PositiveIntegerField(null=True, blank=True)
    # Set while a correction is being drafted: why, and which issue it will replace.
    correction_reason = models.TextField(blank=True, max_length=CORRECTION_REASON_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    AUDITED_FIELDS = ("status", "author_id", "lead_signed_by_id", "signed_version")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"report {self.pk}"

    @property
    def case(self):
        return self.request.case

    @property
    def is_editable(self) -> bool:
        return self.status == DraftStatus.DRAFTING

    @property
    def status_colour(self) -> str:
        return DRAFT_TAG_COLOURS.get(DraftStatus(self.status), "grey")


class ReportSection(models.Model):
    """One section of a report, in the author's words (Markdown, rendered and sanitised), beside
    the statements pre-filled from the record with where each came from (``statements``: a list of
    ``{"text", "source": {"kind", "id", "label", "path"}, "fingerprint"}``).

    Each section has its own ``row_version`` so that two people editing different sections never
    collide, and a stale save of the same section is refused with both texts kept."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=40)
    title = models.CharField(max_length=150)
    position = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True, max_length=SECTION_BODY_LIMIT)
    statements = models.JSONField(default=list, blank=True)
    prefilled_at = models.DateTimeField(null=True, blank=True)
    # Recipient sides (``RecipientSide``) this section is never issued to.
    withheld_from = models.JSONField(default=list, blank=True)
    row_version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["report", "key"], name="report_section_key_once")]

    def __str__(self) -> str:
        return f"{self.report.audit_label} section {self.key}"


class ReportVersion(models.Model):
    """Every saved state of a report's sections, numbered from 1: kept and comparable."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # [{"key", "title", "body", "withheld_from"}], in order.
    sections = models.JSONField(default=list)
    saved_at = models.DateTimeField(default=timezone.now)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # What made it: "started", "saved", "autosaved", "refreshed", "correction".
    reason = models.CharField(max_length=20, default="saved")

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_number_once")]

    def __str__(self) -> str:
        return f"{self.report.audit_label} version {self.number}"


class ReportComment(models.Model):
    """A reviewer's comment on a section of the draft, resolved by the author."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    section_key = models.CharField(max_length=40)
    body = models.TextField(max_length=COMMENT_LIMIT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.report.audit_label} comment {self.pk}"


def issued_path(instance: IssuedReport, filename: str) -> str:
    return f"reports/{instance.report.request.case_id}/{filename}"


class IssuedReport(models.Model):
    """A report as issued to one recipient: frozen PDF (signed, PAdES) and DOCX, never changed
    after they are written; each file's SHA-256 recorded. A correction is a later issue that
    names the one it replaces and why."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="issues")
    number = models.PositiveIntegerField(help_text="1 for the first issue, 2 for the first correction, …")
    version = models.ForeignKey(ReportVersion, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="replaced_by")
    correction_reason = models.TextField(blank=True, max_length=CORRECTION_REASON_LIMIT)
    recipient = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient_side = models.CharField(max_length=20, choices=RecipientSide.choices)
    recipient_name = models.CharField("Recipient (officer or court)", max_length=150, blank=True)
    pdf = models.FileField(upload_to=issued_path, max_length=200)
    pdf_sha256 = models.CharField(max_length=64)
    docx = models.FileField(upload_to=issued_path, max_length=200)
    docx_sha256 = models.CharField(max_length=64)
    # What redaction removed: [{"what": "address", "person": "PER-…", "count": 2}, {"section": key}];
    # never the values themselves.
    redactions = models.JSONField(default=list, blank=True)
    signer = models.CharField(max_length=300, blank=True, help_text="Subject of the signing certificate")
    issued_at = models.DateTimeField(default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="issued_report_number_once")]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"issued report {self.pk}"

    @property
    def case(self):
        return self.report.request.case


class DisclosureEntry(models.Model):
    """One release of a report or document outside the clinic: to whom, when, how, on what legal
    basis. Issuing writes one; every portal download writes one more."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="disclosures")
    issued_report = models.ForeignKey(
        IssuedReport, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures"
    )
    description = models.CharField(max_length=200)
    recipient = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=150, blank=True)
    method = models.CharField(max_length=20, choices=DisclosureMethod.choices)
    legal_basis = models.CharField(max_length=30, choices=LegalBasis.choices)
    note = models.TextField(blank=True, max_length=DISCLOSURE_NOTE_LIMIT)
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-released_at", "-id"]
        indexes = [models.Index(fields=["released_at"], name="disclosure_released_idx")]

    def __str__(self) -> str:
        return self.audit_label

    @property
    def audit_label(self) -> str:
        return f"disclosure {self.pk}"
