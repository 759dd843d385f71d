"""The assessments tests use the cases tests' small world (``world.case``: a perpetrator case with
``cast.clinician`` as lead clinician, trained in the SRP) and add a second clinical lead, so that
one lead can review what another assessed."""

from __future__ import annotations

import pytest

from casework.accounts.tests.factories import UserFactory
from casework.cases.tests.conftest import World, documents_in_tmp, world  # noqa: F401  (fixtures)
from casework.core.roles import Role

__all__ = ["World"]


@pytest.fixture
def second_lead(db):
    return UserFactory(role=Role.CLINICAL_LEAD, full_name="Leo Otherlead")
