"""Enrolment, outcome measures, discharge and follow-up: what the services refuse and why, the
follow-ups made at 6, 12 and 24 months, and what the audit trail keeps."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.audit.models import AuditEvent
from casework.audit.services import WITHHELD
from casework.cases.choices import OrderKind
from casework.cases.tests.factories import make_case
from casework.referrals.eligibility import ONLY_UNDER_COMPULSION
from casework.treatment import programmes
from casework.treatment.models import Enrolment, FollowUp, KeptProgramme, OutcomeMeasure
from casework.treatment.services import enrolment as services
from casework.treatment.tests.enrolment_helpers import enrol_on, order_on, probation, treated_case

TODAY = timezone.localdate


def _enrol(case, by, **overrides):
    fields = {
        "case": case,
        "programme_code": "stalking-community",
        "legal_basis": "community_order",
        "order": None,
        "supervising_agency": probation(),
        "supervising_officer_name": "Pat Probation",
        "supervising_officer_email": "pat@example.org",
        "starts_on": TODAY() - dt.timedelta(days=10),
        "by": by,
        **overrides,
    }
    return services.enrol(**fields)


@pytest.fixture
def case(cast):
    return make_case(lead=cast.clinician, by=cast.clinical_lead)


def test_the_programmes_load_and_fit_their_schema():
    found = {p.code: p for p in programmes.available()}
    assert {"stalking-community", "stalking-brief"} <= set(found)
    community = found["stalking-community"]
    assert community.planned_sessions == 20
    assert [m.key for m in community.modules][0] == "engagement"
    assert {m.code for m in community.measures} >= {"preoccupation", "emotional-control"}


def test_a_programme_that_does_not_fit_the_schema_is_refused_with_where():
    with pytest.raises(programmes.ProgrammeError, match="planned_sessions"):
        programmes.check({**programmes.load("stalking-community").content, "planned_sessions": 0})
    with pytest.raises(programmes.ProgrammeError, match="more than once"):
        content = dict(programmes.load("stalking-community").content)
        content["modules"] = [*content["modules"], content["modules"][0]]
        programmes.check(content)


def test_enrolment_keeps_the_programme_by_content_hash(case, cast):
    order = order_on(case, cast.clinician)
    enrolment = _enrol(case, cast.clinician, order=order)
    assert enrolment.programme.content_hash == programmes.load("stalking-community").content_hash
    programmes.keep("stalking-community")
    assert KeptProgramme.objects.filter(code="stalking-community").count() == 1


def test_a_first_episode_without_compulsion_is_refused_with_the_screening_rules_reason(case, cast):
    with pytest.raises(services.EnrolmentRefused) as refused:
        _enrol(case, cast.clinician, legal_basis="voluntary")
    assert refused.value.field == "legal_basis"
    assert refused.value.message.startswith(ONLY_UNDER_COMPULSION)
    assert not Enrolment.objects.exists()


def test_a_voluntary_episode_is_accepted_after_an_earlier_one(cast):
    treated = treated_case(cast)
    services.discharge(
        enrolment=treated.active, status="completed", reason="Done", discharged_on=TODAY(), by=cast.clinician
    )
    again = _enrol(treated.case, cast.clinician, legal_basis="voluntary", supervising_agency=None)
    assert again.is_active and again.order is None


def test_a_consultation_is_never_enrolled_in_treatment(cast):
    consultation = make_case(lead=cast.clinician, by=cast.clinical_lead, kind="consultation")
    with pytest.raises(services.EnrolmentRefused, match="A consultation is advice"):
        _enrol(consultation, cast.clinician)


def _victim_therapy(case, by, **overrides):
    fields = {
        "programme_code": "victim-recovery",
        "legal_basis": "voluntary",
        "supervising_agency": None,
        "supervising_officer_name": "",
        "supervising_officer_email": "",
        **overrides,
    }
    return _enrol(case, by, **fields)


def test_a_person_who_is_stalked_starts_therapy_by_consent_on_no_order(cast):
    victim_case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind="victim")
    enrolment = _victim_therapy(victim_case, cast.clinician)
    assert enrolment.is_active and enrolment.legal_basis == "voluntary" and enrolment.order is None
    assert enrolment.programme.code == "victim-recovery"
    assert programmes.of(enrolment.programme).client == programmes.VICTIM


def test_each_kind_of_case_takes_only_its_own_programmes(case, cast):
    victim_case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind="victim")
    with pytest.raises(services.EnrolmentRefused, match="treats the person who stalks") as refused:
        _victim_therapy(victim_case, cast.clinician, programme_code="stalking-community")
    assert refused.value.field == "programme"
    with pytest.raises(services.EnrolmentRefused, match="therapy for a person who is stalked") as refused:
        _enrol(case, cast.clinician, programme_code="victim-recovery")
    assert refused.value.field == "programme"
    assert {p.code for p in programmes.available(programmes.VICTIM)} == {"victim-recovery"}
    assert "victim-recovery" not in {p.code for p in programmes.available(programmes.PERPETRATOR)}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"legal_basis": "community_order"}, "legal_basis"),
        ({"supervising_officer_name": "Pat Probation"}, "supervising_officer_name"),
        ({"supervising_officer_email": "pat@example.org"}, "supervising_officer_email"),
    ],
)
def test_therapy_for_a_person_who_is_stalked_has_no_order_or_officer(cast, overrides, field):
    victim_case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind="victim")
    with pytest.raises(services.EnrolmentRefused) as refused:
        _victim_therapy(victim_case, cast.clinician, **overrides)
    assert refused.value.field == field
    assert not Enrolment.objects.filter(case=victim_case).exists()


def test_therapy_by_consent_cannot_end_in_breach(cast):
    victim_case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind="victim")
    enrolment = _victim_therapy(victim_case, cast.clinician)
    with pytest.raises(services.EnrolmentRefused, match="Only treatment under an order can be breached"):
        services.discharge(enrolment=enrolment, status="breached", reason="x", discharged_on=TODAY(), by=cast.clinician)
    services.discharge(
        enrolment=enrolment, status="completed", reason="All sessions", discharged_on=TODAY(), by=cast.clinician
    )
    assert Enrolment.objects.get(pk=enrolment.pk).status == "completed"


def test_the_order_must_be_the_cases_and_of_the_kind_the_basis_rests_on(case, cast):
    other_case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    with pytest.raises(services.EnrolmentRefused, match="Select the order") as refused:
        _enrol(case, cast.clinician)
    assert refused.value.field == "order"
    with pytest.raises(services.EnrolmentRefused, match="one of this case's orders"):
        _enrol(case, cast.clinician, order=order_on(other_case, cast.clinician))
    restraining = order_on(case, cast.clinician, OrderKind.RESTRAINING)
    with pytest.raises(services.EnrolmentRefused, match="the order chosen is restraining order") as refused:
        _enrol(case, cast.clinician, order=restraining)
    assert refused.value.field == "order"
    licence = order_on(case, cast.clinician, OrderKind.LICENCE_CONDITIONS)
    with pytest.raises(services.EnrolmentRefused, match="rests on bail conditions"):
        _enrol(case, cast.clinician, order=licence, legal_basis="bail_condition")
    assert _enrol(case, cast.clinician, order=licence, legal_basis="licence_condition").is_active


def test_an_order_that_ended_before_the_start_is_refused(case, cast):
    ended = order_on(case, cast.clinician, days_ago=400, days_left=-30)
    with pytest.raises(services.EnrolmentRefused, match="ended on .* before treatment would start") as refused:
        _enrol(case, cast.clinician, order=ended)
    assert refused.value.field == "order"


def test_a_second_active_enrolment_is_refused(case, cast):
    order = order_on(case, cast.clinician)
    _enrol(case, cast.clinician, order=order)
    with pytest.raises(services.EnrolmentRefused, match="already has an enrolment"):
        _enrol(case, cast.clinician, order=order)


def test_a_compelled_enrolment_needs_the_supervising_agency_and_officer(case, cast):
    order = order_on(case, cast.clinician)
    with pytest.raises(services.EnrolmentRefused) as refused:
        _enrol(case, cast.clinician, order=order, supervising_agency=None)
    assert refused.value.field == "supervising_agency"
    with pytest.raises(services.EnrolmentRefused) as refused:
        _enrol(case, cast.clinician, order=order, supervising_officer_name=" ")
    assert refused.value.field == "supervising_officer_name"
    with pytest.raises(services.EnrolmentRefused) as refused:
        _enrol(case, cast.clinician, order=order, supervising_officer_email="not an email")
    assert refused.value.field == "supervising_officer_email"


def test_only_the_team_and_clinical_leads_may_enrol(case, cast):
    order = order_on(case, cast.clinician)
    for user in (cast.other_clinician, cast.coordinator, cast.researcher):
        with pytest.raises(PermissionDenied):
            _enrol(case, user, order=order)
    assert _enrol(case, cast.clinical_lead, order=order).created_by == cast.clinical_lead


def test_enrolment_is_audited_against_the_case_without_the_officers_name(case, cast):
    order = order_on(case, cast.clinician)
    enrolment = _enrol(case, cast.clinician, order=order)
    event = AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).latest("sequence")
    assert event.object_label == f"{case.reference}: enrolment {enrolment.pk}"
    assert event.changes["legal_basis"]["new"] == "community_order"
    assert event.changes["order_id"]["new"] == order.pk
    assert event.changes["supervising_officer_name"]["new"] == WITHHELD
    assert "Pat Probation" not in json.dumps(event.changes)


def test_discharge_makes_follow_ups_at_6_12_and_24_months(case, cast):
    enrolment = enrol_on(case, cast.clinician, order_on(case, cast.clinician, days_ago=800), days_ago=700)
    services.discharge(
        enrolment=enrolment,
        status="disengaged",
        reason="Stopped attending after the ninth session; the officer was told.",
        discharged_on=dt.date(TODAY().year - 1, 8, 31),
        by=cast.clinician,
    )
    enrolment.refresh_from_db()
    assert enrolment.status == "disengaged" and not enrolment.is_active
    year = TODAY().year
    assert [(f.point, f.due_on) for f in FollowUp.objects.filter(enrolment=enrolment).order_by("point")] == [
        (6, dt.date(year, 2, 28 if year % 4 else 29)),
        (12, dt.date(year, 8, 31)),
        (24, dt.date(year + 1, 8, 31)),
    ]
    event = AuditEvent.objects.filter(object_id=str(case.pk)).latest("sequence")
    assert event.changes["status"] == {"old": "active", "new": "disengaged"}
    assert event.changes["discharge_reason"]["new"] == WITHHELD
    assert "ninth session" not in json.dumps(event.changes)


def test_discharge_refusals_name_their_field(case, cast):
    enrolment = enrol_on(case, cast.clinician, order_on(case, cast.clinician), days_ago=30)
    cases = [
        ({"status": "active"}, "status"),
        ({"reason": "  "}, "reason"),
        ({"discharged_on": TODAY() + dt.timedelta(days=1)}, "discharged_on"),
        ({"discharged_on": TODAY() - dt.timedelta(days=31)}, "discharged_on"),
    ]
    for change, field in cases:
        fields = {"status": "completed", "reason": "Done", "discharged_on": TODAY(), **change}
        with pytest.raises(services.EnrolmentRefused) as refused:
            services.discharge(enrolment=enrolment, by=cast.clinician, **fields)
        assert refused.value.field == field
    services.discharge(
        enrolment=enrolment, status="breached", reason="Recalled", discharged_on=TODAY(), by=cast.clinician
    )
    with pytest.raises(services.EnrolmentRefused, match="already ended"):
        services.discharge(
            enrolment=enrolment, status="completed", reason="Again", discharged_on=TODAY(), by=cast.clinician
        )
    assert FollowUp.objects.filter(enrolment=enrolment).count() == 3


def test_outcomes_are_checked_against_the_programmes_measures(case, cast):
    enrolment = enrol_on(case, cast.clinician, order_on(case, cast.clinician), days_ago=30)

    def record(**change):
        fields = {"measure": "preoccupation", "stage": "start", "score": 7, "taken_on": TODAY(), **change}
        return services.outcome_record(enrolment=enrolment, by=cast.clinician, **fields)

    for change, field in [
        ({"measure": "not-a-measure"}, "measure"),
        ({"measure": "engagement", "stage": "start"}, "stage"),
        ({"score": 11}, "score"),
        ({"taken_on": TODAY() + dt.timedelta(days=1)}, "taken_on"),
        ({"taken_on": TODAY() - dt.timedelta(days=200)}, "taken_on"),
    ]:
        with pytest.raises(services.EnrolmentRefused) as refused:
            record(**change)
        assert refused.value.field == field, change
    outcome = record()
    assert outcome.score == 7
    with pytest.raises(services.EnrolmentRefused, match="already recorded") as refused:
        record(score=6)
    assert refused.value.field == "stage"
    assert OutcomeMeasure.objects.filter(enrolment=enrolment).count() == 1
    with pytest.raises(PermissionDenied):
        services.outcome_record(
            enrolment=enrolment, measure="preoccupation", stage="end", score=2, taken_on=TODAY(), by=cast.coordinator
        )


def test_a_follow_up_records_what_it_found_and_keeps_notes_out_of_the_trail(cast):
    treated = treated_case(cast)
    follow_up = treated.follow_up
    with pytest.raises(services.EnrolmentRefused) as refused:
        services.follow_up_record(
            follow_up=follow_up,
            re_referred=False,
            further_stalking=False,
            reconvicted=False,
            done_on=treated.discharged.discharged_on - dt.timedelta(days=1),
            by=cast.clinician,
        )
    assert refused.value.field == "done_on"
    services.follow_up_record(
        follow_up=follow_up,
        re_referred=False,
        further_stalking=True,
        reconvicted=False,
        notes="The officer says a neighbour reported him outside her house.",
        done_on=TODAY(),
        by=cast.clinician,
    )
    follow_up.refresh_from_db()
    assert follow_up.done_on == TODAY() and follow_up.further_stalking is True
    assert follow_up.recorded_by == cast.clinician
    event = AuditEvent.objects.filter(object_id=str(treated.case.pk)).latest("sequence")
    assert event.changes["further_stalking"] == {"old": None, "new": True}
    assert event.changes["notes"]["new"] == WITHHELD
    assert "neighbour" not in json.dumps(event.changes)
    with pytest.raises(PermissionDenied):
        services.follow_up_record(
            follow_up=follow_up,
            re_referred=False,
            further_stalking=False,
            reconvicted=False,
            done_on=TODAY(),
            by=cast.other_clinician,
        )


def test_add_months_keeps_the_day_or_the_months_last():
    assert services.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert services.add_months(dt.date(2026, 8, 15), 6) == dt.date(2027, 2, 15)
    assert services.add_months(dt.date(2026, 12, 1), 24) == dt.date(2028, 12, 1)
