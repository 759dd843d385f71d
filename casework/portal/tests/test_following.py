"""Following referrals: "Your referrals" lists the organisation's referrals (paginated, filtered by
status) and the user's drafts; a referral's status page shows what the agency should see, and
nothing internal to the clinic."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, AuditEvent
from casework.cases.tests.factories import make_case, ready_referral
from casework.core.roles import Role
from casework.core.testing import assert_page_queries_flat
from casework.portal.tests.portal_support import complete_draft
from casework.referrals.choices import Decision, Status
from casework.referrals.models import Letter
from casework.referrals.tests.factories import LetterFactory, NamedPartyFactory, ReferralFactory, TransitionFactory


@pytest.fixture
def agency_client(cast, client_for):
    return client_for(cast.agency)


def test_the_list_shows_the_organisations_referrals_and_nothing_else(cast, agency_client):
    ours = ReferralFactory(
        referring_organisation=cast.organisation,
        subject_given_name="Zak",
        subject_family_name="Quill",
        report_due_on=dt.date(2027, 1, 15),
        services=["stalker_assessment", "report_parole"],
    )
    theirs = ReferralFactory(referring_organisation=cast.other_organisation)
    colleague = UserFactory(role=Role.AGENCY_REFERRER, organisation=cast.organisation)
    colleagues_draft = complete_draft(colleague, subject_given_name="Hidden", subject_family_name="Draftperson")
    response = agency_client.get(reverse("portal:referrals"))
    html = response.content.decode()
    assert response.status_code == 200
    assert ours.reference in html and theirs.reference not in html
    assert "Z Q" in html and "Quill" not in html  # initials only in the list
    assert "Report for a parole application" in html and "15 January 2027" in html
    assert "Draftperson" not in html and f"/new/{colleagues_draft.pk}/" not in html
    assert AuditEvent.objects.filter(action=Action.VIEW, object_label="portal referral list, page 1").exists()


def test_the_list_shows_the_users_own_drafts_with_continue_and_delete(cast, agency_client):
    draft = complete_draft(cast.agency, portal_step="legal")
    html = agency_client.get(reverse("portal:referrals")).content.decode()
    assert "Your drafts (1)" in html
    assert reverse("portal:step", kwargs={"draft_id": draft.pk, "step": "legal"}) in html
    assert reverse("portal:discard", kwargs={"draft_id": draft.pk}) in html


def test_more_than_five_drafts_link_to_the_paginated_list_of_drafts(cast, agency_client):
    for _ in range(7):
        complete_draft(cast.agency)
    html = agency_client.get(reverse("portal:referrals")).content.decode()
    assert "See all 7 drafts" in html
    drafts = agency_client.get(reverse("portal:drafts")).content.decode()
    assert "Showing 1 to 7 of 7 drafts" in drafts


def test_the_list_paginates(cast, agency_client):
    ReferralFactory.create_batch(30, referring_organisation=cast.organisation)
    first = agency_client.get(reverse("portal:referrals")).content.decode()
    assert "Showing 1 to 25 of 30 referrals" in first
    second = agency_client.get(reverse("portal:referrals") + "?page=2").content.decode()
    assert "Showing 26 to 30 of 30 referrals" in second


def test_the_list_filters_by_status(cast, agency_client):
    waiting = ReferralFactory(referring_organisation=cast.organisation, status=Status.AWAITING_INFORMATION)
    received = ReferralFactory(referring_organisation=cast.organisation)
    html = agency_client.get(reverse("portal:referrals") + "?status=awaiting_information").content.decode()
    assert waiting.reference in html and received.reference not in html
    refused = agency_client.get(reverse("portal:referrals") + "?status=nonsense")
    assert refused.status_code == 400
    assert "Select a status from the list" in refused.content.decode()


def test_the_empty_list_says_what_will_appear(cast, agency_client):
    html = agency_client.get(reverse("portal:referrals")).content.decode()
    assert "Your organisation has not sent any referrals yet." in html


def test_the_list_runs_the_same_number_of_queries_however_many_referrals(cast, agency_client):
    ReferralFactory(referring_organisation=cast.organisation, services=["stalker_assessment", "report_mappa"])
    complete_draft(cast.agency)

    def grow() -> None:
        ReferralFactory.create_batch(
            20, referring_organisation=cast.organisation, services=["consultation", "report_police"]
        )
        for _ in range(6):
            complete_draft(cast.agency)

    assert_page_queries_flat(agency_client, reverse("portal:referrals"), grow=grow)


def test_the_status_page_runs_the_same_number_of_queries_however_much_history(cast, agency_client):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    LetterFactory(referral=referral)
    TransitionFactory(referral=referral)
    NamedPartyFactory(referral=referral)
    url = reverse("portal:detail", kwargs={"reference": referral.reference})

    def grow() -> None:
        LetterFactory.create_batch(4, referral=referral)
        TransitionFactory.create_batch(5, referral=referral)
        NamedPartyFactory.create_batch(5, referral=referral)

    assert_page_queries_flat(agency_client, url, grow=grow)


@pytest.fixture
def allocated(cast):
    clinician = UserFactory(role=Role.CLINICIAN, full_name="Dr Quentin Secretname")
    referral = ReferralFactory(
        referring_organisation=cast.organisation,
        status=Status.ALLOCATED,
        lead_clinician=clinician,
        decision=Decision.ACCEPT,
        decision_reason="Internal: accepted after discussion at the screening meeting",
        decided_at=timezone.now(),
        allocated_at=timezone.now(),
    )
    coordinator = UserFactory(role=Role.REFERRALS_COORDINATOR, full_name="Cecil Coordname")
    for from_status, to_status, reason in [
        (Status.DRAFT, Status.RECEIVED, "Logged from email"),
        (Status.RECEIVED, Status.SCREENING, "Screening started"),
        (Status.SCREENING, Status.AWAITING_INFORMATION, "Internal: police summary missing, ring DC"),
        (Status.AWAITING_INFORMATION, Status.SCREENING, "Information received"),
        (Status.SCREENING, Status.ACCEPTED, "Internal: accepted after discussion"),
        (Status.ACCEPTED, Status.ALLOCATED, "Internal: Quentin has capacity"),
    ]:
        TransitionFactory(
            referral=referral, from_status=from_status, to_status=to_status, reason=reason, by=coordinator
        )
    LetterFactory(referral=referral, body_html="<p>Please send the <strong>police summary</strong>.</p>")
    return referral


def test_the_status_page_shows_status_history_and_letters(cast, agency_client, allocated):
    response = agency_client.get(reverse("portal:detail", kwargs={"reference": allocated.reference}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Allocated" in html and "allocated to a clinician" in html
    for status in ("Received", "Screening", "Awaiting information", "Accepted"):
        assert status in html
    assert "Request for more information" in html
    event = AuditEvent.objects.get(action=Action.VIEW, object_id=str(allocated.pk))
    assert event.object_label == allocated.reference and event.actor == cast.agency


def test_the_status_page_never_shows_staff_reasons_or_other_staff_names(cast, agency_client, allocated):
    allocated.second_assessor = UserFactory(role=Role.CLINICIAN, full_name="Dr Sally Hiddenassessor")
    allocated.save()
    html = agency_client.get(reverse("portal:detail", kwargs={"reference": allocated.reference})).content.decode()
    assert "Internal" not in html
    assert "Coordname" not in html and "Hiddenassessor" not in html


@pytest.mark.parametrize("page", ["portal:detail", "portal:confirmation"])
def test_once_allocated_the_agency_sees_its_clinicians_name_and_how_to_reach_the_clinic(
    cast,
    agency_client,
    allocated,
    page,
    settings,
):
    settings.CLINIC_PHONE = "0300 555 0100"
    html = agency_client.get(reverse(page, kwargs={"reference": allocated.reference})).content.decode()
    assert "Your clinician is <strong>Dr Quentin Secretname</strong>" in html
    assert "0300 555 0100" in html and allocated.reference in html


@pytest.mark.parametrize("page", ["portal:detail", "portal:confirmation"])
def test_before_allocation_no_clinician_is_named(cast, agency_client, page):
    referral = ReferralFactory(referring_organisation=cast.organisation, status=Status.ACCEPTED)
    html = agency_client.get(reverse(page, kwargs={"reference": referral.reference})).content.decode()
    assert "Your clinician" not in html


def test_the_agency_sees_when_a_case_was_opened_and_nothing_from_the_case(cast, agency_client):
    referral = ready_referral(
        lead_clinician=cast.clinician, referring_organisation=cast.organisation, allocated_at=timezone.now()
    )
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=dt.UTC), tick=False):
        case = make_case(lead=cast.clinician, by=cast.clinical_lead, referral=referral)
    html = agency_client.get(reverse("portal:detail", kwargs={"reference": referral.reference})).content.decode()
    assert f"Your clinician is <strong>{cast.clinician.full_name}</strong>" in html
    assert "Case opened" in html and "opened a case for this work on 4 March 2026" in html
    assert case.reference not in html


def test_a_letter_is_shown_as_issued_and_its_reading_audited(cast, agency_client, allocated):
    letter = allocated.letters.get()
    response = agency_client.get(
        reverse("portal:letter", kwargs={"reference": allocated.reference, "letter_id": letter.pk})
    )
    assert response.status_code == 200
    assert "<strong>police summary</strong>" in response.content.decode()
    assert AuditEvent.objects.filter(
        action=Action.VIEW, object_type="referrals.letter", object_id=str(letter.pk)
    ).exists()


def test_a_letter_can_be_downloaded_as_a_pdf_and_the_export_is_audited(cast, agency_client, allocated):
    letter = allocated.letters.get()
    response = agency_client.get(
        reverse("portal:letter_pdf", kwargs={"reference": allocated.reference, "letter_id": letter.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    event = AuditEvent.objects.get(action=Action.EXPORT, object_type="referrals.letter", object_id=str(letter.pk))
    assert event.actor == cast.agency and event.object_label == f"{allocated.reference} letter {letter.pk}"


def test_a_status_page_says_what_was_sent(cast, agency_client):
    referral = ReferralFactory(referring_organisation=cast.organisation, behaviour_summary="Line one\nLine <two>")
    NamedPartyFactory(referral=referral, name="Vera Victim", relationship_to_subject="Former partner")
    html = agency_client.get(reverse("portal:detail", kwargs={"reference": referral.reference})).content.decode()
    assert "Line one<br>Line &lt;two&gt;" in html
    assert "Vera Victim" in html and "Relationship: Former partner" in html


@pytest.mark.parametrize("kind", [kind.value for kind in Letter.Kind])
def test_every_letter_issued_on_the_referral_is_listed_with_its_pdf(cast, agency_client, kind):
    referral = ReferralFactory(referring_organisation=cast.organisation, status=Status.SCREENING)
    letter = LetterFactory(referral=referral, kind=kind)
    html = agency_client.get(reverse("portal:detail", kwargs={"reference": referral.reference})).content.decode()
    pdf = reverse("portal:letter_pdf", kwargs={"reference": referral.reference, "letter_id": letter.pk})
    assert letter.get_kind_display() in html and pdf in html
    assert agency_client.get(pdf).content.startswith(b"%PDF")
