from __future__ import annotations

from django.db import models

from casework.core.workflow import Workflow


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for review"
    RETURNED = "returned", "Returned with comments"
    SIGNED = "signed", "Signed off"


ASSESSMENT_WORKFLOW = Workflow(
    "assessment",
    AssessmentStatus,
    {
        AssessmentStatus.DRAFT: {AssessmentStatus.SUBMITTED},
        AssessmentStatus.SUBMITTED: {AssessmentStatus.RETURNED, AssessmentStatus.SIGNED},
        AssessmentStatus.RETURNED: {AssessmentStatus.SUBMITTED},
    },
)


class AssessmentSetting(models.TextChoices):
    CUSTODY = "custody", "In custody"
    COMMUNITY = "community", "In the community"
    MENTAL_HEALTH_FACILITY = "mental_health_facility", "In a mental health facility"


class Level(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


LEVEL_RANK = {Level.LOW: 1, Level.MODERATE: 2, Level.HIGH: 3}


class Imminence(models.TextChoices):
    DAYS = "days", "Within days"
    WEEKS = "weeks", "Within weeks"
    MONTHS = "months", "Within months"
    LONGER = "longer", "Not for months or longer"
    ON_RELEASE = "on_release", "On release or when a condition ends"


class SourceKind(models.TextChoices):
    INTERVIEW = "interview", "Interview"
    RECORDS = "records", "Records read"
    COLLATERAL = "collateral", "Collateral contact"


class ReviewDecision(models.TextChoices):
    RETURNED = "returned", "Returned with comments"
    SIGNED = "signed", "Signed off"


class PlanArea(models.TextChoices):
    """The four headings of a risk management plan (structured professional judgement)."""

    MONITORING = "monitoring", "Monitoring"
    SUPERVISION = "supervision", "Supervision"
    TREATMENT = "treatment", "Treatment"
    VICTIM_SAFETY = "victim_safety", "Victim safety planning"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    NOT_DONE = "not_done", "Not done"


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
