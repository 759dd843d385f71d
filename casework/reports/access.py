"""The reports app's records, registered with the access rules (``casework.access``): a report
request, its report, sections, versions, comments, issues and disclosures all belong to the case."""

from __future__ import annotations

from casework.access import registry
from casework.reports.models import (
    DisclosureEntry,
    IssuedReport,
    Report,
    ReportComment,
    ReportRequest,
    ReportSection,
    ReportVersion,
)


def register() -> None:
    registry.register(ReportRequest, within=registry.CASE, path="case")
    registry.register(Report, within=registry.CASE, path="request__case")
    registry.register(ReportSection, within=registry.CASE, path="report__request__case")
    registry.register(ReportVersion, within=registry.CASE, path="report__request__case")
    registry.register(ReportComment, within=registry.CASE, path="report__request__case")
    registry.register(IssuedReport, within=registry.CASE, path="report__request__case")
    registry.register(DisclosureEntry, within=registry.CASE, path="case")
