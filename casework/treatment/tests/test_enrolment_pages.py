"""The enrolment pages: the case's treatment, enrolling, one enrolment (modules, outcomes by stage,
follow-ups), recording an outcome, discharging, recording a follow-up — for the case's team and
clinical leads; the coordinator is refused (403), anyone off the case sees nothing (404)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from casework.cases.tests.conftest import documents_in_tmp  # noqa: F401  (fixture)
from casework.cases.tests.factories import make_case
from casework.core.testing import assert_page_queries_flat
from casework.referrals.eligibility import ONLY_UNDER_COMPULSION
from casework.treatment.models import Enrolment, FollowUp, OutcomeMeasure
from casework.treatment.services import enrolment as services
from casework.treatment.tests.enrolment_helpers import order_on, probation, treated_case


def _date(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_day": str(day.day), f"{name}_month": str(day.month), f"{name}_year": str(day.year)}


def test_the_case_page_links_to_treatment_for_clinicians_only(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    url = reverse("cases:detail", args=[case.reference])
    assert 'data-testid="treatment-link"' in client_for(cast.clinician).get(url).content.decode()
    assert 'data-testid="treatment-link"' not in client_for(cast.coordinator).get(url).content.decode()


def test_enrolling_through_the_form(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    order = order_on(case, cast.clinician)
    agency = probation()
    client = client_for(cast.clinician)
    url = reverse("treatment:enrol", args=[case.reference])
    page = client.get(url).content.decode()
    assert "Stalking treatment programme (community)" in page and agency.name in page
    start = timezone.localdate()
    data = {
        "programme": "stalking-community",
        "legal_basis": "community_order",
        "order": str(order.pk),
        "supervising_agency": str(agency.pk),
        "supervising_officer_name": "Pat Probation",
        "supervising_officer_email": "pat@example.org",
        **_date("starts_on", start),
    }
    response = client.post(url, data)
    enrolment = Enrolment.objects.get(case=case)
    assert response.status_code == 302 and response["Location"] == reverse(
        "treatment:enrolment", args=[case.reference, enrolment.pk]
    )
    detail = client.get(response["Location"]).content.decode()
    assert "Engagement and formulation" in detail and "Relapse prevention" in detail
    assert "Preoccupation with the person stalked" in detail
    overview = client.get(reverse("treatment:overview", args=[case.reference])).content.decode()
    assert "Stalking treatment programme (community)" in overview and "In treatment" in overview
    assert "Next appointments" in overview


def test_a_voluntary_first_episode_is_refused_on_the_form_by_the_basis(cast, client_for):
    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    response = client_for(cast.clinician).post(
        reverse("treatment:enrol", args=[case.reference]),
        {"programme": "stalking-community", "legal_basis": "voluntary", **_date("starts_on", timezone.localdate())},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert ONLY_UNDER_COMPULSION.split(":")[0] in page
    assert 'href="#id_legal_basis' in page
    assert not Enrolment.objects.exists()


def test_recording_an_outcome_discharging_and_a_follow_up(cast, client_for):
    treated = treated_case(cast)
    client = client_for(cast.clinician)
    ref, active = treated.case.reference, treated.active
    today = timezone.localdate()
    response = client.post(
        reverse("treatment:outcome_add", args=[ref, active.pk]),
        {"measure": "preoccupation", "stage": "start", "score": "8", **_date("taken_on", today)},
    )
    assert response.status_code == 302
    assert OutcomeMeasure.objects.get(enrolment=active).score == 8
    refused = client.post(
        reverse("treatment:outcome_add", args=[ref, active.pk]),
        {"measure": "preoccupation", "stage": "middle", "score": "12", **_date("taken_on", today)},
    )
    assert refused.status_code == 400 and "from 0 to 10" in refused.content.decode()

    response = client.post(
        reverse("treatment:discharge", args=[ref, active.pk]),
        {"status": "transferred", "reason": "Moved to another area.", **_date("discharged_on", today)},
    )
    assert response.status_code == 302
    assert FollowUp.objects.filter(enrolment=active).count() == 3
    detail = client.get(reverse("treatment:enrolment", args=[ref, active.pk])).content.decode()
    assert "Transferred" in detail and "6 months" in detail and "24 months" in detail

    follow_up = treated.follow_up
    response = client.post(
        reverse("treatment:follow_up", args=[ref, treated.discharged.pk, follow_up.pk]),
        {"re_referred": "no", "further_stalking": "no", "reconvicted": "yes", **_date("done_on", today)},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.reconvicted is True and follow_up.re_referred is False


def test_others_are_refused_or_see_nothing(cast, client_for):
    treated = treated_case(cast)
    ref = treated.case.reference
    urls = [
        reverse("treatment:overview", args=[ref]),
        reverse("treatment:enrol", args=[ref]),
        reverse("treatment:enrolment", args=[ref, treated.active.pk]),
        reverse("treatment:discharge", args=[ref, treated.active.pk]),
        reverse("treatment:follow_up", args=[ref, treated.discharged.pk, treated.follow_up.pk]),
    ]
    for url in urls:
        assert client_for(cast.clinical_lead).get(url).status_code == 200, url
        assert client_for(cast.coordinator).get(url).status_code == 403, url
        assert client_for(cast.other_clinician).get(url).status_code == 404, url
    response = client_for(cast.other_clinician).post(
        reverse("treatment:discharge", args=[ref, treated.active.pk]),
        {"status": "completed", "reason": "x", **_date("discharged_on", timezone.localdate())},
    )
    assert response.status_code == 404
    treated.active.refresh_from_db()
    assert treated.active.is_active


def test_an_enrolment_of_another_case_is_not_found_under_this_one(cast, client_for):
    treated = treated_case(cast)
    other = make_case(lead=cast.clinician, by=cast.clinical_lead)
    url = reverse("treatment:enrolment", args=[other.reference, treated.active.pk])
    assert client_for(cast.clinician).get(url).status_code == 404


def test_the_enrolment_page_keeps_a_fixed_query_count_as_outcomes_grow(cast, client_for):
    treated = treated_case(cast)
    enrolment = treated.discharged
    measures = iter([("preoccupation", "start"), ("preoccupation", "middle"), ("wellbeing", "start")])

    def grow():
        measure, stage = next(measures)
        services.outcome_record(
            enrolment=enrolment,
            measure=measure,
            stage=stage,
            score=3,
            taken_on=enrolment.starts_on,
            by=cast.clinician,
        )

    url = reverse("treatment:enrolment", args=[treated.case.reference, enrolment.pk])
    assert_page_queries_flat(client_for(cast.clinician), url, grow=grow)
