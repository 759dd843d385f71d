"""The treatment app's records, registered with the access rules (``casework.access``): each
belongs to its case."""

from __future__ import annotations

from casework.access import registry
from casework.treatment.models import (
    Appointment,
    ComplianceNotice,
    Enrolment,
    FollowUp,
    OutcomeMeasure,
    SessionNote,
)


def register() -> None:
    registry.register(Enrolment, within=registry.CASE, path="case")
    registry.register(Appointment, within=registry.CASE, path="case")
    registry.register(SessionNote, within=registry.CASE, path="appointment__case")
    registry.register(ComplianceNotice, within=registry.CASE, path="enrolment__case")
    registry.register(OutcomeMeasure, within=registry.CASE, path="enrolment__case")
    registry.register(FollowUp, within=registry.CASE, path="enrolment__case")
