"""The case team (clinical leads manage it) and the case's status (hold, close with a reason, reopen)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import UserFactory
from casework.audit.models import Action, AuditEvent
from casework.cases.choices import CaseStatus, TeamRole
from casework.cases.errors import CaseRefused
from casework.cases.models import Case
from casework.cases.services.team import case_change_status, team_add, team_remove
from casework.core.roles import Role


def test_a_lead_adds_a_clinician_who_can_then_open_the_case(cast, world, client_for):
    client = client_for(cast.clinical_lead)
    response = client.post(
        reverse("cases:team", args=[world.case.reference]), {"user": str(cast.other_clinician.pk), "role": "clinician"}
    )
    assert response.status_code == 302
    assert world.case.team.filter(user=cast.other_clinician, role=TeamRole.CLINICIAN).exists()
    assert client_for(cast.other_clinician).get(reverse("cases:detail", args=[world.case.reference])).status_code == 200
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_type="cases.case").latest("sequence")
    assert any(key.startswith("team ") for key in event.changes)


def test_a_new_lead_clinician_makes_the_old_one_a_clinician(cast, world):
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.LEAD_CLINICIAN, by=cast.clinical_lead)
    assert dict(world.case.team.values_list("user_id", "role")) == {
        cast.clinician.pk: TeamRole.CLINICIAN,
        cast.other_clinician.pk: TeamRole.LEAD_CLINICIAN,
    }


def test_a_clinician_on_the_team_can_be_made_lead(cast, world):
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.LEAD_CLINICIAN, by=cast.clinical_lead)
    assert world.case.team.get(role=TeamRole.LEAD_CLINICIAN).user == cast.other_clinician


def test_someone_already_on_the_team_is_not_added_twice(cast, world, client_for):
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    response = client_for(cast.clinical_lead).post(
        reverse("cases:team", args=[world.case.reference]), {"user": str(cast.other_clinician.pk), "role": "clinician"}
    )
    assert response.status_code == 400
    assert "Oscar Other is already on the team" in response.content.decode()
    # The lead clinician is not offered at all.
    page = client_for(cast.clinical_lead).get(reverse("cases:team", args=[world.case.reference])).content.decode()
    assert f'value="{cast.clinician.pk}"' not in page


def test_only_clinicians_and_leads_join_teams(cast, world):
    with pytest.raises(CaseRefused):
        team_add(case=world.case, user=cast.coordinator, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    with pytest.raises(CaseRefused):
        team_add(case=world.case, user=cast.finance, role=TeamRole.CLINICIAN, by=cast.clinical_lead)


def test_the_team_form_without_a_choice_says_what_to_do(cast, world, client_for):
    response = client_for(cast.clinical_lead).post(reverse("cases:team", args=[world.case.reference]), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Select a clinician or clinical lead" in body and "Select the role on the team" in body


def test_removing_a_member_takes_away_their_access(cast, world, client_for):
    member = team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    url = reverse("cases:team_remove", args=[world.case.reference, member.pk])
    client = client_for(cast.clinical_lead)
    assert "Take Oscar Other off the team?" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    assert client_for(cast.other_clinician).get(reverse("cases:detail", args=[world.case.reference])).status_code == 404


def test_the_lead_clinician_cannot_be_removed(cast, world, client_for):
    lead = world.case.team.get(role=TeamRole.LEAD_CLINICIAN)
    response = client_for(cast.clinical_lead).post(reverse("cases:team_remove", args=[world.case.reference, lead.pk]))
    assert response.status_code == 400
    assert "Choose a new lead clinician" in response.content.decode()
    assert world.case.team.filter(pk=lead.pk).exists()


def test_clinicians_do_not_manage_teams(cast, world):
    with pytest.raises(Exception) as refused:
        team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinician)
    assert refused.type.__name__ == "PermissionDenied"


# --- Status -------------------------------------------------------------------------------------


def test_the_lead_clinician_puts_the_case_on_hold_with_a_reason(cast, world, client_for):
    url = reverse("cases:status", args=[world.case.reference])
    client = client_for(cast.clinician)
    refused = client.post(url, {"to": "on_hold"})
    assert refused.status_code == 400 and "Enter why the case is on hold" in refused.content.decode()
    assert client.post(url, {"to": "on_hold", "note": "In hospital for six weeks"}).status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ON_HOLD
    change = world.case.status_changes.latest("at")
    assert (change.from_status, change.to_status, change.note) == ("open", "on_hold", "In hospital for six weeks")
    event = AuditEvent.objects.filter(action=Action.TRANSITION).latest("sequence")
    assert event.changes["status"] == {"old": "open", "new": "on_hold"}


def test_closing_needs_a_reason_and_records_the_date(cast, world, client_for):
    url = reverse("cases:status", args=[world.case.reference])
    client = client_for(cast.clinician)
    refused = client.post(url, {"to": "closed"})
    assert refused.status_code == 400 and "Select why the case is closing" in refused.content.decode()
    refused = client.post(url, {"to": "closed", "closure_reason": "other"})
    assert "Enter the reason the case is closing" in refused.content.decode()
    assert client.post(url, {"to": "closed", "closure_reason": "work_completed"}).status_code == 302
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.CLOSED and world.case.closed_on == timezone.localdate()
    assert world.case.closure_reason == "work_completed"
    body = client.get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "The work asked for is complete" in body


def test_a_closed_case_is_read_only_until_a_lead_reopens_it(cast, world, client_for):
    case_change_status(case=world.case, to="closed", closure_reason="discharged", by=cast.clinician)
    case = Case.objects.get(pk=world.case.pk)
    assert not cast.clinician.has_perm("cases.edit_clinical", case)
    assert not cast.coordinator.has_perm("cases.edit_admin", case)
    assert client_for(cast.clinician).get(reverse("cases:incident_add", args=[case.reference])).status_code == 403
    with pytest.raises(CaseRefused, match="Only a clinical lead"):
        case_change_status(case=case, to="open", by=cast.clinician)
    case_change_status(case=case, to="open", by=cast.clinical_lead)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closed_on is None and case.closure_reason == ""


def test_a_move_the_case_cannot_make_is_refused(cast, world):
    with pytest.raises(CaseRefused):
        case_change_status(case=world.case, to="open", by=cast.clinical_lead)


def test_a_clinician_who_is_not_the_lead_cannot_change_the_status(cast, world, client_for):
    team_add(case=world.case, user=cast.other_clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    response = client_for(cast.other_clinician).get(reverse("cases:status", args=[world.case.reference]))
    assert response.status_code == 403


def test_staff_roles_on_the_team_list(cast, world):
    clinician = UserFactory(role=Role.CLINICIAN)
    team_add(case=world.case, user=clinician, role=TeamRole.CLINICIAN, by=cast.clinical_lead)
    team_remove(member=world.case.team.get(user=clinician), by=cast.clinical_lead)
    assert not world.case.team.filter(user=clinician).exists()
