"""Check your answers, sending a referral, the confirmation page, and deleting a draft."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from casework.portal.forms import STEPS
from casework.portal.tests.portal_support import answers, check_url, complete_draft, in_days, step_url
from casework.referrals.choices import Channel, Status
from casework.referrals.models import Referral, Transition
from casework.referrals.tests.factories import NamedPartyFactory


@pytest.fixture
def agency_client(cast, client_for):
    return client_for(cast.agency)


def change_links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"\s*>Change<', html)


def test_check_answers_shows_every_answer_with_a_change_link_back_to_its_page(cast, agency_client):
    draft = complete_draft(cast.agency, behaviour_summary="Sends flowers to her workplace daily.")
    response = agency_client.get(check_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Adam Testperson",
        "2 June 1981",
        "Victim Person0",
        "Sends flowers to her workplace daily.",
        "Assessment of the person who stalks",
        "Report for sentencing",
        cast.organisation.name,
        "Stalking involving fear of violence or serious alarm or distress (s4A)",
    ):
        assert text in html, text
    links = change_links(html)
    for step in STEPS:
        if step.form_class is not None:
            assert step_url(draft, step.slug, returning=True) in links, step.slug
    assert reverse("portal:parties", kwargs={"draft_id": draft.pk}) + "?return=check" in links
    assert reverse("portal:party_change", kwargs={"draft_id": draft.pk, "index": 1}) + "?return=check" in links
    assert "Some answers are missing" not in html


def test_a_change_from_check_answers_comes_back_to_it(cast, agency_client):
    draft = complete_draft(cast.agency)
    response = agency_client.post(
        step_url(draft, "behaviour", returning=True), answers(cast.organisation.pk)["behaviour"]
    )
    assert response["Location"] == check_url(draft)
    party = reverse("portal:party_change", kwargs={"draft_id": draft.pk, "index": 1}) + "?return=check"
    response = agency_client.post(party, {"role": "victim", "name": "Renamed Person"})
    assert response["Location"] == check_url(draft)
    assert "Renamed Person" in agency_client.get(check_url(draft)).content.decode()


def test_an_unfinished_draft_cannot_be_sent(cast, agency_client):
    draft = complete_draft(cast.agency, portal_step="legal", legal_status="")
    html = agency_client.get(check_url(draft)).content.decode()
    assert "Some answers are missing" in html
    assert step_url(draft, "legal", returning=True) in html
    response = agency_client.post(check_url(draft))
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Legal position: Tell us their legal position" in body
    assert "Key dates: Give the key dates, or say there are none" in body
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT and draft.reference == ""
    assert not Transition.objects.filter(referral=draft).exists()


def test_an_answer_that_is_no_longer_valid_stops_sending(cast, agency_client):
    """A date typed while it was in the future may have passed by the time the draft is sent."""
    draft = complete_draft(cast.agency, report_due_on=in_days(-2))
    response = agency_client.post(check_url(draft))
    assert response.status_code == 400
    assert "Key dates: Report needed by must be today or in the future" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_report_asked_for_after_the_dates_page_needs_its_date_before_sending(cast, agency_client):
    draft = complete_draft(cast.agency, services=["stalker_assessment"], report_due_on=None)
    assert agency_client.get(check_url(draft)).status_code == 200
    agency_client.post(
        step_url(draft, "services", returning=True), {"services": ["stalker_assessment", "report_parole"]}
    )
    response = agency_client.post(check_url(draft))
    assert "Key dates: Enter the date the report is needed by" in response.content.decode()


def test_sending_gives_a_reference_a_transition_and_audit_events(cast, agency_client):
    draft = complete_draft(cast.agency)
    response = agency_client.post(check_url(draft))
    draft.refresh_from_db()
    assert draft.status == Status.RECEIVED
    assert re.fullmatch(rf"REF-{timezone.localdate().year}-\d{{5}}", draft.reference)
    assert draft.received_via == Channel.PORTAL and draft.received_at is not None
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:confirmation", kwargs={"reference": draft.reference})
    transition = Transition.objects.get(referral=draft)
    assert (transition.from_status, transition.to_status, transition.by) == (Status.DRAFT, Status.RECEIVED, cast.agency)
    event = AuditEvent.objects.get(action=Action.TRANSITION, object_id=str(draft.pk))
    assert event.object_label == draft.reference and event.actor == cast.agency
    assert event.changes["status"] == {"old": "draft", "new": "received"}


def test_the_confirmation_page_gives_the_reference_and_what_happens_next(cast, agency_client):
    draft = complete_draft(cast.agency)
    response = agency_client.post(check_url(draft), follow=True)
    html = response.content.decode()
    draft.refresh_from_db()
    assert "nhsuk-panel" in html and "Referral sent" in html
    assert f'<strong data-testid="reference">{draft.reference}</strong>' in html
    assert "What happens next" in html


def test_sending_twice_sends_once(cast, agency_client):
    draft = complete_draft(cast.agency)
    agency_client.post(check_url(draft))
    second = agency_client.post(check_url(draft))
    draft.refresh_from_db()
    assert second.status_code == 302
    assert second["Location"] == reverse("portal:detail", kwargs={"reference": draft.reference})
    assert Transition.objects.filter(referral=draft).count() == 1
    assert Referral.objects.exclude(reference="").count() == 1


def test_a_sent_referral_is_no_longer_a_draft_for_anyone(cast, agency_client):
    draft = complete_draft(cast.agency)
    agency_client.post(check_url(draft))
    html = agency_client.get(reverse("portal:drafts")).content.decode()
    assert "You have no drafts" in html


def test_a_draft_can_be_deleted_after_confirming(cast, agency_client):
    draft = complete_draft(cast.agency)
    url = reverse("portal:discard", kwargs={"draft_id": draft.pk})
    page = agency_client.get(url).content.decode()
    assert "Are you sure you want to delete this draft referral?" in page
    response = agency_client.post(url)
    assert response["Location"] == reverse("portal:referrals")
    assert not Referral.objects.filter(pk=draft.pk).exists()
    event = AuditEvent.objects.get(action=Action.DELETE, object_id=str(draft.pk))
    assert event.object_label == f"draft referral {draft.pk}"
    assert agency_client.get(url).status_code == 404


def test_a_sent_referral_cannot_be_deleted(cast, agency_client):
    draft = complete_draft(cast.agency)
    agency_client.post(check_url(draft))
    response = agency_client.post(reverse("portal:discard", kwargs={"draft_id": draft.pk}))
    assert response.status_code == 302
    assert Referral.objects.filter(pk=draft.pk, status=Status.RECEIVED).exists()


def test_the_whole_journey_through_the_pages(cast, agency_client):
    """Start, answer every page in turn, name two people, check and send."""
    response = agency_client.post(reverse("portal:start"))
    draft = Referral.objects.get(created_by=cast.agency)
    data = answers(cast.organisation.pk)
    for step in STEPS:
        if step.form_class is None:
            url = reverse("portal:parties", kwargs={"draft_id": draft.pk})
            agency_client.post(url, {"action": "add", "role": "victim", "name": "Vera Victim"})
            agency_client.post(url, {"action": "add", "role": "new_partner", "name": "Nat Newpartner"})
            response = agency_client.post(url, {"action": "continue"})
        else:
            response = agency_client.post(step_url(draft, step.slug), data[step.slug])
        assert response.status_code == 302, (step.slug, response.content.decode()[:3000])
    assert response["Location"] == check_url(draft)
    response = agency_client.post(check_url(draft))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.RECEIVED
    assert draft.prison_number == "A1234BC"
    assert [p.name for p in draft.named_parties.all()] == ["Vera Victim", "Nat Newpartner"]
    assert draft.services == ["stalker_assessment", "report_sentencing"]


def test_check_answers_runs_the_same_number_of_queries_however_many_people_are_named(cast, agency_client):
    draft = complete_draft(cast.agency, parties=1)

    assert_page_queries_flat(
        agency_client, check_url(draft), grow=lambda: NamedPartyFactory.create_batch(15, referral=draft)
    )
