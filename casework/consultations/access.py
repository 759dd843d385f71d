"""The consultation's records, registered with the access rules (``casework.access``): each
belongs to its (consultation) case."""

from __future__ import annotations

from casework.access import registry
from casework.consultations.models import ConsultationMeeting, ConsultationRequest


def register() -> None:
    registry.register(ConsultationRequest, within=registry.CASE, path="case")
    registry.register(ConsultationMeeting, within=registry.CASE, path="case")
