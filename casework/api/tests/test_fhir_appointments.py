"""FHIR Appointment over the API: the assessment appointments and treatment sessions of the
organisation's own referrals' perpetrator cases, validated with fhir.resources: status and times,
never a place, a clinician or a note; never a victim case's appointment (safe contact), never one
across an information barrier, never another organisation's (docs/adr/0023-agency-api.md)."""

from __future__ import annotations

from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.bundle import Bundle

from casework.api.tests.conftest import api_client, make_token
from casework.api.tests.fhir_world import across_the_barrier, book
from casework.audit.models import Action, AuditEvent
from casework.cases.choices import CaseKind
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat
from casework.referrals.choices import SubjectRole
from casework.reports.tests.conftest import build
from casework.treatment.choices import AppointmentKind, Attendance
from casework.treatment.tests.matrix_compliance import make_enrolment

FHIR = "/api/v1/fhir"


def _ids(response) -> list[str]:
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    bundle = Bundle.model_validate_json(response.content)
    assert bundle.type == "searchset"
    for entry in bundle.entry or []:
        FhirAppointment.model_validate(entry.resource.model_dump())
    return [entry.resource.id for entry in bundle.entry or []]


def test_an_appointment_is_read_with_its_status_and_times_only(cast, api):
    rworld = build(cast)
    missed = book(cast, rworld.case, attendance=Attendance.DID_NOT_ATTEND, days=-3)
    response = api.get(f"{FHIR}/Appointment/appointment-{missed.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    resource = FhirAppointment.model_validate_json(response.content)
    assert resource.status == "noshow" and resource.minutesDuration == 60
    assert resource.start is not None and resource.end is not None
    assert resource.basedOn[0].reference == f"ServiceRequest/{rworld.referral.reference}"
    assert [p.actor.reference for p in resource.participant] == [f"Patient/{rworld.referral.reference}-subject"]
    text = response.content.decode()
    assert "HMP" not in text and cast.clinician.full_name not in text and "prison" not in text
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(missed.pk)).exists()


def test_appointments_are_searched_by_patient_and_by_referral(cast, api):
    rworld = build(cast)
    booked = book(cast, rworld.case)
    session = book(cast, rworld.case, kind=AppointmentKind.TREATMENT, attendance=Attendance.ATTENDED, days=-10)
    book(cast, rworld.case, kind=AppointmentKind.REVIEW)  # a review is not released
    other = build(cast)
    theirs = book(cast, other.case)
    reference = rworld.referral.reference
    expected = [f"appointment-{session.pk}", f"appointment-{booked.pk}"]
    assert _ids(api.get(f"{FHIR}/Appointment", {"patient": f"{reference}-subject"})) == expected
    assert _ids(api.get(f"{FHIR}/Appointment", {"based-on": f"ServiceRequest/{reference}"})) == expected
    assert _ids(api.get(f"{FHIR}/Appointment")) == [*expected, f"appointment-{theirs.pk}"]
    assert _ids(api.get(f"{FHIR}/Appointment", {"patient": "nobody-subject"})) == []
    both = {"patient": f"{reference}-subject", "based-on": f"ServiceRequest/{other.referral.reference}"}
    assert _ids(api.get(f"{FHIR}/Appointment", both)) == []


def test_a_victim_cases_appointment_never_appears(cast, api):
    from casework.cases.tests.factories import ready_referral

    referral = ready_referral(
        lead_clinician=cast.clinician,
        coordinator=cast.coordinator,
        subject_role=SubjectRole.VICTIM,
        referring_organisation=cast.organisation,
    )
    victim_case = make_case(lead=cast.clinician, by=cast.clinical_lead, kind=CaseKind.VICTIM, referral=referral)
    hers = book(cast, victim_case)
    assert api.get(f"{FHIR}/Appointment/appointment-{hers.pk}").status_code == 404
    assert _ids(api.get(f"{FHIR}/Appointment")) == []
    assert _ids(api.get(f"{FHIR}/Appointment", {"patient": f"{referral.reference}-subject"})) == []


