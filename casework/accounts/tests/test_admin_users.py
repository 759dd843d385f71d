"""System administrators' user pages: list, create, edit, disable, re-enable, reset the second
factor. Who may use each page, what is refused, and what the audit trail keeps."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts.models import User
from casework.accounts.tests.factories import OrganisationFactory, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Profession, Role
from casework.core.testing import assert_page_queries_flat

NOT_ADMINS = [
    "coordinator",
    "clinician",
    "other_clinician",
    "clinical_lead",
    "finance",
    "researcher",
    "agency",
    "agency_other",
]


def last_event(obj, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).latest(
        "sequence"
    )


def page(response) -> str:
    return response.content.decode()


def summary_value(html: str, key: str) -> str:
    """The text of a summary list row's value, found by its key."""
    match = re.search(r"<dt[^>]*>\s*" + re.escape(key) + r"\s*</dt>\s*<dd[^>]*>(.*?)</dd>", html, re.S)
    assert match, f"no summary row {key!r}"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def new_user_data(**overrides) -> dict:
    data = {
        "full_name": "Nadia Newstarter",
        "email": "Nadia.Newstarter@nsc.example.nhs.uk",
        "role": Role.CLINICIAN.value,
        "profession": Profession.NURSE.value,
        "job_title": "Forensic nurse",
        "phone": "01632 960 001",
        "organisation": "",
    }
    data.update(overrides)
    return data


# --- The list --------------------------------------------------------------------------------


def test_administrator_sees_every_account_in_the_list(cast, client_for):
    response = client_for(cast.sysadmin).get(reverse("staff_admin:user_list"))
    assert response.status_code == 200
    html = page(response)
    for name in ("Clare Clinician", "Lena Lead", "Pat Police", "Otto Outsider", "Sam Sysadmin"):
        assert name in html


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_everyone_else_is_refused_the_user_list(cast, client_for, role):
    assert client_for(cast.by_name(role)).get(reverse("staff_admin:user_list")).status_code == 403


def test_signed_out_visitor_is_sent_to_sign_in(client, db):
    response = client.get(reverse("staff_admin:user_list"))
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_list_filters_by_role_organisation_status_and_search(cast, client_for):
    UserFactory(role=Role.CLINICIAN, full_name="Dora Disabled", is_active=False)
    client = client_for(cast.sysadmin)
    url = reverse("staff_admin:user_list")

    html = page(client.get(url, {"role": Role.AGENCY_REFERRER.value}))
    assert "Pat Police" in html and "Otto Outsider" in html and "Clare Clinician" not in html

    html = page(client.get(url, {"organisation": cast.organisation.pk}))
    assert "Pat Police" in html and "Otto Outsider" not in html

    html = page(client.get(url, {"status": "disabled"}))
    assert "Dora Disabled" in html and "Clare Clinician" not in html

    html = page(client.get(url, {"status": "active"}))
    assert "Dora Disabled" not in html and "Clare Clinician" in html

    html = page(client.get(url, {"q": "LEAD"}))  # email or name, any case
    assert "Lena Lead" in html and "Clare Clinician" not in html

    html = page(client.get(url, {"q": "southshire"}))
    assert "Otto Outsider" in html and "Pat Police" not in html


def test_a_refused_filter_shows_the_error_summary_and_keeps_the_search(cast, client_for):
    response = client_for(cast.sysadmin).get(reverse("staff_admin:user_list"), {"role": "emperor", "q": "Clare"})
    assert response.status_code == 400
    html = page(response)
    assert "There is a problem" in html
    assert "Select a role from the list" in html
    assert 'value="Clare"' in html


def test_list_paginates(cast, client_for):
    UserFactory.create_batch(30, role=Role.REFERRALS_COORDINATOR)
    client = client_for(cast.sysadmin)
    first = page(client.get(reverse("staff_admin:user_list")))
    assert "Showing 1 to 25 of 39 users" in first
    second = page(client.get(reverse("staff_admin:user_list"), {"page": 2}))
    assert "Showing 26 to 39 of 39 users" in second


def test_list_runs_the_same_number_of_queries_however_many_users(cast, client_for):
    client = client_for(cast.sysadmin)
    url = reverse("staff_admin:user_list")
    assert_page_queries_flat(client, url, grow=lambda: UserFactory.create_batch(20, role=Role.AGENCY_REFERRER))


