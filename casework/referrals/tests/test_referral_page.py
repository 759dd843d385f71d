"""The referral page, changing status by hand, and break-glass access."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casework.audit.models import Action, Alert, AuditEvent, BreakGlassGrant
from casework.referrals.choices import Service, Status
from casework.referrals.models import Transition
from casework.referrals.tests.factories import (
    LetterFactory,
    ReferralDocumentFactory,
    ReferralFactory,
    TransitionFactory,
)


@pytest.fixture
def referral(cast):
    referral = ReferralFactory(
        referring_organisation=cast.organisation,
        subject_given_name="Percy",
        subject_family_name="Pursuer",
        services=[Service.STALKER_ASSESSMENT, Service.STALKER_TREATMENT],
        parties=[{"role": "victim", "name": "Vera Victimson", "relationship_to_subject": "Former partner"}],
        custody_establishment="",
        report_due_on=timezone.localdate() + dt.timedelta(days=20),
    )
    TransitionFactory(
        referral=referral,
        from_status=Status.DRAFT,
        to_status=Status.RECEIVED,
        by=cast.coordinator,
        reason="Logged from email",
    )
    return referral


def test_the_page_shows_every_section_and_is_audited(cast, client_for, referral):
    ReferralDocumentFactory(referral=referral, original_name="instruction.pdf")
    LetterFactory(referral=referral)
    response = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/")
    assert response.status_code == 200
    page = response.content.decode()
    for heading in (
        "Referrer",
        "Services asked for",
        "The person referred",
        "Other people involved",
        "The behaviour",
        "Legal position",
        "Where an assessment would happen",
        "Key dates",
        "Funding",
        "Eligibility",
        "Documents",
        "Letters",
        "History",
    ):
        assert f'<h2 class="nhsuk-heading-m">{heading}</h2>' in page, heading
    assert "Percy Pursuer" in page and "Vera Victimson" in page
    assert "Treatment of the person who stalks" in page
    assert "only under compulsion" in page  # the eligibility rule's reason
    assert "Days from receipt to decision" in page and "3 days so far" in page
    assert "Logged from email" in page
    assert "instruction.pdf" in page
    assert "Request for more information" in page
    assert "Received" in page  # status tag
    event = AuditEvent.objects.get(action=Action.VIEW, object_type="referrals.referral")
    assert event.object_label == referral.reference and event.actor == cast.coordinator


def test_the_actions_offered_come_from_the_rules(cast, client_for, referral):
    coordinator_page = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Screen this referral" in coordinator_page
    assert "Start screening" in coordinator_page
    assert "Change the referral&#39;s details" in coordinator_page
    assert "Allocate to a clinician" not in coordinator_page
    referral.status = Status.ACCEPTED
    referral.save()
    lead_page = client_for(cast.clinical_lead).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Allocate to a clinician" in lead_page
    referral.status = Status.ALLOCATED
    referral.lead_clinician = cast.clinician
    referral.save()
    clinician_page = client_for(cast.clinician).get(f"/referrals/{referral.reference}/").content.decode()
    assert "Add a document" in clinician_page
    assert "Change the referral&#39;s details" not in clinician_page
    assert "Close the referral" not in clinician_page


@pytest.mark.parametrize("who", ["clinician", "finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_others_get_404(cast, client_for, referral, who):
    assert client_for(getattr(cast, who)).get(f"/referrals/{referral.reference}/").status_code == 404
    assert not AuditEvent.objects.filter(action=Action.VIEW, object_type="referrals.referral").exists()


def test_a_draft_is_404_on_the_staff_side(cast, client_for):
    draft = ReferralFactory(status=Status.DRAFT, reference="DRAFT-1")
    assert client_for(cast.coordinator).get(f"/referrals/{draft.reference}/").status_code == 404


def test_an_unknown_reference_is_404(cast, client_for, db):
    assert client_for(cast.coordinator).get("/referrals/REF-2026-99999/").status_code == 404


# --- Changing status by hand -----------------------------------------------------------------


def test_start_screening_from_the_page(cast, client_for, referral):
    client = client_for(cast.coordinator)
    assert client.get(f"/referrals/{referral.reference}/status/screening/").status_code == 200
    response = client.post(f"/referrals/{referral.reference}/status/screening/", {"reason": ""})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    assert Transition.objects.filter(referral=referral, to_status=Status.SCREENING, by=cast.coordinator).exists()


def test_information_received_returns_the_referral_to_screening(cast, client_for):
    referral = ReferralFactory(status=Status.AWAITING_INFORMATION)
    client = client_for(cast.coordinator)
    assert (
        "Information received: return to screening" in client.get(f"/referrals/{referral.reference}/").content.decode()
    )
    client.post(f"/referrals/{referral.reference}/status/screening/", {"reason": "Police summary arrived"})
    referral.refresh_from_db()
    assert referral.status == Status.SCREENING
    assert referral.transitions.get(to_status=Status.SCREENING).reason == "Police summary arrived"


def test_closing_needs_a_reason_and_keeps_the_page(cast, client_for):
    referral = ReferralFactory(status=Status.DECLINED)
    response = client_for(cast.coordinator).post(f"/referrals/{referral.reference}/status/closed/", {"reason": ""})
    assert response.status_code == 400
    assert "Enter why the referral is closed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.DECLINED


def test_an_invalid_transition_shows_its_message(cast, client_for):
    referral = ReferralFactory(status=Status.RECEIVED)
    client = client_for(cast.coordinator)
    response = client.get(f"/referrals/{referral.reference}/status/closed/")
    assert response.status_code == 409
    assert "A referral that is received cannot become closed. From received it can become: screening, withdrawn." in (
        response.content.decode()
    )
    response = client.post(f"/referrals/{referral.reference}/status/closed/", {"reason": "Done with it"})
    assert response.status_code == 400
    assert "A referral that is received cannot become closed" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED
    assert not AuditEvent.objects.filter(action=Action.TRANSITION).exists()


def test_a_step_with_its_own_page_is_not_offered_by_hand(cast, client_for):
    referral = ReferralFactory(status=Status.SCREENING)
    assert client_for(cast.coordinator).post(f"/referrals/{referral.reference}/status/accepted/").status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("clinician", 404),
        ("finance", 404),
        ("researcher", 404),
        ("sysadmin", 404),
        ("agency", 404),
        ("agency_other", 404),
    ],
)
def test_others_cannot_change_status(cast, client_for, who, status):
    referral = ReferralFactory(referring_organisation=cast.organisation)
    response = client_for(getattr(cast, who)).post(
        f"/referrals/{referral.reference}/status/withdrawn/", {"reason": "Because I can"}
    )
    assert response.status_code == status
    referral.refresh_from_db()
    assert referral.status == Status.RECEIVED


def test_the_allocated_clinician_cannot_close(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    response = client_for(cast.clinician).post(f"/referrals/{referral.reference}/status/closed/", {"reason": "Done"})
    assert response.status_code == 403


# --- Break-glass -------------------------------------------------------------------------------


def test_an_unallocated_clinician_breaks_glass_with_a_reason(cast, client_for, referral):
    client = client_for(cast.other_clinician)
    url = f"/referrals/{referral.reference}/break-glass/"
    assert client.get(f"/referrals/{referral.reference}/").status_code == 404
    page = client.get(url)
    assert page.status_code == 200
    assert "Percy" not in page.content.decode()  # nothing of the referral before the reason is given
    refused = client.post(url, {"reason": "too short"})
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    response = client.post(url, {"reason": "Called by the police out of hours about an urgent risk."})
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    grant = BreakGlassGrant.objects.get(user=cast.other_clinician)
    assert grant.object_label == referral.reference
    assert Alert.objects.filter(recipient=cast.clinical_lead, grant=grant).exists()
    assert AuditEvent.objects.filter(action=Action.BREAK_GLASS, actor=cast.other_clinician).exists()
    shown = client.get(f"/referrals/{referral.reference}/")
    assert shown.status_code == 200
    assert "You have break-glass access until" in shown.content.decode()
    assert "Called by the police out of hours" in shown.content.decode()


def test_the_grant_expires(cast, client_for, referral):
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=cast.other_clinician,
        object_type="referrals.referral",
        object_id=str(referral.pk),
        object_label=referral.reference,
        reason="An old reason given long ago",
        granted_at=now - dt.timedelta(days=2),
        expires_at=now - dt.timedelta(days=1),
    )
    assert client_for(cast.other_clinician).get(f"/referrals/{referral.reference}/").status_code == 404


def test_an_allocated_clinician_has_no_break_glass(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    response = client_for(cast.clinician).get(f"/referrals/{referral.reference}/break-glass/")
    assert response.status_code == 302  # someone already on it goes straight to it
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert not BreakGlassGrant.objects.exists()


def test_a_clinician_who_already_holds_a_grant_goes_straight_to_the_referral(cast, client_for, referral):
    now = timezone.now()
    BreakGlassGrant.objects.create(
        user=cast.other_clinician,
        object_type="referrals.referral",
        object_id=str(referral.pk),
        object_label=referral.reference,
        reason="Urgent call from the police out of hours",
        granted_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    response = client_for(cast.other_clinician).get(f"/referrals/{referral.reference}/break-glass/")
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert BreakGlassGrant.objects.count() == 1


@pytest.mark.parametrize("who", ["coordinator", "finance", "researcher", "sysadmin", "agency", "agency_other"])
def test_break_glass_is_only_for_clinical_staff(cast, client_for, referral, who):
    client = client_for(getattr(cast, who))
    assert client.get(f"/referrals/{referral.reference}/break-glass/").status_code == 404
    assert (
        client.post(
            f"/referrals/{referral.reference}/break-glass/", {"reason": "Just curious about this referral today."}
        ).status_code
        == 404
    )
    assert not BreakGlassGrant.objects.exists()


def test_a_clinical_lead_who_can_read_the_referral_goes_straight_to_it(cast, client_for, referral):
    """Clinical leads read every referral but those across a barrier from their own cases (for
    those, break-glass: tests/access/test_probe_findings.py)."""
    response = client_for(cast.clinical_lead).get(f"/referrals/{referral.reference}/break-glass/")
    assert response.status_code == 302
    assert not BreakGlassGrant.objects.exists()


def test_break_glass_on_an_unknown_reference_is_404(cast, client_for, db):
    assert client_for(cast.clinician).get("/referrals/REF-2026-99999/break-glass/").status_code == 404


def test_the_history_starts_when_the_referral_was_received_not_when_it_was_logged(cast, client_for):
    """Issue 11.9: the first row showed when a coordinator logged the email, not when it arrived."""
    from casework.core.formatting import datetime_gb

    received = timezone.now() - dt.timedelta(days=3)
    referral = ReferralFactory(status=Status.RECEIVED, received_at=received)
    logged = Transition.objects.create(
        referral=referral,
        from_status=Status.DRAFT,
        to_status=Status.RECEIVED,
        by=cast.coordinator,
        at=timezone.now(),
        reason="Logged from email",
    )
    page = client_for(cast.coordinator).get(f"/referrals/{referral.reference}/").content.decode()
    history = page.split("Status history", 1)[1]
    assert datetime_gb(received) in history
    assert f"Logged from email, {datetime_gb(logged.at)}" in history
    assert history.index(datetime_gb(received)) < history.index("Received")