def test_treatment_under_another_agencys_supervision_is_the_supervisors_not_the_referrers(cast, api):
    rworld = build(cast)
    supervised = make_enrolment(cast, case=rworld.case)  # supervised by a probation service
    session = book(cast, rworld.case, kind=AppointmentKind.TREATMENT, enrolment=supervised)
    assert api.get(f"{FHIR}/Appointment/appointment-{session.pk}").status_code == 404
    ours = make_enrolment(cast, case=rworld.case, agency=cast.organisation)
    own = book(cast, rworld.case, kind=AppointmentKind.TREATMENT, enrolment=ours)
    assert _ids(api.get(f"{FHIR}/Appointment")) == [f"appointment-{own.pk}"]


def test_another_organisation_gets_404(cast, other_api):
    rworld = build(cast)
    ours = book(cast, rworld.case)
    response = other_api.get(f"{FHIR}/Appointment/appointment-{ours.pk}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert _ids(other_api.get(f"{FHIR}/Appointment")) == []
    assert other_api.get(f"{FHIR}/Appointment/{ours.pk}").status_code == 404


def test_an_appointment_across_an_information_barrier_is_hidden(cast, token, api):
    stan = across_the_barrier(cast, token)
    his = book(cast, stan.case)
    assert api.get(f"{FHIR}/Appointment/appointment-{his.pk}").status_code == 404
    assert _ids(api.get(f"{FHIR}/Appointment")) == []
    colleague = api_client(make_token(cast, name="Colleague system").secret)
    assert colleague.get(f"{FHIR}/Appointment/appointment-{his.pk}").status_code == 200


def test_the_referrals_scope_is_needed(cast):
    rworld = build(cast)
    ours = book(cast, rworld.case)
    reports_only = api_client(make_token(cast, scopes=["reports:read"], name="Reports only").secret)
    assert reports_only.get(f"{FHIR}/Appointment/appointment-{ours.pk}").status_code == 403
    assert reports_only.get(f"{FHIR}/Appointment").status_code == 403


def test_the_search_takes_as_many_queries_however_many_appointments(cast, api):
    rworld = build(cast)
    book(cast, rworld.case)
    query = {"patient": f"{rworld.referral.reference}-subject"}

    def grow():
        for days in range(1, 4):
            book(cast, rworld.case, days=days)
        for _ in range(2):
            book(cast, build(cast).case)

    assert_page_queries_flat(api, f"{FHIR}/Appointment", data=query, grow=grow)
    assert_page_queries_flat(api, f"{FHIR}/Appointment", grow=grow)


def test_a_search_answers_a_page_at_a_time_with_every_matchs_count_and_links(cast, api):
    rworld = build(cast)
    booked = [book(cast, rworld.case, days=days) for days in range(1, 6)]
    expected = [f"appointment-{a.pk}" for a in booked]
    query = {"patient": f"{rworld.referral.reference}-subject", "_count": 2}

    first = api.get(f"{FHIR}/Appointment", query)
    bundle = Bundle.model_validate_json(first.content)
    assert _ids(first) == expected[:2] and bundle.total == 5
    links = {link.relation: link.url for link in bundle.link}
    assert set(links) == {"self", "next"} and "_count=2" in links["next"] and "page=2" in links["next"]

    last = api.get(f"{FHIR}/Appointment", {**query, "page": 3})
    bundle = Bundle.model_validate_json(last.content)
    assert _ids(last) == expected[4:] and bundle.total == 5
    assert {link.relation for link in bundle.link} == {"self", "previous"}
    # A page past the last is 404 (as the API's lists); at most 100 a page, 50 unless asked.
    assert api.get(f"{FHIR}/Appointment", {**query, "page": 4}).status_code == 404
    assert _ids(api.get(f"{FHIR}/Appointment", {"_count": 1000})) == expected
    assert len(_ids(api.get(f"{FHIR}/Appointment", {"_count": "many"}))) == 5