def test_viewing_the_list_is_audited(cast, client_for):
    client_for(cast.sysadmin).get(reverse("staff_admin:user_list"))
    event = AuditEvent.objects.filter(action=Action.VIEW, object_type="accounts.user").latest("sequence")
    assert event.actor == cast.sysadmin
    assert event.object_label == "user list, page 1"


# --- One account ---------------------------------------------------------------------------


def test_administrator_sees_an_account_and_the_view_is_audited(cast, client_for):
    response = client_for(cast.sysadmin).get(reverse("staff_admin:user_detail", args=[cast.agency.pk]))
    assert response.status_code == 200
    html = page(response)
    assert "Pat Police" in html and "Northshire Police" in html
    assert 'data-testid="sign-in-state"' in html
    event = last_event(cast.agency, Action.VIEW)
    assert event.actor == cast.sysadmin
    assert "Pat" not in event.object_label


def test_clinical_lead_sees_staff_read_only_but_not_agency_referrers(cast, client_for):
    client = client_for(cast.clinical_lead)
    response = client.get(reverse("staff_admin:user_detail", args=[cast.clinician.pk]))
    assert response.status_code == 200
    html = page(response)
    assert "Clare Clinician" in html
    assert reverse("staff_admin:user_edit", args=[cast.clinician.pk]) not in html
    assert 'data-testid="sign-in-state"' not in html
    assert client.get(reverse("staff_admin:user_detail", args=[cast.agency.pk])).status_code == 404


@pytest.mark.parametrize(
    "role", ["coordinator", "clinician", "other_clinician", "finance", "researcher", "agency", "agency_other"]
)
def test_others_are_refused_any_account_page_even_their_own(cast, client_for, role):
    me = cast.by_name(role)
    client = client_for(me)
    assert client.get(reverse("staff_admin:user_detail", args=[cast.clinician.pk])).status_code == 403
    assert client.get(reverse("staff_admin:user_detail", args=[me.pk])).status_code == 403


def test_an_account_that_does_not_exist_is_not_found(cast, client_for):
    assert client_for(cast.sysadmin).get(reverse("staff_admin:user_detail", args=[999999])).status_code == 404


# --- Create --------------------------------------------------------------------------------


def test_administrator_creates_a_clinician_without_a_usable_password(cast, client_for):
    response = client_for(cast.sysadmin).post(reverse("staff_admin:user_create"), new_user_data())
    created = User.objects.get(email="nadia.newstarter@nsc.example.nhs.uk")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_admin:user_detail", args=[created.pk])
    assert created.role == Role.CLINICIAN and created.profession == Profession.NURSE
    assert created.job_title == "Forensic nurse" and created.phone == "01632 960 001"
    assert not created.has_usable_password()
    event = last_event(created, Action.CREATE)
    assert event.actor == cast.sysadmin
    assert event.changes["role"] == {"old": None, "new": "clinician"}
    assert event.changes["email"] == {"old": None, "new": "nadia.newstarter@nsc.example.nhs.uk"}
    assert "password" not in event.changes
    assert "Nadia" not in event.object_label


def test_administrator_creates_an_agency_referrer_for_one_organisation(cast, client_for):
    client_for(cast.sysadmin).post(
        reverse("staff_admin:user_create"),
        new_user_data(role=Role.AGENCY_REFERRER.value, profession="", organisation=cast.other_organisation.pk),
    )
    created = User.objects.get(email="nadia.newstarter@nsc.example.nhs.uk")
    assert created.organisation == cast.other_organisation


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "full name"),
        ({"email": "not-an-address"}, "email", "Enter an email address in the correct format"),
        ({"email": "LEAD@nsc.example.nhs.uk"}, "email", "A user with this email address already exists"),
        ({"role": ""}, "role", "Select a role"),
        ({"role": "emperor"}, "role", "Select a role from the list"),
        ({"profession": ""}, "profession", "Select the profession of this clinician"),
        ({"role": Role.FINANCE_OFFICER.value}, "profession", "Only clinicians and clinical leads have a profession"),
        (
            {"role": Role.AGENCY_REFERRER.value, "profession": ""},
            "organisation",
            "Select the organisation this agency referrer works for",
        ),
        ({"organisation": "ORG"}, "organisation", "Select an organisation from the list"),
        ({"phone": "call me maybe"}, "phone", "Enter a telephone number"),
    ],
)
def test_create_refuses_bad_input_with_a_message_per_field_and_keeps_what_was_typed(
    cast, client_for, overrides, field, message
):
    data = new_user_data(**overrides)
    response = client_for(cast.sysadmin).post(reverse("staff_admin:user_create"), data)
    assert response.status_code == 400
    html = page(response)
    assert "There is a problem" in html
    assert message in html
    assert f'href="#id_{field}' in html  # the summary links to the field
    if overrides.get("full_name") != "":
        assert 'value="Nadia Newstarter"' in html
    assert not User.objects.filter(full_name="Nadia Newstarter").exists()


