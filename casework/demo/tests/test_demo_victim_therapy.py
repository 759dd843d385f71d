"""Demo therapy for the people who are stalked: open victim cases with a safety plan are in the
"Recovery after stalking" programme by consent (no order, no officer), with start measures; their
past sessions have attendance, and each attended one a note of the areas of need worked on; the
coming ones are booked at the clinic or by video; one has finished with end measures; no absence
raised a compliance notice; nothing more the second time."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone
from faker import Faker

from casework.cases.choices import CaseKind, CaseStatus
from casework.cases.models import Case
from casework.core.testing import kept_for_the_module
from casework.demo import victim_therapy as demo
from casework.demo.context import DemoContext
from casework.demo.seeds import BUILDERS
from casework.treatment.choices import Attendance
from casework.treatment.models import Appointment, ComplianceNotice, Enrolment, OutcomeMeasure, SessionNote
from casework.treatment.services.diary import VICTIM_NEED_LABELS


@pytest.fixture(scope="module")
def seeded_once(django_db_setup, django_db_blocker):
    from casework.demo import accounts, cases, organisations, people, referrals, treatment_diary, victims

    with kept_for_the_module(django_db_blocker):
        with django_db_blocker.unblock():
            faker = Faker("en_GB")
            faker.seed_instance(15)
            context = DemoContext(faker=faker, rng=random.Random(15))
            for builder in (organisations, accounts, referrals, people, cases, victims, treatment_diary, demo):
                builder.seed(context)
        yield context


@pytest.fixture
def seeded(seeded_once, db):
    return seeded_once


def test_the_builder_runs_after_the_safety_plans_and_the_diary():
    names = [name for name, _ in BUILDERS]
    assert names.index("victims") < names.index("victim_therapy") < names.index("search")
    assert names.index("treatment_diary") < names.index("victim_therapy")


def test_victim_cases_are_in_therapy_by_consent_with_start_measures(seeded):
    enrolments = list(Enrolment.objects.filter(case__kind=CaseKind.VICTIM).select_related("programme", "case"))
    assert len(enrolments) >= 2
    for enrolment in enrolments:
        assert enrolment.programme.code == "victim-recovery" and enrolment.legal_basis == "voluntary"
        assert enrolment.order_id is None and enrolment.supervising_agency_id is None
        assert enrolment.case.status == CaseStatus.OPEN
        starts = set(
            OutcomeMeasure.objects.filter(enrolment=enrolment, stage="start").values_list("measure", flat=True)
        )
        assert starts == {"fear", "distress", "functioning", "confidence"}
    finished = [e for e in enrolments if e.status == "completed"]
    assert len(finished) == 1
    assert OutcomeMeasure.objects.filter(enrolment=finished[0], stage="end").count() == 4


def test_past_sessions_have_attendance_and_notes_of_the_areas_of_need(seeded):
    sessions = list(Appointment.objects.filter(case__kind=CaseKind.VICTIM, kind="treatment"))
    past = [a for a in sessions if a.ends_at < timezone.now()]
    assert past and all(a.attendance != Attendance.BOOKED for a in past)
    assert any(a.attendance == Attendance.CANCELLED_BY_CLIENT for a in past)
    notes = list(SessionNote.objects.filter(appointment__case__kind=CaseKind.VICTIM))
    assert len(notes) == sum(1 for a in past if a.attendance == Attendance.ATTENDED)
    assert all(n.risk_factors and set(n.risk_factors) <= set(VICTIM_NEED_LABELS) for n in notes)
    coming = [a for a in sessions if a.starts_at > timezone.now()]
    assert coming and all(a.attendance == Attendance.BOOKED for a in coming)
    assert {a.place_kind for a in sessions} <= {"clinic_room", "video"}
    assert not ComplianceNotice.objects.filter(enrolment__case__kind=CaseKind.VICTIM).exists()


def test_victim_cases_without_a_plan_are_left_alone(seeded):
    planless = Case.objects.filter(kind=CaseKind.VICTIM, safety_plans__isnull=True)
    assert not Enrolment.objects.filter(case__in=planless).exists()


def test_seeding_again_adds_nothing(seeded):
    before = (Enrolment.objects.count(), Appointment.objects.count(), SessionNote.objects.count())
    demo.seed(DemoContext(faker=Faker("en_GB"), rng=random.Random(1)))
    assert (Enrolment.objects.count(), Appointment.objects.count(), SessionNote.objects.count()) == before
