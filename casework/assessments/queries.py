"""The only readers of assessments, scoped to the user through the access rules: a case's
assessments, one assessment with everything it holds (a fixed number of queries however many
items, sources or scenarios), the current judgements for the case page, judgements over time for
the chart, "what changed" between an assessment and the one it reassessed, and reviews due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from casework.access import policy
from casework.accounts.queries import clinicians
from casework.assessments.choices import LEVEL_RANK, OPEN_ACTION_STATUSES, AssessmentStatus, Level
from casework.assessments.definitions import Definition
from casework.assessments.models import Assessment, ManagementPlan, PlanAction
from casework.assessments.services import definition_of
from casework.cases.choices import ACTIVE_STATUSES, TeamRole


def assessments_visible_to(user) -> QuerySet[Assessment]:
    return policy.visible(user, Assessment)


def assessments_of_case(user, case) -> QuerySet[Assessment]:
    return (
        assessments_visible_to(user)
        .filter(case=case)
        .select_related("definition", "assessor", "signed_by")
        .prefetch_related("judgements")
    )


def assessment_for_page(user, case, pk: int) -> Assessment | None:
    """One of ``case``'s assessments with all it holds, or None if this user may not see it."""
    return (
        assessments_of_case(user, case)
        .select_related("previous", "updated_by")
        .prefetch_related(
            "co_assessors",
            "sources",
            "scenarios",
            "reviews__reviewer",
            "addenda__author",
        )
        .filter(pk=pk)
        .first()
    )


def team_clinicians(case) -> list:
    """The clinicians and clinical leads on ``case``'s team (who may assess with a colleague)."""
    return list(clinicians().filter(pk__in=case.team.values("user_id")).order_by("full_name"))


def source_of(assessment: Assessment, pk: int):
    return assessment.sources.filter(pk=pk).first()


def scenario_of(assessment: Assessment, pk: int):
    return assessment.scenarios.filter(pk=pk).first()


def plan_for_page(assessment: Assessment):
    """The assessment's plan with its actions (two queries), or None."""
    return (
        ManagementPlan.objects.filter(assessment=assessment)
        .select_related("created_by")
        .prefetch_related("actions")
        .first()
    )


def action_of(plan, pk: int):
    return plan.actions.filter(pk=pk).first()


def open_reassessment(assessment: Assessment) -> Assessment | None:
    return assessment.reassessments.exclude(status=AssessmentStatus.SIGNED).first()


# --- The case page and the chart ----------------------------------------------------------------


def current_judgements(case) -> list[str]:
    """The judgements of the case's latest signed assessment that judges outcomes, as the case page
    lists them ("Violence: moderate (signed 3 March 2026)"). Two queries."""
    latest = (
        Assessment.objects.filter(case=case, status=AssessmentStatus.SIGNED, judgements__level__gt="")
        .select_related("definition")
        .order_by("-signed_at", "-id")
        .first()
    )
    if latest is None:
        return []
    definition = definition_of(latest)
    labels = {j.outcome: j.label for j in definition.judgements}
    signed = f"{latest.signed_at:%-d %B %Y}" if latest.signed_at else ""
    return [
        f"{labels.get(j.outcome, j.outcome)}: {Level(j.level).label.lower()} (signed {signed})"
        for j in latest.judgements.all()
        if j.level
    ]


@dataclass
class Trend:
    outcome: str
    label: str
    points: list[tuple[dt.date, str]] = field(default_factory=list)  # (signed on, level)


def judgement_history(user, case) -> list[Trend]:
    """Each outcome's judgement across the case's signed assessments, oldest first (for the chart
    and its table). Two queries."""
    signed = assessments_of_case(user, case).filter(status=AssessmentStatus.SIGNED).order_by("signed_at", "id")
    trends: dict[str, Trend] = {}
    for assessment in signed:
        definition = definition_of(assessment)
        labels = {j.outcome: j.label for j in definition.judgements}
        for judgement in assessment.judgements.all():
            if not judgement.level or assessment.signed_at is None:
                continue
            trend = trends.setdefault(
                judgement.outcome, Trend(judgement.outcome, labels.get(judgement.outcome, judgement.outcome))
            )
            trend.points.append((assessment.signed_at.date(), judgement.level))
    return list(trends.values())


# --- What changed ---------------------------------------------------------------------------------


@dataclass
class Change:
    label: str
    before: str
    after: str
    note: str = ""  # the rationale or comment that goes with the new value


@dataclass
class Changes:
    items: list[Change]
    judgements: list[Change]
    unchanged_items: int


