"""Demo compliance notices: on enrolments with enough absences, one acknowledged and one delivered
and waiting for the officer; nothing without enrolments; nothing more the second time."""

from __future__ import annotations

import pytest

from casework.demo import treatment_compliance
from casework.demo.context import seeded_context
from casework.demo.seeds import BUILDERS
from casework.treatment.choices import NoticeStatus
from casework.treatment.models import ComplianceNotice
from casework.treatment.tests.matrix_compliance import appointment, make_enrolment

pytestmark = pytest.mark.django_db


def test_the_builder_runs_before_search():
    names = [name for name, _ in BUILDERS]
    assert names.index("treatment_compliance") < names.index("search")


def test_without_enrolments_nothing_is_made():
    context = seeded_context()
    treatment_compliance.seed(context)
    assert context.made["compliance_notices"] == []


def test_enrolments_with_enough_absences_get_one_acknowledged_and_one_waiting_notice(cast):
    enrolments = [make_enrolment(cast) for _ in range(3)]
    for enrolment in enrolments[:2]:
        appointment(cast, enrolment, days_ago=40)
        appointment(cast, enrolment, days_ago=30)
    appointment(cast, enrolments[2], days_ago=30)  # one absence: no notice
    treatment_compliance.seed(seeded_context())
    notices = list(ComplianceNotice.objects.order_by("enrolment__starts_on", "enrolment__pk"))
    assert [n.status for n in notices] == [NoticeStatus.ACKNOWLEDGED, NoticeStatus.DELIVERED]
    assert notices[0].acknowledged_by == "Officer Matrix"
    assert notices[1].acknowledged_at is None and notices[1].delivered_at is not None
    assert all(n.absences.count() == 2 for n in notices)
    treatment_compliance.seed(seeded_context())
    assert ComplianceNotice.objects.count() == 2
