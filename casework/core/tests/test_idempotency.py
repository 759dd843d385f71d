"""A create form sent twice creates one record and shows it (issue 9: a retry after a lost answer
made a second referral or incident)."""

from __future__ import annotations

import re

import pytest
from django.urls import resolve, reverse

from casework.cases.models import Incident
from casework.core.idempotency import FIELD, REPLAYED_MESSAGE, creates_record
from casework.core.models import SubmittedForm
from casework.core.tests.test_authorisation_matrix import load_table, url_names
from casework.referrals.models import Referral
from casework.referrals.tests.test_intake import URL as INTAKE_URL
from casework.referrals.tests.test_intake import valid_post
from conftest import CAST_ROLES, signed_in_client

TOKEN = re.compile(r'name="idempotency_token" value="([^"]+)"')

# Every view whose form creates a record. A view that creates a record and is not here (or not
# decorated with @creates_record) fails test_every_create_view_is_listed_and_guarded.
CREATE_VIEWS = {
    "staff_admin:user_create",
    "api_tokens:create",
    "billing:contract_create",
    "billing:tariff_create",
    "billing:quote_create",
    "billing:quote_line_add",
    "billing:invoice_create",
    "billing:payment_create",
    "billing:credit_note_create",
    "staff_admin:training_add",
    "organisations:create",
    "referrals:log",
    "referrals:document_upload",
    "referrals:break_glass",
    "referrals:screening",
    "portal:start",
    "portal:parties",
    "portal:check",
    "portal:document_upload",
    "portal:answer",
    "people:create",
    "people:break_glass",
    "people:link_subject_new",
    "people:link_party_new",
    "people:merge",
    "people:care_team_add",
    "people:detail_add",
    "cases:open",
    "cases:break_glass",
    "cases:team",
    "cases:party_add",
    "cases:incident_add",
    "cases:incident_import",
    "cases:order_add",
    "cases:hearing_add",
    "cases:mappa_meeting_add",
    "cases:agency_add",
    "cases:officer_add",
    "assessments:start",
    "assessments:source_add",
    "assessments:scenario_add",
    "assessments:addendum_add",
    "assessments:reassess",
    "assessments:plan",
    "assessments:action_add",
    "reports:from_referral",
    "reports:add",
    "reports:start",
    "reports:comment_add",
    "reports:issue",
    "reports:release",
    "cases:note_add",
    "cases:addendum_add",
    "treatment:enrol",
    "treatment:outcome_add",
    "treatment:notice_check",
    "treatment:appointment_add",
    "treatment:session_note_add",
    "diary:rooms",
    "victims:plan_agree",
    "victims:message_new",
    "consultations:request_edit",
    "consultations:meeting_add",
    "consultations:convert",
    "research:extract_new",
}
# What the name of a create view looks like; a match outside CREATE_VIEWS must be listed above
# or in NOT_CREATING with the reason.
LOOKS_LIKE_CREATE = re.compile(r"(create|_add|_new|:log|:open$|import|:start|break_glass|:check|:parties|:team$)")
NOT_CREATING = {
    "accounts:passkey_add": "shows the page; the passkey is made by passkey_register_verify (JSON, WebAuthn)",
    "accounts:passkey_create": "a redirect to the passkey page",
    "search:break_glass": "a GET that redirects to a record's own break-glass page (which creates the grant)",
}


def token_in(page: str) -> str:
    found = TOKEN.search(page)
    assert found, "the form carries no idempotency token"
    return found[1]


def test_every_create_view_is_listed_and_guarded():
    names = {name: pattern for name, pattern in url_names()}
    for name in sorted(names):
        if LOOKS_LIKE_CREATE.search(name) and name not in NOT_CREATING:
            assert name in CREATE_VIEWS, f"{name} looks like a create view: guard it with @creates_record and list it"
    for name in sorted(CREATE_VIEWS):
        view = names[name].callback
        assert getattr(view, "creates_record", False), f"{name} is not decorated with @creates_record"


@pytest.fixture
def world(cast):
    from casework.core.tests.matrix_world import build_world

    return build_world(cast)


def _screening_referral(cast):
    """A referral being screened: the decision form shows only then."""
    from casework.referrals.choices import Status
    from casework.referrals.tests.factories import ReferralFactory

    return ReferralFactory(status=Status.SCREENING, referring_organisation=cast.organisation)


# URL arguments where the matrix's record is not one the form can be used on (an agency user has no
# training records to manage; a decision is made only while screening).
KWARGS = {
    "staff_admin:training_add": lambda cast: {"pk": cast.clinician.pk},
    "referrals:screening": lambda cast: {"reference": _screening_referral(cast).reference},
}
# Pages whose form appears once something has been searched for (the person to add to a case is
# found, then picked).
QUERIES = {"cases:party_add": "?find=a"}
# Create views that only take a POST: the page whose form posts to them (a request's page starts
# its report; the report's page carries the comment form).
FORM_PAGES = {
    "reports:start": "reports:detail",
    "reports:comment_add": "reports:write",
    "treatment:notice_check": "treatment:notices",
    "treatment:session_note_add": "treatment:appointment_detail",
}


