"""The research extracts the authorisation matrix asks about: one waiting for a decision and one
approved, both asked for by ``cast.researcher``."""

from __future__ import annotations

from typing import Any


def research_overrides(cast) -> dict[str, dict[str, Any]]:
    from casework.research import services

    waiting = services.extract_request(
        by=cast.researcher,
        kind="cases",
        purpose="Outcomes of treatment for stalking, by stalker type",
        approval_reference="IRAS 312456",
    )
    approved = services.extract_request(
        by=cast.researcher,
        kind="summary",
        purpose="Referral patterns by agency over the last two years",
        approval_reference="24/NW/0123",
    )
    services.extract_decide(research_extract=approved, by=cast.clinical_lead, approve=True)
    # An extract is downloaded once: the production crawl asks for both files in one world, so the
    # Excel file is of a second approved extract.
    approved_too = services.extract_request(
        by=cast.researcher,
        kind="summary",
        purpose="Referral patterns by agency over the last two years",
        approval_reference="24/NW/0124",
    )
    services.extract_decide(research_extract=approved_too, by=cast.clinical_lead, approve=True)
    return {
        "research:extract_detail": {"pk": approved.pk},
        "research:extract_decide": {"pk": waiting.pk},
        "research:download_csv": {"pk": approved.pk},
        "research:download_xlsx": {"pk": approved_too.pk},
    }