def test_a_clinical_role_with_an_organisation_is_refused(cast, client_for):
    response = client_for(cast.sysadmin).post(
        reverse("staff_admin:user_create"), new_user_data(organisation=cast.organisation.pk)
    )
    assert response.status_code == 400
    assert "Only agency referrers belong to an organisation" in page(response)


def test_a_deactivated_organisation_cannot_be_given_to_a_new_referrer(cast, client_for):
    closed = OrganisationFactory(name="Closed Constabulary", is_active=False)
    client = client_for(cast.sysadmin)
    assert "Closed Constabulary" not in page(client.get(reverse("staff_admin:user_create")))
    response = client.post(
        reverse("staff_admin:user_create"),
        new_user_data(role=Role.AGENCY_REFERRER.value, profession="", organisation=closed.pk),
    )
    assert response.status_code == 400
    assert "Select an organisation from the list" in page(response)


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_create_users(cast, client_for, role):
    client = client_for(cast.by_name(role))
    assert client.get(reverse("staff_admin:user_create")).status_code == 403
    assert client.post(reverse("staff_admin:user_create"), new_user_data()).status_code == 403
    assert not User.objects.filter(full_name="Nadia Newstarter").exists()


# --- Edit ----------------------------------------------------------------------------------


def edit_data(user, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "profession": user.profession,
        "job_title": user.job_title,
        "phone": user.phone,
        "organisation": user.organisation_id or "",
    }
    data.update(overrides)
    return data


def test_edit_form_shows_the_current_values(cast, client_for):
    response = client_for(cast.sysadmin).get(reverse("staff_admin:user_edit", args=[cast.clinician.pk]))
    assert response.status_code == 200
    html = page(response)
    assert 'value="Clare Clinician"' in html and 'value="clinician@nsc.example.nhs.uk"' in html


def test_administrator_changes_a_role_and_the_audit_keeps_old_and_new(cast, client_for):
    subject = cast.other_clinician
    response = client_for(cast.sysadmin).post(
        reverse("staff_admin:user_edit", args=[subject.pk]),
        edit_data(subject, role=Role.CLINICAL_LEAD.value, job_title="Lead psychologist"),
    )
    assert response.status_code == 302
    subject.refresh_from_db()
    assert subject.role == Role.CLINICAL_LEAD and subject.job_title == "Lead psychologist"
    event = last_event(subject, Action.UPDATE)
    assert event.actor == cast.sysadmin
    assert event.changes == {
        "role": {"old": "clinician", "new": "clinical_lead"},
        "job_title": {"old": "", "new": "Lead psychologist"},
    }


def test_moving_a_referrer_to_staff_drops_their_organisation(cast, client_for):
    subject = cast.agency
    client_for(cast.sysadmin).post(
        reverse("staff_admin:user_edit", args=[subject.pk]),
        edit_data(subject, role=Role.REFERRALS_COORDINATOR.value, organisation=""),
    )
    subject.refresh_from_db()
    assert subject.role == Role.REFERRALS_COORDINATOR and subject.organisation is None
    event = last_event(subject, Action.UPDATE)
    assert event.changes["organisation_id"] == {"old": cast.organisation.pk, "new": None}


def test_edit_refuses_an_email_another_account_has(cast, client_for):
    response = client_for(cast.sysadmin).post(
        reverse("staff_admin:user_edit", args=[cast.clinician.pk]),
        edit_data(cast.clinician, email="lead@nsc.example.nhs.uk"),
    )
    assert response.status_code == 400
    assert "A user with this email address already exists" in page(response)
    cast.clinician.refresh_from_db()
    assert cast.clinician.email == "clinician@nsc.example.nhs.uk"


