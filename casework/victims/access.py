"""The victim pathway's records, registered with the access rules (``casework.access``): each
belongs to its (victim) case."""

from __future__ import annotations

from casework.access import registry
from casework.victims.models import SafetyPlanVersion, VictimMessage


def register() -> None:
    registry.register(SafetyPlanVersion, within=registry.CASE, path="case")
    registry.register(VictimMessage, within=registry.CASE, path="case")
