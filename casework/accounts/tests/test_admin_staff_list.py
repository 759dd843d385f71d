"""The read-only staff list (clinical leads, and administrators), and the header navigation
that leads to the administration pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.accounts.tests.factories import TrainingRecordFactory, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.formatting import date_gb
from casework.core.roles import Instrument, Role
from casework.core.testing import assert_page_queries_flat

REFUSED = ["coordinator", "clinician", "other_clinician", "finance", "researcher", "agency", "agency_other"]


def test_clinical_lead_sees_staff_and_their_training_but_no_agency_referrers(cast, client_for):
    expired_on = timezone.localdate() - dt.timedelta(days=3)
    TrainingRecordFactory(
        user=cast.other_clinician,
        instrument=Instrument.SAM,
        trained_on=expired_on - dt.timedelta(days=700),
        expires_on=expired_on,
    )
    response = client_for(cast.clinical_lead).get(reverse("staff_admin:staff_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Clare Clinician", "Oscar Other", "Cora Coordinator", "Sam Sysadmin"):
        assert name in html
    assert "Pat Police" not in html and "Otto Outsider" not in html
    assert "Stalking Risk Profile (SRP)" in html and "Current" in html
    assert f"Expired {date_gb(expired_on)}" in html
    # Read-only: no way from here to change anyone.
    assert reverse("staff_admin:user_create") not in html
    assert "/edit/" not in html


def test_staff_list_shows_active_staff_unless_asked(cast, client_for):
    UserFactory(role=Role.CLINICIAN, full_name="Lapsed Leaver", is_active=False)
    client = client_for(cast.clinical_lead)
    url = reverse("staff_admin:staff_list")
    assert "Lapsed Leaver" not in client.get(url).content.decode()
    assert "Lapsed Leaver" not in client.get(url, {"page": 1}).content.decode()
    assert "Lapsed Leaver" in client.get(url, {"status": "disabled"}).content.decode()
    both = client.get(url, {"status": "all"}).content.decode()
    assert "Lapsed Leaver" in both and "Clare Clinician" in both


def test_staff_list_filters_by_role_and_search(cast, client_for):
    client = client_for(cast.clinical_lead)
    url = reverse("staff_admin:staff_list")
    html = client.get(url, {"role": Role.CLINICIAN.value}).content.decode()
    assert "Clare Clinician" in html and "Cora Coordinator" not in html
    html = client.get(url, {"q": "oscar"}).content.decode()
    assert "Oscar Other" in html and "Clare Clinician" not in html
    refused = client.get(url, {"role": Role.AGENCY_REFERRER.value})
    assert refused.status_code == 400
    assert "Select a role from the list" in refused.content.decode()


def test_staff_list_paginates(cast, client_for):
    UserFactory.create_batch(26, role=Role.CLINICIAN)
    html = client_for(cast.clinical_lead).get(reverse("staff_admin:staff_list")).content.decode()
    assert "Showing 1 to 25 of 33 staff" in html


def test_staff_list_runs_the_same_number_of_queries_however_many_staff_and_records(cast, client_for):
    client = client_for(cast.clinical_lead)
    url = reverse("staff_admin:staff_list")

    def grow() -> None:
        for member in UserFactory.create_batch(15, role=Role.CLINICIAN):
            TrainingRecordFactory(user=member)
            TrainingRecordFactory(user=member, instrument=Instrument.SAM)

    assert_page_queries_flat(client, url, grow=grow)


def test_viewing_the_staff_list_is_audited(cast, client_for):
    client_for(cast.clinical_lead).get(reverse("staff_admin:staff_list"))
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="accounts.user").latest("sequence")
    assert event.actor == cast.clinical_lead and event.object_label == "staff list, page 1"


def test_administrators_may_see_the_staff_list_too(cast, client_for):
    assert client_for(cast.sysadmin).get(reverse("staff_admin:staff_list")).status_code == 200


@pytest.mark.parametrize("role", REFUSED)
def test_everyone_else_is_refused_the_staff_list(cast, client_for, role):
    assert client_for(cast.by_name(role)).get(reverse("staff_admin:staff_list")).status_code == 403


# --- Navigation ----------------------------------------------------------------------------------


def nav_links(client) -> set[str]:
    html = client.get(reverse("core:my_work")).content.decode()
    return {
        text for text in ("Staff", "Users", "Organisations") if f">{text}<" in html.replace("\n", "").replace("  ", "")
    }


def test_the_clinical_lead_has_staff_in_the_header(cast, client_for):
    assert nav_links(client_for(cast.clinical_lead)) == {"Staff"}


def test_the_administrator_has_users_and_organisations_in_the_header(cast, client_for):
    assert nav_links(client_for(cast.sysadmin)) == {"Users", "Organisations"}


@pytest.mark.parametrize("role", REFUSED)
def test_nobody_else_has_administration_links(cast, client_for, role):
    assert nav_links(client_for(cast.by_name(role))) == set()


def test_my_work_stays_first_in_the_header():
    from casework.core.navigation import NAVIGATION

    assert NAVIGATION[0].url_name == "core:my_work"