def test_an_unchanged_save_writes_no_change_event(cast, client_for):
    client_for(cast.sysadmin).post(
        reverse("staff_admin:user_edit", args=[cast.clinician.pk]), edit_data(cast.clinician)
    )
    assert not AuditEvent.objects.filter(
        object_type="accounts.user", object_id=str(cast.clinician.pk), action=Action.UPDATE
    ).exists()


def test_administrator_cannot_change_their_own_role(cast, client_for):
    me = cast.sysadmin
    client = client_for(me)
    form = page(client.get(reverse("staff_admin:user_edit", args=[me.pk])))
    assert 'name="role"' not in form
    assert "You cannot change your own role" in form
    response = client.post(
        reverse("staff_admin:user_edit", args=[me.pk]),
        edit_data(me, role=Role.CLINICAL_LEAD.value, profession=Profession.PSYCHIATRIST.value, phone="01632 960 999"),
    )
    # The role in the post is not a field of this form; the profession a non-clinical role may
    # not have is refused.
    assert response.status_code == 400
    response = client.post(
        reverse("staff_admin:user_edit", args=[me.pk]),
        edit_data(me, role=Role.CLINICAL_LEAD.value, phone="01632 960 999"),
    )
    assert response.status_code == 302
    me.refresh_from_db()
    assert me.role == Role.SYSTEM_ADMINISTRATOR and me.phone == "01632 960 999"


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_edit_users(cast, client_for, role):
    client = client_for(cast.by_name(role))
    url = reverse("staff_admin:user_edit", args=[cast.other_clinician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, edit_data(cast.other_clinician, full_name="Hacked")).status_code == 403
    cast.other_clinician.refresh_from_db()
    assert cast.other_clinician.full_name == "Oscar Other"


# --- Disable and re-enable -------------------------------------------------------------------


def test_disabling_ends_every_session_and_is_audited(cast, client_for):
    victim_client = client_for(cast.clinician)
    assert victim_client.get(reverse("core:my_work")).status_code == 200
    admin = client_for(cast.sysadmin)
    assert admin.get(reverse("staff_admin:user_disable", args=[cast.clinician.pk])).status_code == 200
    response = admin.post(reverse("staff_admin:user_disable", args=[cast.clinician.pk]))
    assert response.status_code == 302
    cast.clinician.refresh_from_db()
    assert not cast.clinician.is_active and cast.clinician.deactivated_at is not None
    assert victim_client.get(reverse("core:my_work")).status_code == 302  # signed out
    event = last_event(cast.clinician, Action.UPDATE)
    assert event.changes == {"is_active": {"old": True, "new": False}}


def test_re_enabling_is_audited(cast, client_for):
    subject = UserFactory(role=Role.FINANCE_OFFICER, is_active=False)
    admin = client_for(cast.sysadmin)
    assert admin.get(reverse("staff_admin:user_enable", args=[subject.pk])).status_code == 200
    assert admin.post(reverse("staff_admin:user_enable", args=[subject.pk])).status_code == 302
    subject.refresh_from_db()
    assert subject.is_active and subject.deactivated_at is None
    assert last_event(subject, Action.UPDATE).changes == {"is_active": {"old": False, "new": True}}


def test_a_referrer_of_a_deactivated_organisation_is_not_re_enabled(cast, client_for):
    closed = OrganisationFactory(is_active=False)
    subject = UserFactory(role=Role.AGENCY_REFERRER, organisation=closed, is_active=False)
    response = client_for(cast.sysadmin).post(reverse("staff_admin:user_enable", args=[subject.pk]))
    assert response.status_code == 400
    assert "This organisation has been deactivated" in page(response)
    subject.refresh_from_db()
    assert not subject.is_active


def test_enable_is_refused_for_an_active_account_and_disable_for_a_disabled_one(cast, client_for):
    disabled = UserFactory(role=Role.CLINICIAN, is_active=False)
    admin = client_for(cast.sysadmin)
    assert admin.post(reverse("staff_admin:user_enable", args=[cast.clinician.pk])).status_code == 403
    assert admin.post(reverse("staff_admin:user_disable", args=[disabled.pk])).status_code == 403


def test_nobody_disables_themselves(cast, client_for):
    admin = client_for(cast.sysadmin)
    assert admin.get(reverse("staff_admin:user_disable", args=[cast.sysadmin.pk])).status_code == 403
    assert admin.post(reverse("staff_admin:user_disable", args=[cast.sysadmin.pk])).status_code == 403
    cast.sysadmin.refresh_from_db()
    assert cast.sysadmin.is_active


def test_the_service_refuses_self_disable_and_self_role_change_too(cast):
    from django.core.exceptions import PermissionDenied

    from casework.accounts.services import user_update

    with pytest.raises(PermissionDenied):
        user_update(user=cast.sysadmin, by=cast.sysadmin, is_active=False)
    with pytest.raises(PermissionDenied):
        user_update(user=cast.sysadmin, by=cast.sysadmin, role=Role.CLINICAL_LEAD, profession=Profession.NURSE)
    cast.sysadmin.refresh_from_db()
    assert cast.sysadmin.is_active and cast.sysadmin.role == Role.SYSTEM_ADMINISTRATOR


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_disable_and_enable(cast, client_for, role):
    disabled = UserFactory(role=Role.CLINICIAN, is_active=False)
    client = client_for(cast.by_name(role))
    assert client.post(reverse("staff_admin:user_disable", args=[cast.other_clinician.pk])).status_code == 403
    assert client.post(reverse("staff_admin:user_enable", args=[disabled.pk])).status_code == 403
    cast.other_clinician.refresh_from_db()
    disabled.refresh_from_db()
    assert cast.other_clinician.is_active and not disabled.is_active


# --- Second factor -----------------------------------------------------------------------------


def test_resetting_the_second_factor_removes_devices_ends_sessions_and_is_audited(cast, client_for):
    victim_client = client_for(cast.clinician)  # has a TOTP device, signed in
    StaticDevice.objects.create(user=cast.clinician, name="Recovery codes", confirmed=True)
    admin = client_for(cast.sysadmin)
    page_html = page(admin.get(reverse("staff_admin:user_reset_second_factor", args=[cast.clinician.pk])))
    assert "Their authenticator app, recovery codes and passkeys will stop working" in page_html
    assert admin.post(reverse("staff_admin:user_reset_second_factor", args=[cast.clinician.pk])).status_code == 302
    assert not TOTPDevice.objects.filter(user=cast.clinician).exists()
    assert not StaticDevice.objects.filter(user=cast.clinician).exists()
    assert victim_client.get(reverse("core:my_work")).status_code == 302
    event = last_event(cast.clinician, Action.UPDATE)
    assert event.actor == cast.sysadmin
    assert event.changes == {"second_factor": {"old": "set up", "new": "reset"}}


def test_administrator_cannot_reset_their_own_second_factor_here(cast, client_for):
    admin = client_for(cast.sysadmin)
    assert admin.post(reverse("staff_admin:user_reset_second_factor", args=[cast.sysadmin.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=cast.sysadmin).exists()


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_reset_second_factors(cast, client_for, role):
    client = client_for(cast.by_name(role))
    TOTPDevice.objects.create(user=cast.other_clinician, name="Authenticator app", confirmed=True)
    url = reverse("staff_admin:user_reset_second_factor", args=[cast.other_clinician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert TOTPDevice.objects.filter(user=cast.other_clinician).exists()


def test_account_page_offers_only_the_actions_the_administrator_may_take(cast, client_for):
    TOTPDevice.objects.create(user=cast.clinician, name="Authenticator app", confirmed=True)
    admin = client_for(cast.sysadmin)
    own = page(admin.get(reverse("staff_admin:user_detail", args=[cast.sysadmin.pk])))
    assert reverse("staff_admin:user_disable", args=[cast.sysadmin.pk]) not in own
    assert reverse("staff_admin:user_reset_second_factor", args=[cast.sysadmin.pk]) not in own
    other = page(admin.get(reverse("staff_admin:user_detail", args=[cast.clinician.pk])))
    assert reverse("staff_admin:user_disable", args=[cast.clinician.pk]) in other
    assert reverse("staff_admin:user_reset_second_factor", args=[cast.clinician.pk]) in other
    assert summary_value(other, "Second factor") == "Set up"
    newcomer = page(admin.get(reverse("staff_admin:user_detail", args=[cast.finance.pk])))
    assert summary_value(newcomer, "Second factor").startswith("Not set up")
