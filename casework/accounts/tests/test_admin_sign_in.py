"""Getting people signed in: the one-time set-password link an administrator makes for a new
user (or to reset a password), and unlocking an account django-axes has locked."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from casework.accounts.models import User
from casework.accounts.queries import sign_in_lock
from casework.accounts.tests.factories import TEST_PASSWORD, UserFactory
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Role

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
NEW_PASSWORD = "a long and unguessable phrase 7"


def last_event(obj, action: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action).latest(
        "sequence"
    )


def issue_link(client: Client, subject: User) -> str:
    response = client.post(reverse("staff_admin:user_set_password_link", args=[subject.pk]))
    assert response.status_code == 200
    match = re.search(r'data-testid="set-password-link"><code>([^<]+)</code>', response.content.decode())
    assert match, "the link is shown"
    return html_lib.unescape(match.group(1))


@pytest.fixture
def newcomer(cast, client_for):
    """An account made through the page, so it has no usable password."""
    client_for(cast.sysadmin).post(
        reverse("staff_admin:user_create"),
        {
            "full_name": "Nell Newcomer",
            "email": "nell@nsc.example.nhs.uk",
            "role": Role.REFERRALS_COORDINATOR.value,
            "profession": "",
            "job_title": "",
            "phone": "",
            "organisation": "",
        },
    )
    return User.objects.get(email="nell@nsc.example.nhs.uk")


# --- The link -------------------------------------------------------------------------------


def test_a_new_user_sets_their_password_with_the_link_and_can_then_sign_in(cast, client_for, newcomer):
    admin = client_for(cast.sysadmin)
    confirm = admin.get(reverse("staff_admin:user_set_password_link", args=[newcomer.pk]))
    assert confirm.status_code == 200
    assert "stops working after 3 days" in confirm.content.decode()
    link = issue_link(admin, newcomer)
    assert link.startswith("http://testserver/set-password/")

    visitor = Client()
    first = visitor.get(link)
    assert first.status_code == 302
    form_url = first["Location"]
    assert (
        form_url.endswith("/set/") and link.rstrip("/").rsplit("/", 1)[-1] not in form_url
    )  # token out of the address
    form = visitor.get(form_url)
    assert form.status_code == 200
    assert "nell@nsc.example.nhs.uk" in form.content.decode()

    done = visitor.post(form_url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:sign_in")
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)
    event = last_event(newcomer, Action.UPDATE)
    assert event.actor == newcomer
    assert event.changes == {"sign_in": {"old": "set-password link issued", "new": "password set"}}

    signed_in = Client().post(
        reverse("accounts:sign_in"), {"email": "nell@nsc.example.nhs.uk", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_issuing_the_link_is_audited_without_the_token(cast, client_for, newcomer):
    link = issue_link(client_for(cast.sysadmin), newcomer)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    event = last_event(newcomer, Action.UPDATE)
    assert event.actor == cast.sysadmin
    assert event.changes == {"sign_in": {"old": "no password", "new": "set-password link issued"}}
    assert token not in str(event.changes) and token not in event.reason and token not in event.object_label


def test_the_link_works_once(cast, client_for, newcomer):
    link = issue_link(client_for(cast.sysadmin), newcomer)
    visitor = Client()
    form_url = visitor.get(link)["Location"]
    visitor.post(form_url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    again = Client().get(link)
    assert again.status_code == 404
    assert "This link does not work" in again.content.decode()
    # Nor can the first visitor use the form a second time.
    assert (
        visitor.post(
            form_url, {"password": "another long phrase 99", "password_again": "another long phrase 99"}
        ).status_code
        == 404
    )


def test_a_newer_link_replaces_an_older_one(cast, client_for, newcomer):
    admin = client_for(cast.sysadmin)
    older = issue_link(admin, newcomer)
    newer = issue_link(admin, newcomer)
    assert Client().get(older).status_code == 404
    assert Client().get(newer).status_code == 302


def test_a_made_up_or_tampered_link_does_not_work(cast, client_for, newcomer):
    link = issue_link(client_for(cast.sysadmin), newcomer)
    assert Client().get(link[:-3] + "xx/").status_code == 404
    assert Client().get(reverse("staff_admin:set_password", args=["bm9wZQ", "abc-123"])).status_code == 404
    assert Client().get(reverse("staff_admin:set_password", args=["!!", "set"])).status_code == 404
    # The form address without a token in the session.
    uid = link.rstrip("/").split("/")[-2]
    assert Client().get(reverse("staff_admin:set_password", args=[uid, "set"])).status_code == 404


def test_the_link_expires(cast, client_for, newcomer, settings):
    link = issue_link(client_for(cast.sysadmin), newcomer)
    settings.PASSWORD_RESET_TIMEOUT = -1
    assert Client().get(link).status_code == 404


def test_the_link_stops_working_when_the_account_is_disabled(cast, client_for, newcomer):
    admin = client_for(cast.sysadmin)
    link = issue_link(admin, newcomer)
    admin.post(reverse("staff_admin:user_disable", args=[newcomer.pk]))
    assert Client().get(link).status_code == 404


def test_a_refused_password_shows_a_message_per_field(cast, client_for, newcomer):
    link = issue_link(client_for(cast.sysadmin), newcomer)
    visitor = Client()
    form_url = visitor.get(link)["Location"]
    response = visitor.post(form_url, {"password": "short", "password_again": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert "This password is too short" in html
    assert "Enter the new password again" in html
    response = visitor.post(form_url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD + "x"})
    assert response.status_code == 400
    assert "The passwords do not match" in response.content.decode()
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()


def test_resetting_an_existing_password_stops_it_working_and_signs_them_out(cast, client_for):
    their_client = client_for(cast.coordinator)
    admin = client_for(cast.sysadmin)
    confirm = admin.get(reverse("staff_admin:user_set_password_link", args=[cast.coordinator.pk])).content.decode()
    assert "Their current password will stop working" in confirm
    issue_link(admin, cast.coordinator)
    cast.coordinator.refresh_from_db()
    assert not cast.coordinator.check_password(TEST_PASSWORD)
    assert their_client.get(reverse("core:my_work")).status_code == 302
    assert last_event(cast.coordinator, Action.UPDATE).changes == {
        "sign_in": {"old": "password set", "new": "set-password link issued"}
    }


def test_administrator_cannot_make_a_link_for_their_own_account_or_a_disabled_one(cast, client_for):
    disabled = UserFactory(role=Role.CLINICIAN, is_active=False)
    admin = client_for(cast.sysadmin)
    assert admin.post(reverse("staff_admin:user_set_password_link", args=[cast.sysadmin.pk])).status_code == 403
    assert admin.post(reverse("staff_admin:user_set_password_link", args=[disabled.pk])).status_code == 403


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_make_links(cast, client_for, role):
    client = client_for(cast.by_name(role))
    url = reverse("staff_admin:user_set_password_link", args=[cast.other_clinician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    cast.other_clinician.refresh_from_db()
    assert cast.other_clinician.check_password(TEST_PASSWORD)


# --- Unlocking --------------------------------------------------------------------------------


@pytest.fixture
def locked_clinician(cast):
    """A clinician (outside the cast, whose clients sign in and so clear their own attempts)
    locked out by too many wrong passwords."""
    clinician = UserFactory(role=Role.CLINICIAN, email="locked.out@nsc.example.nhs.uk")
    cache.clear()  # the per-address throttle is counted in the cache
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:sign_in"), {"email": clinician.email, "password": "wrong password"})
    assert sign_in_lock(clinician).locked
    yield clinician
    cache.clear()


def test_the_account_page_shows_the_lock(cast, client_for, locked_clinician):
    html = (
        client_for(cast.sysadmin).get(reverse("staff_admin:user_detail", args=[locked_clinician.pk])).content.decode()
    )
    assert "Locked" in html and f"after {settings.AXES_FAILURE_LIMIT} failed attempts" in html
    assert reverse("staff_admin:user_unlock", args=[locked_clinician.pk]) in html


def test_unlocking_lets_them_sign_in_again_and_is_audited(cast, client_for, locked_clinician):
    refused = Client().post(reverse("accounts:sign_in"), {"email": locked_clinician.email, "password": TEST_PASSWORD})
    assert refused.status_code == 429
    admin = client_for(cast.sysadmin)
    assert admin.get(reverse("staff_admin:user_unlock", args=[locked_clinician.pk])).status_code == 200
    assert admin.post(reverse("staff_admin:user_unlock", args=[locked_clinician.pk])).status_code == 302
    assert not sign_in_lock(locked_clinician).locked
    assert not AccessAttempt.objects.filter(username=locked_clinician.email).exists()
    event = last_event(locked_clinician, Action.UPDATE)
    assert event.actor == cast.sysadmin
    assert event.changes == {"sign_in_lock": {"old": "locked", "new": "unlocked"}}
    signed_in = Client().post(reverse("accounts:sign_in"), {"email": locked_clinician.email, "password": TEST_PASSWORD})
    assert signed_in.status_code == 302


def test_unlocking_an_account_that_is_not_locked_is_refused_with_a_message(cast, client_for):
    cache.clear()
    response = client_for(cast.sysadmin).post(reverse("staff_admin:user_unlock", args=[cast.clinician.pk]))
    assert response.status_code == 400
    assert "This account is not locked" in response.content.decode()
    assert not AuditEvent.objects.filter(object_id=str(cast.clinician.pk), action=Action.UPDATE).exists()


def test_another_accounts_failures_do_not_lock_this_one(cast, locked_clinician):
    assert not sign_in_lock(cast.other_clinician).locked


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_unlock(cast, client_for, role, locked_clinician):
    client = client_for(cast.by_name(role))
    url = reverse("staff_admin:user_unlock", args=[locked_clinician.pk])
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert sign_in_lock(locked_clinician).locked
