"""Structured assessments of a case: the instrument as it was, the answers, the summary judgements,
the sources of information, risk scenarios, review and sign-off, and addenda after sign-off.

An assessment keeps the definition it was made with (``KeptDefinition``: the expanded content and
its hash), so a changed definition file never changes it. Answers are one JSON object keyed by item
(``{"explicit_threats": {"value": "present", "relevance": "high", "comment": "…"}}``): an assessment
is read and written whole, and its page costs the same queries however many items it has. The
judgements are rows, because they are charted across reassessments and counted by the insights.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from casework.assessments.choices import (
    ActionStatus,
    AssessmentSetting,
    AssessmentStatus,
    Imminence,
    Level,
    PlanArea,
    ReviewDecision,
    SourceKind,
)


class KeptDefinition(models.Model):
    """An instrument definition exactly as assessments used it, kept once per content hash."""

    code = models.CharField(max_length=50)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=300)
    content_hash = models.CharField(max_length=64, unique=True)
    content = models.JSONField()
    kept_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-kept_at"]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class Assessment(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="assessments")
    definition = models.ForeignKey(KeptDefinition, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    setting = models.CharField(max_length=30, choices=AssessmentSetting.choices)
    establishment = models.CharField(
        "Establishment", max_length=200, blank=True, help_text="The prison, court cells or hospital, where relevant"
    )
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    co_assessors = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reassessments")
    answers = models.JSONField(default=dict, blank=True)
    review_due_on = models.DateField("Review date", null=True, blank=True)
    # Optimistic locking: every save of the draft names the version it started from.
    row_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_hash = models.CharField(max_length=64, blank=True)

    AUDITED_FIELDS = ("status", "setting", "establishment", "review_due_on", "previous_id")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["case", "status"], name="assessment_case_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=AssessmentStatus.SIGNED) & Q(signed_at__isnull=False) & ~Q(signed_hash=""))
                | (~Q(status=AssessmentStatus.SIGNED) & Q(signed_at__isnull=True) & Q(signed_hash="")),
                name="assessment_signed_has_time_and_hash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.definition.title}, {self.case.reference}"

    @property
    def audit_label(self) -> str:
        return f"assessment {self.pk} ({self.definition.code})"

    @property
    def is_signed(self) -> bool:
        return self.status == AssessmentStatus.SIGNED

    @property
    def is_editable(self) -> bool:
        return self.status in (AssessmentStatus.DRAFT, AssessmentStatus.RETURNED)


class Judgement(models.Model):
    """A summary judgement of one outcome (violence, persistence, …), with its rationale."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="judgements")
    outcome = models.CharField(max_length=50)
    level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    rationale = models.TextField(blank=True, max_length=6000)

    AUDITED_FIELDS = ("outcome", "level", "rationale")

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "outcome"], name="judgement_once_per_outcome")]

    def __str__(self) -> str:
        return f"{self.outcome}: {self.level or 'not judged'}"


class InformationSource(models.Model):
    """What the assessment rests on: an interview, records read, or a collateral contact."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    description = models.CharField(
        max_length=300, help_text="Who was interviewed or contacted, or which records were read"
    )
    place = models.CharField(max_length=200, blank=True)
    occurred_on = models.DateField("Date", null=True, blank=True)
    minutes = models.PositiveIntegerField("Length in minutes", null=True, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("kind", "description", "place", "occurred_on", "minutes")

    class Meta:
        ordering = ["assessment", "occurred_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"


class RiskScenario(models.Model):
    """A plausible future: what might happen, how serious, how soon, how often, how likely."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scenarios")
    nature = models.TextField("What might happen", max_length=3000)
    severity = models.CharField(max_length=10, choices=Level.choices)
    imminence = models.CharField("How soon", max_length=20, choices=Imminence.choices)
    frequency = models.CharField("How often", max_length=300, blank=True)
    likelihood = models.CharField(max_length=10, choices=Level.choices)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    AUDITED_FIELDS = ("nature", "severity", "imminence", "frequency", "likelihood")

    class Meta:
        ordering = ["assessment", "id"]

    def __str__(self) -> str:
        return f"Scenario {self.pk}: {self.severity} severity, {self.likelihood} likelihood"


class Review(models.Model):
    """A clinical lead's review of a submitted assessment: returned with comments, or signed off."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="reviews")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    comments = models.TextField(blank=True, max_length=6000)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ("decision", "comments")

    class Meta:
        ordering = ["assessment", "reviewed_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} {self.reviewed_at:%Y-%m-%d}"


class Addendum(models.Model):
    """A later correction or addition to a signed assessment, with its own author and time."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(max_length=6000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ("text",)

    class Meta:
        ordering = ["assessment", "written_at", "id"]
        verbose_name_plural = "addenda"

    def __str__(self) -> str:
        return f"Addendum {self.pk}"


class ManagementPlan(models.Model):
    """The risk management plan that answers one signed assessment. A reassessment's plan starts
    from the open actions of the plan before it, so each version stays with the assessment it
    answers."""

    assessment = models.OneToOneField(Assessment, on_delete=models.PROTECT, related_name="plan")
    review_on = models.DateField("Review date")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    AUDITED_FIELDS = ("review_on",)

    def __str__(self) -> str:
        return f"Plan for assessment {self.assessment_id}"


class PlanAction(models.Model):
    plan = models.ForeignKey(ManagementPlan, on_delete=models.CASCADE, related_name="actions")
    area = models.CharField(max_length=20, choices=PlanArea.choices)
    description = models.TextField("Action", max_length=2000)
    agency = models.CharField("Responsible agency", max_length=200)
    person = models.CharField("Named person", max_length=150)
    due_on = models.DateField("Due date")
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    AUDITED_FIELDS = ("area", "description", "agency", "person", "due_on", "status")

    class Meta:
        ordering = ["plan", "area", "due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="plan_action_status_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_area_display()}: due {self.due_on}"
