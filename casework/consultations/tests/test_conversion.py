"""A consultation that reaches court becomes a full referral: one referral, received at once from
the agency that asked, carrying the question, the meetings (dates and attendees) and the advice,
never the minutes; the two are linked both ways; a second conversion, or one without what a
referral needs, is refused with the reason."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from casework.consultations.models import ConsultationRequest
from casework.consultations.services.conversion import convert
from casework.consultations.tests.helpers import consultation_case, consultation_request, meeting
from casework.core.formatting import date_gb
from casework.core.refusals import Refused
from casework.referrals.choices import Status
from casework.referrals.models import Referral, Transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(cast):
    case = consultation_case(cast)
    consultation_request(
        case, cast.clinician, agency=cast.organisation, advice_summary="Warn him off in writing", status="advice_given"
    )
    return case


def test_converting_makes_one_referral_with_the_history_and_links_both_ways(cast, client_for, case):
    first = meeting(case, cast.clinician, days_ago=20, attendees="DS Jo Pike\nDr A Clinician")
    meeting(case, cast.clinician, days_ago=5, attendees="DI Lee")
    client = client_for(cast.clinician)
    url = reverse("consultations:convert", args=[case.reference])
    confirm = client.get(url).content.decode()
    assert (
        "Make the referral" in confirm and "DS Jo Pike, Dr A Clinician" in confirm and "Minutes canary" not in confirm
    )
    before = set(Referral.objects.values_list("pk", flat=True))
    response = client.post(url)
    assert response.status_code == 302
    (referral,) = Referral.objects.exclude(pk__in=before)
    found = ConsultationRequest.objects.get(case=case)
    assert found.became_referral == referral and referral.from_consultation == found
    assert found.status == "closed"
    assert referral.status == Status.RECEIVED and referral.reference.startswith("REF-")
    assert referral.received_via == "consultation"
    assert referral.referring_organisation == cast.organisation
    assert referral.referrer_name == "DS Jo Pike" and referral.referrer_email == "jo.pike@example.police.uk"
    assert referral.subject_given_name == case.subject.given_name
    assert referral.subject_family_name == case.subject.family_name
    summary = referral.behaviour_summary
    assert "How should we manage his contact with the school?" in summary
    assert f"{date_gb(first.held_on)}: DS Jo Pike, Dr A Clinician" in summary and "DI Lee" in summary
    assert "Warn him off in writing" in summary and case.reference in summary
    assert "Minutes canary" not in summary and "Minutes canary" not in str(referral.as_sent)
    assert Transition.objects.get(referral=referral).reason == f"Carried from consultation {case.reference}"
    page = client.get(reverse("consultations:overview", args=[case.reference])).content.decode()
    assert referral.reference in page and "Turn this consultation into a referral" not in page


def test_a_second_conversion_is_refused_with_the_reason(cast, client_for, case):
    client = client_for(cast.clinician)
    url = reverse("consultations:convert", args=[case.reference])
    client.post(url)
    referral = ConsultationRequest.objects.get(case=case).became_referral
    count = Referral.objects.count()
    response = client.post(url)
    assert response.status_code == 400
    assert f"already become referral {referral.reference}" in response.content.decode()
    assert Referral.objects.count() == count
    with pytest.raises(Refused, match="already become referral"):
        convert(case=case, by=cast.clinician)


def test_converting_without_the_request_is_refused(cast, client_for):
    case = consultation_case(cast)
    count = Referral.objects.count()
    response = client_for(cast.clinician).post(reverse("consultations:convert", args=[case.reference]))
    assert response.status_code == 400
    assert "request before turning it into a referral" in response.content.decode()
    assert Referral.objects.count() == count


def test_converting_without_the_officer_or_the_subjects_name_is_refused(cast, case):
    count = Referral.objects.count()
    ConsultationRequest.objects.filter(case=case).update(officer_name=" ")
    with pytest.raises(Refused, match="name of the officer asking"):
        convert(case=case, by=cast.clinician)
    ConsultationRequest.objects.filter(case=case).update(officer_name="DS Jo Pike")
    type(case.subject).objects.filter(pk=case.subject_id).update(family_name="")
    case.refresh_from_db()
    with pytest.raises(Refused, match="given and a family name"):
        convert(case=case, by=cast.clinician)
    assert Referral.objects.count() == count
    assert ConsultationRequest.objects.get(case=case).became_referral is None


def test_only_the_team_converts(cast, case):
    for user in (cast.other_clinician, cast.coordinator, cast.finance):
        with pytest.raises(PermissionDenied):
            convert(case=case, by=user)


def test_the_referral_page_says_which_consultation_it_came_from(cast, client_for, case):
    referral = convert(case=case, by=cast.clinician)
    page = client_for(cast.coordinator).get(reverse("referrals:detail", args=[referral.reference])).content.decode()
    assert f"Carried from consultation {case.reference}" in page
    assert "From a consultation with the clinic" in page