def test_every_create_form_carries_a_token_issued_when_it_is_rendered(cast, world):
    table = load_table()
    for name in sorted(CREATE_VIEWS):
        kwargs = KWARGS[name](cast) if name in KWARGS else world.kwargs_for(FORM_PAGES.get(name, name))
        url = reverse(FORM_PAGES.get(name, name), kwargs=kwargs or None) + QUERIES.get(name, "")
        pages = (
            signed_in_client(cast.by_name(role)).get(url)
            for role in CAST_ROLES[1:]
            if table[FORM_PAGES.get(name, name)][role] in ("200", "403", "404")
        )
        page = next((p.content.decode() for p in pages if p.status_code == 200), None)
        assert page is not None, f"nobody may open {name} ({url})"
        assert 'method="post"' in page.lower(), f"no form on the page of {name}"
        token_in(page)


def test_the_same_referral_sent_twice_is_logged_once_and_the_second_answer_shows_the_first(cast):
    client = signed_in_client(cast.coordinator)
    token = token_in(client.get(INTAKE_URL).content.decode())
    first = client.post(INTAKE_URL, {**valid_post(cast.organisation), FIELD: token})
    second = client.post(INTAKE_URL, {**valid_post(cast.organisation), FIELD: token}, follow=True)
    assert first.status_code == 302
    assert Referral.objects.count() == 1
    assert second.redirect_chain[0][0] == first["Location"]
    assert REPLAYED_MESSAGE in second.content.decode()


def test_a_retry_after_the_answer_was_lost_creates_nothing_more(cast, client_for):
    """The first request committed, but its answer never reached the browser; the user signs in
    again (a new session) and sends the same form."""
    from casework.cases.tests.factories import make_case
    from casework.cases.tests.test_incidents import form_data

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    url = reverse("cases:incident_add", args=[case.reference])
    token = token_in(signed_in_client(cast.clinician).get(url).content.decode())
    signed_in_client(cast.clinician).post(url, {**form_data(), FIELD: token})  # the answer is lost
    retry = signed_in_client(cast.clinician).post(url, {**form_data(), FIELD: token})
    assert retry.status_code == 302
    assert retry["Location"] == reverse("cases:detail", args=[case.reference]) + "#timeline"
    assert Incident.objects.filter(case=case).count() == 1
    assert SubmittedForm.objects.count() == 1


def test_a_refused_form_does_not_use_up_its_token(cast):
    client = signed_in_client(cast.coordinator)
    token = token_in(client.get(INTAKE_URL).content.decode())
    refused = client.post(INTAKE_URL, {**valid_post(cast.organisation, referrer_name=""), FIELD: token})
    assert refused.status_code == 400
    assert token_in(refused.content.decode()) == token  # the corrected form is the same submission
    assert client.post(INTAKE_URL, {**valid_post(cast.organisation), FIELD: token}).status_code == 302
    assert Referral.objects.count() == 1


def test_a_token_issued_to_someone_else_is_refused(cast):
    from casework.accounts.tests.factories import UserFactory
    from casework.core.roles import Role

    other = UserFactory(role=Role.REFERRALS_COORDINATOR)
    token = token_in(signed_in_client(other).get(INTAKE_URL).content.decode())
    response = signed_in_client(cast.coordinator).post(INTAKE_URL, {**valid_post(cast.organisation), FIELD: token})
    assert response.status_code == 400
    assert "this form has expired" in response.content.decode()
    assert not Referral.objects.exists()


def test_two_different_tokens_are_two_records(cast):
    client = signed_in_client(cast.coordinator)
    for _ in range(2):
        token = token_in(client.get(INTAKE_URL).content.decode())
        assert client.post(INTAKE_URL, {**valid_post(cast.organisation), FIELD: token}).status_code == 302
    assert Referral.objects.count() == 2


def test_the_decorator_marks_the_view():
    assert creates_record(lambda request: None).creates_record is True
    assert resolve(INTAKE_URL).func.creates_record is True


def test_a_token_shared_by_two_forms_of_a_page_makes_a_record_for_each(cast):
    """A page's forms carry the same token; each form posts to its own address, and is its own
    submission."""
    from casework.cases.models import Hearing
    from casework.cases.tests.factories import make_case
    from casework.cases.tests.test_incidents import form_data

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    client = signed_in_client(cast.clinician)
    token = token_in(client.get(reverse("cases:incident_add", args=[case.reference])).content.decode())
    assert (
        client.post(reverse("cases:incident_add", args=[case.reference]), {**form_data(), FIELD: token}).status_code
        == 302
    )
    hearing = client.post(
        reverse("cases:hearing_add", args=[case.reference]),
        {"kind": "court", "hearing_on_day": "1", "hearing_on_month": "2", "hearing_on_year": "2027", FIELD: token},
    )
    assert hearing.status_code == 302
    assert Incident.objects.filter(case=case).count() == 1
    assert Hearing.objects.filter(case=case).count() == 1
