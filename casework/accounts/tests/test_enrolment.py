"""A second factor is set up only in the session that used a one-time set-password link, or with a
single-use enrolment code from a system administrator: never with a password alone."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts import enrolment, mfa
from casework.accounts.models import EnrolmentCode, User
from casework.accounts.tests.factories import TEST_PASSWORD, UserFactory
from casework.accounts.tests.test_admin_sign_in import NEW_PASSWORD, NOT_ADMINS, issue_link
from casework.accounts.tests.test_second_factor import (
    ENROLMENT_CODE,
    RECOVERY,
    SET_UP,
    code_for,
    password_client,
)
from casework.accounts.views.mfa import ENROLMENT_WRONG
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Role


@pytest.fixture
def newcomer(db):
    return UserFactory(role=Role.CLINICIAN, email="nia.newstarter@nsc.example.nhs.uk")


def issue(user: User, by: User | None = None) -> str:
    return enrolment.enrolment_code_issue(user=user, by=by or UserFactory(role=Role.SYSTEM_ADMINISTRATOR)).code


def enter(client: Client, code: str):
    return client.post(ENROLMENT_CODE, {"code": code})


def finish_set_up(client: Client, user: User):
    page = client.get(SET_UP)
    assert page.status_code == 200 and "QR code for your authenticator app" in page.content.decode()
    response = client.post(SET_UP, {"code": code_for(mfa.pending_totp_device(user))})
    assert response.status_code == 302 and response["Location"] == RECOVERY
    assert mfa.has_totp(user)


# --- A password alone -------------------------------------------------------------------------------------


def test_a_password_alone_cannot_reach_the_set_up_page_or_its_key(newcomer):
    """Before: the first sign-in with a password showed the QR code, so whoever knew the password
    enrolled their own phone and owned the account."""
    client = password_client(newcomer)
    assert client.get("/")["Location"] == SET_UP
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"] == ENROLMENT_CODE
    page = client.get(ENROLMENT_CODE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You need an enrolment code to set up your security code" in html
    assert "ask for an enrolment code" in html
    assert "QR code for your authenticator app" not in html and "totp-secret" not in html
    # Posting a code to the set-up page does not help either, and no key was even made.
    assert client.post(SET_UP, {"code": "123456"})["Location"] == ENROLMENT_CODE
    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert client.get("/account/security/")["Location"] == SET_UP


def test_a_password_alone_cannot_add_a_passkey_instead(newcomer):
    client = password_client(newcomer)
    assert client.get(reverse("accounts:passkey_add"))["Location"] == SET_UP


# --- The session that used a set-password link ---------------------------------------------------------------


def use_link(link: str, client: Client | None = None) -> Client:
    client = client or Client()
    form_url = client.get(link)["Location"]
    done = client.post(form_url, {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert done.status_code == 302
    return client


def test_the_session_that_used_the_set_password_link_sets_up_the_second_factor(cast, client_for, newcomer):
    client = use_link(issue_link(client_for(cast.sysadmin), newcomer))
    assert (
        client.post(reverse("accounts:sign_in"), {"email": newcomer.email, "password": NEW_PASSWORD}).status_code == 302
    )
    assert client.get("/")["Location"] == SET_UP
    finish_set_up(client, newcomer)
    # The permission is used up with the enrolment.
    assert enrolment.SESSION_KEY not in client.session


def test_another_session_with_the_new_password_still_needs_a_code(cast, client_for, newcomer):
    use_link(issue_link(client_for(cast.sysadmin), newcomer))
    other = Client()
    assert (
        other.post(reverse("accounts:sign_in"), {"email": newcomer.email, "password": NEW_PASSWORD}).status_code == 302
    )
    assert other.get(SET_UP)["Location"] == ENROLMENT_CODE


def test_the_link_session_may_enrol_only_the_account_it_set_the_password_for(cast, client_for, newcomer):
    client = use_link(issue_link(client_for(cast.sysadmin), newcomer))
    someone_else = UserFactory()
    client.post(reverse("accounts:sign_in"), {"email": someone_else.email, "password": TEST_PASSWORD})
    assert client.get(SET_UP)["Location"] == ENROLMENT_CODE


def test_the_link_session_may_enrol_for_a_limited_time(cast, client_for, newcomer, settings):
    settings.CASEWORK_ENROLMENT_WINDOW_MINUTES = 0
    client = use_link(issue_link(client_for(cast.sysadmin), newcomer))
    client.post(reverse("accounts:sign_in"), {"email": newcomer.email, "password": NEW_PASSWORD})
    assert client.get(SET_UP)["Location"] == ENROLMENT_CODE


# --- Enrolment codes ------------------------------------------------------------------------------------------


def test_an_enrolment_code_lets_the_account_holder_set_up_once(newcomer):
    code = issue(newcomer)
    client = password_client(newcomer)
    response = enter(client, code.lower().replace("-", " "))  # however it is typed
    assert response.status_code == 302 and response["Location"] == SET_UP
    finish_set_up(client, newcomer)

    # Used: it does not work again, even after the second factor is reset.
    mfa_devices = TOTPDevice.objects.filter(user=newcomer)
    mfa_devices.delete()
    again = password_client(newcomer)
    response = enter(again, code)
    assert response.status_code == 400
    assert ENROLMENT_WRONG in response.content.decode()
    assert again.get(SET_UP)["Location"] == ENROLMENT_CODE


def test_an_enrolment_code_expires(newcomer, settings):
    code = issue(newcomer)
    EnrolmentCode.objects.filter(user=newcomer).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = enter(password_client(newcomer), code)
    assert response.status_code == 400 and ENROLMENT_WRONG in response.content.decode()
    assert settings.CASEWORK_ENROLMENT_CODE_HOURS == 24
    issued = enrolment.enrolment_code_issue(user=newcomer, by=UserFactory(role=Role.SYSTEM_ADMINISTRATOR))
    assert abs((issued.expires_at - timezone.now()) - dt.timedelta(hours=24)) < dt.timedelta(minutes=1)


def test_a_wrong_code_is_refused_with_a_message_and_kept(newcomer):
    issue(newcomer)
    response = enter(password_client(newcomer), "ABCD-EFGH-JKMN")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_code"' in html
    assert ENROLMENT_WRONG in html
    assert 'value="ABCD-EFGH-JKMN"' in html


def test_an_empty_code_is_refused_with_a_message(newcomer):
    response = enter(password_client(newcomer), "")
    assert response.status_code == 400
    assert "Enter your enrolment code" in response.content.decode()


def test_wrong_codes_are_slowed_down_and_the_code_stops_after_five(newcomer):
    code = issue(newcomer)
    client = password_client(newcomer)
    assert enter(client, "WRNG-WRNG-WRNG").status_code == 400
    # Straight after a wrong code even the right one waits.
    held = enter(client, code)
    assert held.status_code == 400 and "Wait 1 second, then enter the code again" in held.content.decode()
    row = EnrolmentCode.objects.get(user=newcomer)
    assert row.failed_attempts == 1 and row.throttled_until > timezone.now()
    # Four more wrong codes, each from a fresh session (one session ends after five refusals anyway).
    for n in range(4):
        EnrolmentCode.objects.filter(pk=row.pk).update(throttled_until=None)
        assert enter(password_client(newcomer), f"WRNG-WRNG-WRN{n}").status_code == 400
    row.refresh_from_db()
    assert row.failed_attempts == 5 and row.revoked_at is not None
    EnrolmentCode.objects.filter(pk=row.pk).update(throttled_until=None)
    assert enter(password_client(newcomer), code).status_code == 400
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_five_refused_codes_end_the_session(newcomer):
    issue(newcomer)
    client = password_client(newcomer)
    for n in range(4):
        EnrolmentCode.objects.filter(user=newcomer).update(throttled_until=None)
        assert enter(client, f"WRNG-WRNG-WRN{n}").status_code == 400
    EnrolmentCode.objects.filter(user=newcomer).update(throttled_until=None)
    response = enter(client, "WRNG-WRNG-WRN9")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:sign_in")
    assert "_auth_user_id" not in client.session


def test_a_code_works_only_for_the_account_it_was_issued_to(newcomer):
    code = issue(newcomer)
    other = UserFactory()
    assert enter(password_client(other), code).status_code == 400
    assert enter(password_client(newcomer), code).status_code == 302


def test_a_new_code_replaces_the_earlier_one(newcomer):
    first = issue(newcomer)
    second = issue(newcomer)
    assert enter(password_client(newcomer), first).status_code == 400
    EnrolmentCode.objects.filter(user=newcomer).update(throttled_until=None)
    assert enter(password_client(newcomer), second).status_code == 302


def test_codes_are_never_stored_or_audited_in_clear(cast, client_for, newcomer):
    response = client_for(cast.sysadmin).post(reverse("staff_admin:user_enrolment_code", args=[newcomer.pk]))
    assert response.status_code == 200
    code = html_lib.unescape(
        re.search(r'data-testid="enrolment-code"><code>([^<]+)</code>', response.content.decode()).group(1)
    )
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    row = EnrolmentCode.objects.get(user=newcomer)
    stored = " ".join(str(value) for value in EnrolmentCode.objects.filter(pk=row.pk).values().get().values())
    bare = code.replace("-", "")
    for form in (code, bare, code.lower(), bare.lower()):
        assert form not in stored
        for event in AuditEvent.objects.all():
            assert form not in f"{event.changes} {event.reason} {event.object_label}"
    assert row.code_hash == enrolment.code_hash(code) and len(row.code_hash) == 64
    # Shown once: the account page does not show it again.
    assert (
        code
        not in client_for(cast.sysadmin).get(reverse("staff_admin:user_detail", args=[newcomer.pk])).content.decode()
    )


def test_issuing_using_and_refusing_codes_are_audited(cast, client_for, newcomer):
    client_for(cast.sysadmin).post(reverse("staff_admin:user_enrolment_code", args=[newcomer.pk]))
    issued = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(newcomer.pk), actor=cast.sysadmin).latest(
        "sequence"
    )
    assert issued.changes[enrolment.AUDIT_FIELD]["new"].startswith("enrolment code issued, valid until ")
    code = issue(newcomer, by=cast.sysadmin)
    client = password_client(newcomer)
    enter(client, "WRNG-WRNG-WRNG")
    EnrolmentCode.objects.filter(user=newcomer).update(throttled_until=None)
    enter(client, code)
    events = list(AuditEvent.objects.filter(actor=newcomer, object_id=str(newcomer.pk)).order_by("sequence"))
    assert [(e.action, e.reason) for e in events if e.action == Action.MFA_FAILED] == [
        (Action.MFA_FAILED, "enrolment code wrong")
    ]
    assert events[-1].action == Action.UPDATE
    assert events[-1].changes == {enrolment.AUDIT_FIELD: {"old": "enrolment code issued", "new": "enrolment code used"}}


# --- Issuing: the administrator's page, and recovery -------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_only_administrators_issue_codes(cast, client_for, role, newcomer):
    url = reverse("staff_admin:user_enrolment_code", args=[newcomer.pk])
    assert client_for(cast.by_name(role)).post(url).status_code in (403, 404)
    assert not EnrolmentCode.objects.exists()


def test_nobody_issues_a_code_for_their_own_account_or_a_disabled_one(cast, client_for, newcomer):
    admin = client_for(cast.sysadmin)
    assert admin.post(reverse("staff_admin:user_enrolment_code", args=[cast.sysadmin.pk])).status_code == 403
    newcomer.is_active = False
    newcomer.save(update_fields=["is_active"])
    assert admin.post(reverse("staff_admin:user_enrolment_code", args=[newcomer.pk])).status_code == 403
    assert not EnrolmentCode.objects.exists()


def test_an_account_with_a_second_factor_gets_no_code_until_it_is_reset(cast, client_for):
    admin = client_for(cast.sysadmin)
    client_for(cast.clinician)  # sets up the clinician's authenticator app
    url = reverse("staff_admin:user_enrolment_code", args=[cast.clinician.pk])
    page = admin.get(url).content.decode()
    assert "They already have a second factor" in page and "Make an enrolment code" not in page
    refused = admin.post(url)
    assert refused.status_code == 400 and "Reset it first if they have lost it" in refused.content.decode()
    assert not EnrolmentCode.objects.exists()


def test_resetting_a_second_factor_leads_to_the_enrolment_code_and_the_user_back_in(cast, client_for):
    admin = client_for(cast.sysadmin)
    client_for(cast.clinician)
    response = admin.post(reverse("staff_admin:user_reset_second_factor", args=[cast.clinician.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("staff_admin:user_enrolment_code", args=[cast.clinician.pk])
    page = admin.get(response["Location"]).content.decode()
    assert "Second factor reset. Give them an enrolment code" in page
    issued = admin.post(response["Location"]).content.decode()
    code = html_lib.unescape(re.search(r'data-testid="enrolment-code"><code>([^<]+)</code>', issued).group(1))
    # The password alone does not let them back in to enrol; the code does.
    client = password_client(cast.clinician)
    assert client.get(SET_UP)["Location"] == ENROLMENT_CODE
    assert enter(client, code)["Location"] == SET_UP
    finish_set_up(client, cast.clinician)


def test_the_account_page_offers_a_code_when_there_is_no_second_factor(cast, client_for, newcomer):
    page = client_for(cast.sysadmin).get(reverse("staff_admin:user_detail", args=[newcomer.pk])).content.decode()
    assert "they need a set-password link or an enrolment code" in page
    assert reverse("staff_admin:user_enrolment_code", args=[newcomer.pk]) in page


# --- From the command line: the first administrator ---------------------------------------------------


def test_the_first_administrator_gets_a_code_from_the_command_line(db):
    admin = UserFactory(role=Role.SYSTEM_ADMINISTRATOR, email="first.admin@nsc.example.nhs.uk")
    out = io.StringIO()
    call_command("issue_enrolment_code", "First.Admin@nsc.example.nhs.uk", stdout=out)
    code = re.search(r"Enrolment code for first.admin@nsc.example.nhs.uk: (\S+)", out.getvalue()).group(1)
    assert enter(password_client(admin), code)["Location"] == SET_UP
    event = AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(admin.pk), actor=None).get()
    assert event.reason == "issued with manage.py issue_enrolment_code"
    with pytest.raises(CommandError, match="No account"):
        call_command("issue_enrolment_code", "nobody@nsc.example.nhs.uk", stdout=io.StringIO())
