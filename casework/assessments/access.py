"""The assessments app's records, registered with the access rules (``casework.access``): an
assessment belongs to its case, and everything in it follows the assessment."""

from __future__ import annotations

from casework.access import registry
from casework.assessments.models import (
    Addendum,
    Assessment,
    InformationSource,
    Judgement,
    ManagementPlan,
    PlanAction,
    Review,
    RiskScenario,
)


def register() -> None:
    registry.register(Assessment, within=registry.CASE, path="case")
    for model in (Judgement, InformationSource, RiskScenario, Review, Addendum, ManagementPlan):
        registry.register(model, within=registry.CASE, path="assessment__case")
    registry.register(PlanAction, within=registry.CASE, path="plan__assessment__case")
