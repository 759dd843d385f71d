"""Referrals through the API: sent by the portal's route (same validation, same audit, channel
API), read back, documents and answers to requests for information; an organisation never sees
another's referral, nor one across an information barrier (404)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.referrals.choices import Channel, Status
from casework.referrals.models import Referral
from casework.referrals.tests.factories import ReferralFactory

URL = "/api/v1/referrals/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def in_days(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def body(commissioner_id: int, **overrides):
    data = {
        "services": ["stalker_assessment", "report_sentencing"],
        "subject_role": "perpetrator",
        "subject_given_name": "Adam",
        "subject_family_name": "Testperson",
        "subject_date_of_birth": "1981-06-02",
        "subject_details": "Also known as AJ",
        "parties": [{"role": "victim", "name": "Vicky Person", "relationship_to_subject": "Former partner"}],
        "behaviour_summary": "Repeated messages and loitering outside the former partner's home.",
        "behaviour_duration": "14 months",
        "stalking_significant": "yes",
        "legal_status": "convicted",
        "offences": ["pha_s4a"],
        "orders_in_force": ["restraining"],
        "assessment_setting": "custody",
        "custody_establishment": "HMP Testshire",
        "prison_number": "a1234bc",
        "next_hearing_on": in_days(40),
        "report_due_on": in_days(30),
        "parole_hearing_on": None,
        "commissioner": commissioner_id,
        "purchase_order": "PO-123",
        "referrer_name": "Pat Police",
        "referrer_job_title": "Detective Constable",
        "referrer_email": "officer@northshire.police.example",
        "referrer_phone": "020 7946 0001",
    }
    data.update(overrides)
    return data


def test_a_referral_sent_through_the_api_is_received_via_the_api(cast, api, token):
    response = api.post(URL, body(cast.organisation.pk), content_type="application/json")
    assert response.status_code == 201, response.content
    sent = response.json()
    referral = Referral.objects.get(reference=sent["reference"])
    assert response["Location"] == f"{URL}{referral.reference}/"
    assert sent["status"] == Status.RECEIVED and sent["received_via"] == "api"
    assert referral.received_via == Channel.API
    assert referral.referring_organisation == cast.organisation
    assert referral.created_by == token.token.user
    assert referral.prison_number == "A1234BC"  # the portal form's own cleaning
    assert [p.name for p in referral.named_parties.all()] == ["Vicky Person"]
    assert referral.transitions.get().reason == "Submitted through the agency API"
    events = AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk))
    assert {Action.CREATE, Action.UPDATE, Action.TRANSITION} <= set(events.values_list("action", flat=True))
    assert set(events.values_list("actor", flat=True)) == {token.token.user.pk}


def test_a_refused_referral_names_each_field_and_saves_nothing(cast, api):
    response = api.post(
        URL,
        body(cast.organisation.pk, subject_given_name="", parties=[{"role": "victim", "name": ""}]),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["type"].endswith("invalid-request")
    fields = {e["field"]: e["detail"] for e in problem["errors"]}
    assert fields["subject_given_name"] == "Enter their given name"
    assert fields["parties.0.name"] == "Enter their full name"
    assert {e["pointer"] for e in problem["errors"]} >= {"#/subject_given_name", "#/parties/0/name"}
    assert not Referral.objects.exists()


def test_a_wrongly_typed_body_is_refused_by_field(cast, api):
    response = api.post(
        URL, {"services": "nope", "subject_date_of_birth": "yesterday"}, content_type="application/json"
    )
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"services", "subject_date_of_birth"} <= fields


def test_the_status_of_an_own_referral_is_read_and_audited(cast, api, token):
    referral = ReferralFactory(status=Status.SCREENING, referring_organisation=cast.organisation)
    response = api.get(f"{URL}{referral.reference}/")
    assert response.status_code == 200
    assert response.json()["status"] == "screening"
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_id=str(referral.pk), actor=token.token.user, object_type="referrals.referral"
    ).exists()


def test_another_organisations_referral_is_not_found_and_the_attempt_logged(cast, api, other_api):
    theirs = ReferralFactory(referring_organisation=cast.other_organisation)
    response = api.get(f"{URL}{theirs.reference}/")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert AuditEvent.objects.filter(action=Action.REFUSED, object_id=str(theirs.pk)).exists()
    assert api.get(f"/api/v1/fhir/ServiceRequest/{theirs.reference}").status_code == 404
    assert (
        api.post(f"{URL}{theirs.reference}/answer/", {"answer": "x"}, content_type="application/json").status_code
        == 404
    )
    assert theirs.reference not in api.get(URL).content.decode()
    assert other_api.get(f"{URL}{theirs.reference}/").status_code == 200


def test_requests_for_information_are_listed_and_answered(cast, api):
    awaiting = ReferralFactory(
        status=Status.AWAITING_INFORMATION,
        referring_organisation=cast.organisation,
        decision="request_information",
        decision_reason="Please send the police summary.",
        information_requested_at=timezone.now(),
    )
    ReferralFactory(status=Status.AWAITING_INFORMATION, referring_organisation=cast.other_organisation)
    listed = api.get("/api/v1/information-requests/").json()
    assert [r["reference"] for r in listed["results"]] == [awaiting.reference]
    assert listed["results"][0]["question"] == "Please send the police summary."
    refused = api.post(f"{URL}{awaiting.reference}/answer/", {"answer": ""}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "answer"
    answered = api.post(
        f"{URL}{awaiting.reference}/answer/", {"answer": "Summary attached to follow."}, content_type="application/json"
    )
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "screening"
    assert answered.json()["answers_sent"][0]["text"] == "Summary attached to follow."
    again = api.post(f"{URL}{awaiting.reference}/answer/", {"answer": "More"}, content_type="application/json")
    assert again.status_code == 409


def test_a_document_is_checked_as_a_portal_upload_is(cast, api):
    referral = ReferralFactory(status=Status.SCREENING, referring_organisation=cast.organisation)
    url = f"{URL}{referral.reference}/documents/"
    sent = api.post(url, {"kind": "police_summary", "file": SimpleUploadedFile("summary.pdf", PDF)})
    assert sent.status_code == 201, sent.content
    assert sent.json()["name"] == "summary.pdf"
    assert referral.documents.count() == 1
    wrong = api.post(url, {"kind": "police_summary", "file": SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")})
    assert wrong.status_code == 400
    assert wrong.json()["errors"][0]["field"] == "file"
    missing = api.post(url, {"kind": "nonsense"})
    assert {e["field"] for e in missing.json()["errors"]} == {"kind", "file"}
    assert referral.documents.count() == 1


def test_a_referral_across_an_information_barrier_is_not_found(cast, token, api):
    """The token's account sent Stan's referral; Vera (his victim) has a case of her own, referred
    by the same organisation: her referral is across the barrier from the token, so 404."""
    from casework.cases.tests.factories import barrier_pair

    pair = barrier_pair(cast)
    stan_referral, vera_referral = pair.stan_referral, pair.vera_referral
    Referral.objects.filter(pk=stan_referral.pk).update(created_by=token.token.user)
    assert api.get(f"{URL}{stan_referral.reference}/").status_code == 200
    assert api.get(f"{URL}{vera_referral.reference}/").status_code == 404
    assert api.get(f"/api/v1/fhir/ServiceRequest/{vera_referral.reference}").status_code == 404
    assert vera_referral.reference not in api.get(URL).content.decode()
