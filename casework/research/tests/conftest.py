from __future__ import annotations

import pytest
import time_machine

from casework.insights.tests.builders import NOON, build_service


@pytest.fixture
def service(cast):
    with time_machine.travel(NOON, tick=False):
        return build_service(cast)


@pytest.fixture
def approved(cast):
    """A row-level extract asked for by the researcher and approved by the clinical lead."""
    from casework.research import services

    found = services.extract_request(
        by=cast.researcher,
        kind="cases",
        purpose="Treatment outcomes and reoffending by stalker type",
        approval_reference="IRAS 312456",
    )
    return services.extract_decide(research_extract=found, by=cast.clinical_lead, approve=True)
