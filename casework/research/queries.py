"""Which research extracts a user sees: a researcher their own, a clinical lead all of them."""

from __future__ import annotations

from django.db.models import QuerySet

from casework.accounts.rules import is_clinical_lead, is_researcher
from casework.research.models import ExtractStatus, ResearchExtract


def extracts_visible_to(user) -> QuerySet[ResearchExtract]:
    found = ResearchExtract.objects.select_related("requested_by", "decided_by")
    if is_clinical_lead.test(user):
        return found
    if is_researcher.test(user):
        return found.filter(requested_by=user)
    return found.none()


def waiting_for_approval(user) -> QuerySet[ResearchExtract]:
    """Requests a clinical lead may decide (not their own)."""
    if not is_clinical_lead.test(user):
        return ResearchExtract.objects.none()
    return extracts_visible_to(user).filter(status=ExtractStatus.REQUESTED).exclude(requested_by=user)
