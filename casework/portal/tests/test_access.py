"""Who may use the agency portal: agency referrers of the organisation. Clinic staff get 403
(the portal is for referring agencies); another organisation gets 404; a draft is its author's
alone, so a colleague in the same organisation gets 404 on it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.accounts.tests.factories import UserFactory
from casework.core.roles import Role
from casework.portal.tests.portal_support import answers, complete_draft
from casework.referrals.choices import Status
from casework.referrals.models import Referral
from casework.referrals.tests.factories import LetterFactory, NamedPartyFactory, ReferralFactory

STAFF = ["coordinator", "clinician", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin"]


@pytest.fixture
def world(cast):
    draft = complete_draft(cast.agency)
    referral = ReferralFactory(referring_organisation=cast.organisation)
    letter = LetterFactory(referral=referral)
    return {"draft": draft, "referral": referral, "letter": letter}


def organisation_pages(world) -> list[str]:
    reference = world["referral"].reference
    return [
        reverse("portal:referrals"),
        reverse("portal:drafts"),
        reverse("portal:start"),
        reverse("portal:detail", kwargs={"reference": reference}),
        reverse("portal:confirmation", kwargs={"reference": reference}),
        reverse("portal:letter", kwargs={"reference": reference, "letter_id": world["letter"].pk}),
        reverse("portal:letter_pdf", kwargs={"reference": reference, "letter_id": world["letter"].pk}),
    ]


def draft_pages(world) -> list[str]:
    draft_id = world["draft"].pk
    pages = [reverse("portal:step", kwargs={"draft_id": draft_id, "step": slug}) for slug in answers(1)]
    return pages + [
        reverse("portal:parties", kwargs={"draft_id": draft_id}),
        reverse("portal:party_change", kwargs={"draft_id": draft_id, "index": 1}),
        reverse("portal:party_remove", kwargs={"draft_id": draft_id, "index": 1}),
        reverse("portal:check", kwargs={"draft_id": draft_id}),
        reverse("portal:discard", kwargs={"draft_id": draft_id}),
    ]


def test_the_agency_referrer_can_open_every_portal_page(cast, client_for, world):
    client = client_for(cast.agency)
    for url in organisation_pages(world) + draft_pages(world):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("role", STAFF)
def test_clinic_staff_are_refused_every_portal_page(role, cast, client_for, world):
    client = client_for(cast.by_name(role))
    for url in organisation_pages(world) + draft_pages(world):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", STAFF)
def test_clinic_staff_cannot_start_or_send_a_referral(role, cast, client_for, world):
    client = client_for(cast.by_name(role))
    before = Referral.objects.count()
    assert client.post(reverse("portal:start")).status_code == 403
    assert client.post(reverse("portal:check", kwargs={"draft_id": world["draft"].pk})).status_code == 403
    assert Referral.objects.count() == before
    world["draft"].refresh_from_db()
    assert world["draft"].status == Status.DRAFT


def test_signed_out_visitors_are_sent_to_sign_in(client_for, world):
    client = client_for(None)
    for url in organisation_pages(world) + draft_pages(world):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/")


def test_another_organisation_sees_none_of_its_drafts_or_referrals(cast, client_for, world):
    client = client_for(cast.agency_other)
    for url in organisation_pages(world)[3:] + draft_pages(world):
        assert client.get(url).status_code == 404, url
    # Its own lists work, and show nothing of the first organisation's.
    response = client.get(reverse("portal:referrals"))
    assert response.status_code == 200
    assert world["referral"].reference not in response.content.decode()


def test_a_colleague_cannot_open_or_change_someone_elses_draft(cast, client_for, world):
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    client = client_for(colleague)
    for url in draft_pages(world):
        assert client.get(url).status_code == 404, url
    draft = world["draft"]
    url = reverse("portal:step", kwargs={"draft_id": draft.pk, "step": "behaviour"})
    assert client.post(url, answers(cast.organisation.pk)["behaviour"]).status_code == 404
    assert client.post(reverse("portal:check", kwargs={"draft_id": draft.pk})).status_code == 404
    assert client.post(reverse("portal:discard", kwargs={"draft_id": draft.pk})).status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT
    assert draft.behaviour_summary != answers(cast.organisation.pk)["behaviour"]["behaviour_summary"]


def test_a_colleague_follows_the_organisations_sent_referrals(cast, client_for, world):
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    response = client_for(colleague).get(reverse("portal:detail", kwargs={"reference": world["referral"].reference}))
    assert response.status_code == 200


def test_a_disabled_agency_account_cannot_use_the_portal(cast, client_for, world):
    client = client_for(cast.agency)
    cast.agency.is_active = False
    cast.agency.save()
    response = client.get(reverse("portal:referrals"))
    assert response.status_code in (302, 403)


def test_pages_that_do_not_exist_answer_404(cast, client_for, world):
    client = client_for(cast.agency)
    draft = world["draft"]
    assert client.get(reverse("portal:step", kwargs={"draft_id": draft.pk, "step": "nonsense"})).status_code == 404
    assert client.get(reverse("portal:step", kwargs={"draft_id": draft.pk, "step": "parties"})).status_code == 404
    assert client.get(reverse("portal:party_change", kwargs={"draft_id": draft.pk, "index": 9})).status_code == 404
    assert client.get(reverse("portal:step", kwargs={"draft_id": 999999, "step": "services"})).status_code == 404
    assert client.get(reverse("portal:detail", kwargs={"reference": "REF-2026-99999"})).status_code == 404


def test_a_letter_is_reached_only_through_its_own_referral(cast, client_for, world):
    other = ReferralFactory(referring_organisation=cast.organisation)
    url = reverse("portal:letter", kwargs={"reference": other.reference, "letter_id": world["letter"].pk})
    assert client_for(cast.agency).get(url).status_code == 404


def test_a_sent_referral_is_not_editable_through_its_draft_pages(cast, client_for, world):
    """After sending, the back button leads to the question pages: they point to the status page."""
    sent = ReferralFactory(referring_organisation=cast.organisation, created_by=cast.agency)
    NamedPartyFactory(referral=sent)
    client = client_for(cast.agency)
    for url in [
        reverse("portal:step", kwargs={"draft_id": sent.pk, "step": "subject"}),
        reverse("portal:check", kwargs={"draft_id": sent.pk}),
    ]:
        response = client.post(url, answers(cast.organisation.pk)["subject"])
        assert response.status_code == 302
        assert response["Location"] == reverse("portal:detail", kwargs={"reference": sent.reference})
    sent.refresh_from_db()
    assert sent.subject_given_name != "Adam"


def test_a_draft_is_never_shown_as_a_sent_referral(cast, client_for, world):
    draft = world["draft"]
    draft_with_reference = ReferralFactory(
        referring_organisation=cast.organisation,
        created_by=cast.agency,
        status=Status.DRAFT,
    )
    client = client_for(cast.agency)
    url = reverse("portal:detail", kwargs={"reference": draft_with_reference.reference})
    assert client.get(url).status_code == 404
    assert draft.reference == ""


def test_portal_pages_are_never_cached(cast, client_for, world):
    """Agency staff may share computers: pages with case details must not be kept by the browser."""
    client = client_for(cast.agency)
    for url in organisation_pages(world) + draft_pages(world):
        assert "no-store" in client.get(url)["Cache-Control"], url
