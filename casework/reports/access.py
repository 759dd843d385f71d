"""The reports app's records, registered with the access rules (``casework.access``): a report
request belongs to its case."""

from __future__ import annotations

from casework.access import registry
from casework.reports.models import ReportRequest


def register() -> None:
    registry.register(ReportRequest, within=registry.CASE, path="case")
