"""Opening a case from an accepted referral, and adding a referral's work to an open case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, AuditEvent
from casework.cases.choices import CaseKind, CaseStatus, PartyRole, TeamRole
from casework.cases.errors import CaseRefused
from casework.cases.models import Case
from casework.cases.services.opening import case_add_referral, case_open
from casework.cases.tests.factories import ready_referral
from casework.core.roles import Role
from casework.people.tests.factories import create_person
from casework.referrals.choices import Service, Status, SubjectRole
from casework.referrals.tests.factories import ReferralFactory


def test_the_lead_opens_a_case_from_an_allocated_referral(cast, client_for):
    victim = create_person(by=cast.coordinator, given_name="Vi", family_name="Tim")
    second = UserFactory(role=Role.CLINICIAN, full_name="Sec Ond")
    referral = ready_referral(
        lead_clinician=cast.clinician, second_assessor=second, victims=[(victim, "Vi Tim", "Former partner")]
    )
    client = client_for(cast.clinical_lead)
    assert referral.reference in client.get(reverse("cases:open_list")).content.decode()
    page = client.get(reverse("cases:open", args=[referral.reference]))
    assert page.status_code == 200
    assert "Vi Tim (Victim)" in page.content.decode()
    response = client.post(
        reverse("cases:open", args=[referral.reference]),
        {"target": "new", "kind": "perpetrator", "lead_clinician": str(cast.clinician.pk)},
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.reference])
    assert case.reference.startswith("CASE-") and case.status == CaseStatus.OPEN and case.kind == CaseKind.PERPETRATOR
    assert dict(case.team.values_list("user_id", "role")) == {
        cast.clinician.pk: TeamRole.LEAD_CLINICIAN,
        second.pk: TeamRole.CLINICIAN,
    }
    party = case.parties.get(role=PartyRole.VICTIM)
    assert (
        party.person == victim and party.name_as_given == "Vi Tim" and party.relationship_to_subject == "Former partner"
    )
    assert case.status_changes.get().to_status == CaseStatus.OPEN
    event = AuditEvent.objects.filter(action=Action.CREATE, object_type="cases.case").get()
    assert event.object_label == case.reference and event.changes["referral"]["new"] == referral.reference
    # The referral is no longer waiting for a case.
    assert referral.reference not in client.get(reverse("cases:open_list")).content.decode()


def test_the_page_suggests_a_victim_case_for_a_person_stalked(cast, client_for):
    referral = ready_referral(lead_clinician=cast.clinician, subject_role=SubjectRole.VICTIM)
    body = client_for(cast.clinical_lead).get(reverse("cases:open", args=[referral.reference])).content.decode()
    assert 'value="victim" checked' in body


def test_the_page_suggests_a_consultation_when_only_consultation_is_asked_for(cast):
    from casework.cases.views.opening import suggested_kind

    referral = ready_referral(lead_clinician=cast.clinician, services=[Service.CONSULTATION])
    assert suggested_kind(referral) == CaseKind.CONSULTATION


def test_a_refused_form_says_what_is_missing_and_keeps_the_choice(cast, client_for):
    referral = ready_referral(lead_clinician=None, status=Status.ACCEPTED)
    response = client_for(cast.clinical_lead).post(
        reverse("cases:open", args=[referral.reference]), {"target": "new", "kind": "consultation"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body and "Select a lead clinician" in body
    assert 'value="consultation" checked' in body
    assert not Case.objects.exists()


@pytest.mark.parametrize("status", [Status.RECEIVED, Status.SCREENING, Status.DECLINED, Status.CLOSED])
def test_only_accepted_or_allocated_referrals_open_cases(cast, client_for, status):
    referral = ready_referral(lead_clinician=cast.clinician, status=status)
    assert client_for(cast.clinical_lead).get(reverse("cases:open", args=[referral.reference])).status_code == 404
    with pytest.raises(CaseRefused):
        case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)


def test_a_referral_whose_subject_is_not_linked_cannot_open_a_case(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    client = client_for(cast.clinical_lead)
    # The page explains instead of opening (a POST opens nothing either).
    assert (
        "Link the person referred first"
        in client.get(reverse("cases:open", args=[referral.reference])).content.decode()
    )
    client.post(
        reverse("cases:open", args=[referral.reference]),
        {"target": "new", "kind": "perpetrator", "lead_clinician": str(cast.clinician.pk)},
    )
    assert not Case.objects.exists()
    with pytest.raises(CaseRefused, match="Link the referral's subject"):
        case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)


def test_a_referral_opens_one_case_only(cast):
    referral = ready_referral(lead_clinician=cast.clinician)
    case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    with pytest.raises(CaseRefused, match="already in a case"):
        case_open(referral=referral, kind="perpetrator", lead_clinician=cast.clinician, by=cast.clinical_lead)
    assert Case.objects.count() == 1


def test_a_new_referral_adds_its_work_to_the_persons_open_case(cast, world, client_for):
    new_party = create_person(by=cast.coordinator, given_name="New", family_name="Partner")
    second = UserFactory(role=Role.CLINICIAN, full_name="Newly Allocated")
    referral = ready_referral(
        subject=world.subject, lead_clinician=second, victims=[(new_party, "New Partner", "Her new partner")]
    )
    client = client_for(cast.clinical_lead)
    page = client.get(reverse("cases:open", args=[referral.reference])).content.decode()
    assert f"Add to {world.case.reference}" in page
    response = client.post(reverse("cases:open", args=[referral.reference]), {"target": str(world.case.pk)})
    assert response.status_code == 302
    assert Case.objects.count() == 1
    assert world.case.case_referrals.count() == 2
    assert world.case.team.filter(user=second, role=TeamRole.CLINICIAN).exists()
    assert world.case.parties.filter(person=new_party).exists()


def test_work_cannot_be_added_to_another_persons_case_or_a_closed_one(cast, world):
    someone_else = ready_referral(lead_clinician=cast.clinician)
    with pytest.raises(CaseRefused, match="another person"):
        case_add_referral(case=world.case, referral=someone_else, by=cast.clinical_lead)
    Case.objects.filter(pk=world.case.pk).update(
        status=CaseStatus.CLOSED, closed_on="2026-11-01", closure_reason="other"
    )
    same_person = ready_referral(subject=world.subject, lead_clinician=cast.clinician)
    with pytest.raises(CaseRefused, match="open or on-hold"):
        case_add_referral(case=world.case, referral=same_person, by=cast.clinical_lead)


def test_opening_a_victim_case_seals_the_subject_and_shares_with_the_team(cast):
    from casework.people.queries import can_see_sealed_details, is_on_care_team

    victim = create_person(by=cast.coordinator, given_name="Ada", family_name="Stalked")
    referral = ready_referral(subject=victim, lead_clinician=cast.clinician, subject_role=SubjectRole.VICTIM)
    case = case_open(referral=referral, kind=CaseKind.VICTIM, lead_clinician=cast.clinician, by=cast.clinical_lead)
    victim.refresh_from_db()
    assert victim.is_sealed
    assert is_on_care_team(cast.clinician, victim)
    assert can_see_sealed_details(cast.clinician, victim)
    assert not can_see_sealed_details(cast.other_clinician, victim)
    assert case.parties.get(role=PartyRole.SUBJECT).person == victim


def test_a_lead_cannot_put_themselves_on_a_victim_case_they_open(cast, client_for):
    victim = create_person(by=cast.coordinator, given_name="Ada", family_name="Stalked")
    referral = ready_referral(subject=victim, lead_clinician=cast.clinical_lead, subject_role=SubjectRole.VICTIM)
    response = client_for(cast.clinical_lead).post(
        reverse("cases:open", args=[referral.reference]),
        {"target": "new", "kind": "victim", "lead_clinician": str(cast.clinical_lead.pk)},
    )
    assert response.status_code == 400
    assert "You cannot put yourself on the team of a victim case" in response.content.decode()
    assert not Case.objects.exists()
    victim.refresh_from_db()
    assert not victim.is_sealed


def test_open_a_case_before_the_person_is_linked_says_why_and_links_on_the_way(cast, client_for):
    """Issue 11.1: "Open a case" on an accepted referral whose subject had no person record
    answered "Page not found". It now says why, and linking the person returns to the case."""
    referral = ReferralFactory(
        status=Status.ALLOCATED,
        lead_clinician=cast.clinician,
        subject_given_name="Noel",
        subject_family_name="Unlinked",
    )
    client = client_for(cast.clinical_lead)
    open_url = reverse("cases:open", args=[referral.reference])
    page = client.get(open_url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Link the person referred first" in body
    link_url = f"{reverse('people:link_subject', args=[referral.reference])}?next={open_url.replace('/', '%2F')}"
    assert f'href="{link_url}"' in body
    person = create_person(by=cast.coordinator, given_name="Noel", family_name="Unlinked")
    linked = client.post(link_url, {"person": person.reference})
    assert linked.status_code == 302 and linked["Location"] == open_url
    assert client.get(open_url).status_code == 200
    assert "Open a case" in client.get(open_url).content.decode()


def test_the_link_step_returns_only_to_this_site(cast, client_for):
    referral = ReferralFactory(status=Status.ALLOCATED, lead_clinician=cast.clinician)
    person = create_person(by=cast.coordinator, given_name="Ann", family_name="Other")
    link_url = reverse("people:link_subject", args=[referral.reference])
    answer = client_for(cast.clinical_lead).post(f"{link_url}?next=https://evil.example/", {"person": person.reference})
    assert answer["Location"] == reverse("referrals:detail", args=[referral.reference])


def test_a_referral_not_yet_accepted_is_still_not_found(cast, client_for):
    referral = ReferralFactory(status=Status.SCREENING)
    assert client_for(cast.clinical_lead).get(reverse("cases:open", args=[referral.reference])).status_code == 404