def _answer_text(definition: Definition, key: str, answer: dict[str, Any] | None) -> str:
    item = definition.items.get(key)
    if not answer or item is None:
        return "Not answered"
    text = item.label_of(answer.get("value"))
    if answer.get("relevance"):
        text += f", relevance {answer['relevance']}"
    return text


def what_changed(previous: Assessment, current: Assessment) -> Changes:
    """Item by item and judgement by judgement, what moved between ``previous`` and ``current``."""
    before_definition, after_definition = definition_of(previous), definition_of(current)
    items: list[Change] = []
    unchanged = 0
    keys = list(after_definition.items) + [k for k in before_definition.items if k not in after_definition.items]
    for key in keys:
        old, new = previous.answers.get(key), current.answers.get(key)
        old_text = _answer_text(before_definition, key, old)
        new_text = _answer_text(after_definition, key, new)
        if old_text == new_text:
            unchanged += 1
            continue
        item = after_definition.items.get(key) or before_definition.items[key]
        items.append(Change(item.label, old_text, new_text, (new or {}).get("comment", "")))
    judgements: list[Change] = []
    old_levels = {j.outcome: j for j in previous.judgements.all()}
    for judgement in current.judgements.all():
        old = old_levels.get(judgement.outcome)
        label = next(
            (j.label for j in after_definition.judgements if j.outcome == judgement.outcome), judgement.outcome
        )
        old_level = Level(old.level).label if old and old.level else "Not judged"
        new_level = Level(judgement.level).label if judgement.level else "Not judged"
        if old_level != new_level or (old and old.rationale != judgement.rationale):
            direction = ""
            if old and old.level and judgement.level:
                step = LEVEL_RANK[Level(judgement.level)] - LEVEL_RANK[Level(old.level)]
                direction = " (higher)" if step > 0 else " (lower)" if step < 0 else " (same level, new rationale)"
            judgements.append(Change(label, old_level, new_level + direction, judgement.rationale))
    return Changes(items=items, judgements=judgements, unchanged_items=unchanged)


# --- My work ----------------------------------------------------------------------------------------


def reviews_due(
    user, *, today: dt.date, within_days: int = 28, lead_clinician_only: bool = False
) -> QuerySet[Assessment]:
    """Signed assessments whose review date has come or comes within ``within_days`` (0: overdue
    only) and that no later assessment reassesses yet; ``lead_clinician_only``: of the cases the
    user is lead clinician of."""
    rows = (
        assessments_visible_to(user)
        .filter(
            status=AssessmentStatus.SIGNED,
            review_due_on__isnull=False,
            review_due_on__lte=today + dt.timedelta(days=within_days),
            case__status__in=ACTIVE_STATUSES,
        )
        .exclude(reassessments__isnull=False)
    )
    if within_days == 0:
        rows = rows.filter(review_due_on__lt=today)
    if lead_clinician_only:
        rows = rows.filter(case__team__user=user, case__team__role=TeamRole.LEAD_CLINICIAN)
    return rows.select_related("case", "definition").order_by("review_due_on", "id")


def awaiting_sign_off(user) -> QuerySet[Assessment]:
    """Submitted assessments this user may review (not their own)."""
    return (
        assessments_visible_to(user)
        .filter(status=AssessmentStatus.SUBMITTED)
        .exclude(assessor=user)
        .exclude(co_assessors=user)
        .select_related("case", "definition", "assessor")
        .order_by("submitted_at", "id")
    )


def my_drafts(user) -> QuerySet[Assessment]:
    """Assessments this user started that are in draft or came back with comments."""
    return (
        assessments_visible_to(user)
        .filter(assessor=user, status__in=[AssessmentStatus.DRAFT, AssessmentStatus.RETURNED])
        .select_related("case", "definition")
        .order_by("-status", "updated_at", "id")
    )


def actions_overdue(user, *, today: dt.date, on_my_cases: bool = True) -> QuerySet:
    """Open plan actions past their due date, on the open cases the user is on the team of (or,
    ``on_my_cases=False``, on every case the user may see)."""
    rows = (
        policy.visible(user, PlanAction)
        .filter(status__in=OPEN_ACTION_STATUSES, due_on__lt=today, plan__assessment__case__status__in=ACTIVE_STATUSES)
        .select_related("plan__assessment__case")
        .order_by("due_on", "id")
    )
    if on_my_cases:
        rows = rows.filter(plan__assessment__case__team__user=user)
    return rows
