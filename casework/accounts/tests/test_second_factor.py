"""The second factor: TOTP set up at first sign-in, security codes, single-use recovery codes,
refusals and throttling, the demo-only switch and its production check."""

from __future__ import annotations

import base64
import datetime as dt
import re
import time

import pytest
import time_machine
from django.core.cache import cache
from django.core.checks import Tags, run_checks
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts import mfa
from casework.accounts.tests.factories import TEST_PASSWORD, UserFactory
from casework.accounts.views.mfa import MAX_CODE_FAILURES, TOO_MANY, VERIFY_WRONG
from casework.audit.models import Action, AuditEvent
from casework.core.checks import mfa_not_disabled_in_production
from casework.core.roles import Role

SET_UP = "/sign-in/set-up-security/"
ENROLMENT_CODE = "/sign-in/enrolment-code/"
SECURITY_CODE = "/sign-in/security-code/"
RECOVERY = "/account/security/recovery-codes/"
SECURITY = "/account/security/"


@pytest.fixture(autouse=True)
def fresh_throttles(db):
    cache.clear()
    yield
    cache.clear()


def code_for_key(key: bytes, steps_ahead: int = 0, step: int = 30, drift: int = 0) -> str:
    totp = TOTP(key, step=step, t0=0, digits=6, drift=drift)
    totp.time = time.time() + steps_ahead * step
    return f"{totp.token():06d}"


def code_for(device: TOTPDevice, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    return code_for_key(device.bin_key, steps_ahead, device.step, device.drift)


def password_client(user) -> Client:
    """Signed in with the password only: the second factor is still to come."""
    client = Client()
    response = client.post("/sign-in/", {"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def enrolling_client(user) -> Client:
    """Signed in with the password, then through the enrolment-code page with a code a system
    administrator issued: the session may now set up the second factor."""
    from casework.accounts.enrolment import enrolment_code_issue

    client = password_client(user)
    issued = enrolment_code_issue(user=user, by=UserFactory(role=Role.SYSTEM_ADMINISTRATOR))
    response = client.post(ENROLMENT_CODE, {"code": issued.code})
    assert response.status_code == 302 and response["Location"] == SET_UP, response.content.decode()[:500]
    return client


def enrolled_user(**fields):
    """A user who set up an authenticator app and holds recovery codes."""
    user = UserFactory(**fields)
    device = TOTPDevice.objects.create(user=user, name=mfa.TOTP_NAME, confirmed=True)
    codes = mfa._replace_recovery_codes(user)
    return user, device, codes


def actions_for(user) -> list[tuple[str, str]]:
    return [(e.action, e.reason) for e in AuditEvent.objects.filter(actor=user).order_by("sequence")]


# --- First sign-in: set up ---------------------------------------------------------------------------


def test_first_sign_in_sets_up_the_app_shows_recovery_codes_once_and_reaches_my_work(db):
    user = UserFactory(role=Role.CLINICIAN)
    response = password_client(user).get("/")
    assert response.status_code == 302 and response["Location"] == SET_UP
    client = enrolling_client(user)

    page = client.get(SET_UP)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "QR code for your authenticator app" in html
    shown = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    key = base64.b32decode(shown.replace(" ", "") + "=" * (-len(shown.replace(" ", "")) % 8))

    response = client.post(SET_UP, {"code": code_for_key(key)})
    assert response.status_code == 302 and response["Location"] == RECOVERY

    codes_page = client.get(RECOVERY).content.decode()
    codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "This is the only time they are shown" in codes_page
    assert 'href="/"' in codes_page  # "I have saved my codes" goes on to My work

    again = client.get(RECOVERY).content.decode()
    assert not any(code in again for code in codes)

    assert client.get("/").status_code == 200
    assert (Action.MFA_ENROLLED, "authenticator app") in actions_for(user)


def test_a_wrong_set_up_code_is_refused_with_a_message_and_kept(db):
    user = UserFactory()
    client = enrolling_client(user)
    client.get(SET_UP)
    response = client.post(
        SET_UP, {"code": "000000" if code_for(mfa.pending_totp_device(user)) != "000000" else "111111"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_code"' in html
    assert "The code is not correct" in html
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_an_empty_code_is_refused_with_a_message(db):
    user, _, _ = enrolled_user()
    response = password_client(user).post(SECURITY_CODE, {"code": ""})
    assert response.status_code == 400
    assert "Enter the security code" in response.content.decode()


def test_the_set_up_key_stays_the_same_until_it_is_confirmed(db):
    user = UserFactory()
    client = enrolling_client(user)
    first = re.search(r'data-testid="totp-secret">([^<]+)<', client.get(SET_UP).content.decode()).group(1)
    second = re.search(r'data-testid="totp-secret">([^<]+)<', client.get(SET_UP).content.decode()).group(1)
    assert first == second


def test_a_password_alone_cannot_replace_an_existing_authenticator_app(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response["Location"] == SECURITY_CODE
    response = client.post(SET_UP, {"code": code_for(device)})
    assert response["Location"] == SECURITY_CODE
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [device]


def test_a_verified_user_can_move_to_a_new_authenticator_app(db):
    user, old_device, old_codes = enrolled_user()
    client = password_client(user)
    client.post(SECURITY_CODE, {"code": code_for(old_device)})
    page = client.get(SET_UP)
    assert page.status_code == 200 and "move your security codes to a new authenticator app" in page.content.decode()
    new_device = mfa.pending_totp_device(user)
    response = client.post(SET_UP, {"code": code_for(new_device)})
    assert response["Location"] == RECOVERY
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [new_device]
    # The old app and the old recovery codes no longer work.
    other = password_client(user)
    assert other.post(SECURITY_CODE, {"code": old_codes[0]}).status_code == 400


# --- Later sign-ins: the security code -----------------------------------------------------------------


def test_next_sign_in_asks_for_the_security_code_and_then_reaches_my_work(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == SECURITY_CODE
    page = client.get(SECURITY_CODE)
    assert page.status_code == 200 and "Enter your security code" in page.content.decode()

    response = client.post(SECURITY_CODE, {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert (Action.MFA_VERIFIED, "authenticator app") in actions_for(user)


def test_a_code_with_spaces_is_accepted(db):
    user, device, _ = enrolled_user()
    code = code_for(device)
    response = password_client(user).post(SECURITY_CODE, {"code": f" {code[:3]} {code[3:]} "})
    assert response["Location"] == "/"


def test_the_same_app_code_cannot_be_used_twice(db):
    user, device, _ = enrolled_user()
    code = code_for(device)
    assert password_client(user).post(SECURITY_CODE, {"code": code}).status_code == 302
    replay = password_client(user).post(SECURITY_CODE, {"code": code})
    assert replay.status_code == 400


def test_a_wrong_code_is_refused_with_a_message(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    response = client.post(SECURITY_CODE, {"code": wrong})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_code"' in html
    assert VERIFY_WRONG in html
    assert f'value="{wrong}"' in html
    assert client.get("/").status_code == 302
    assert (Action.MFA_FAILED, "authenticator app wrong") in actions_for(user)


def test_a_code_typed_too_soon_after_a_wrong_one_is_held_back_then_accepted(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    client.post(SECURITY_CODE, {"code": "000000" if code_for(device) != "000000" else "111111"})
    held = client.post(SECURITY_CODE, {"code": code_for(device)})
    assert held.status_code == 400
    assert "Wait 1 second, then enter the newest code" in held.content.decode()
    later = timezone.now() + dt.timedelta(seconds=3)
    with time_machine.travel(later, tick=False):
        response = client.post(SECURITY_CODE, {"code": code_for(device)})
    assert response.status_code == 302


def test_five_refused_codes_end_the_session_but_not_the_users_other_sessions(db, client_for):
    user, device, _ = enrolled_user()
    elsewhere = client_for(user)
    client = password_client(user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    responses = [client.post(SECURITY_CODE, {"code": wrong}) for _ in range(MAX_CODE_FAILURES)]
    assert [r.status_code for r in responses] == [400] * (MAX_CODE_FAILURES - 1) + [302]
    assert responses[-1]["Location"] == "/sign-in/"
    assert TOO_MANY in client.get("/sign-in/").content.decode()
    # Signed out: not even the security-code page is reachable now.
    assert client.get(SECURITY_CODE)["Location"].startswith("/sign-in/?next=")
    assert elsewhere.get("/").status_code == 200
    sign_out = AuditEvent.objects.get(actor=user, action=Action.SIGN_OUT)
    assert sign_out.reason == "too many wrong security codes"


def test_a_good_code_resets_the_count_of_refusals(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(MAX_CODE_FAILURES - 1):
        client.post(SECURITY_CODE, {"code": wrong})
    later = timezone.now() + dt.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        assert client.post(SECURITY_CODE, {"code": code_for(device, steps_ahead=0)}).status_code == 302
    assert "casework_mfa_failures" not in client.session


# --- Recovery codes -------------------------------------------------------------------------------------


def test_a_recovery_code_works_exactly_once(db):
    user, _, codes = enrolled_user()
    first = password_client(user)
    response = first.post(SECURITY_CODE, {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert first.get("/").status_code == 200
    assert (Action.MFA_VERIFIED, "recovery code") in actions_for(user)

    again = password_client(user)
    assert again.post(SECURITY_CODE, {"code": codes[0]}).status_code == 400
    assert mfa.recovery_codes_left(user) == len(codes) - 1


def test_a_recovery_code_does_not_count_against_the_app(db):
    """A recovery code is never tried as an app code, so the app is not throttled by its use."""
    user, device, codes = enrolled_user()
    password_client(user).post(SECURITY_CODE, {"code": codes[0]})
    device.refresh_from_db()
    assert device.throttling_failure_count == 0
    assert password_client(user).post(SECURITY_CODE, {"code": code_for(device)}).status_code == 302


def test_making_new_recovery_codes_stops_the_old_ones(db, client_for):
    user, _, old_codes = enrolled_user()
    client = client_for(user)
    page = client.get(RECOVERY)
    assert page.status_code == 200 and "Make new recovery codes" in page.content.decode()
    response = client.post(RECOVERY)
    assert response["Location"] == RECOVERY
    html = client.get(RECOVERY).content.decode()
    new_codes = re.findall(r"<code>([0-9a-f]{6}-[0-9a-f]{6})</code>", html)
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert 'href="/account/security/"' in html

    assert password_client(user).post(SECURITY_CODE, {"code": old_codes[0]}).status_code == 400
    later = timezone.now() + dt.timedelta(seconds=3)  # past the throttle the wrong code started
    with time_machine.travel(later, tick=False):
        assert password_client(user).post(SECURITY_CODE, {"code": new_codes[0]}).status_code == 302
    assert (Action.MFA_ENROLLED, "new recovery codes") in actions_for(user)


def test_new_recovery_codes_need_the_second_factor_first(db):
    user, _, old_codes = enrolled_user()
    client = password_client(user)
    response = client.post(RECOVERY)
    assert response.status_code == 302 and response["Location"] == SECURITY_CODE
    assert mfa.recovery_codes_left(user) == len(old_codes)


def test_running_low_on_recovery_codes_gives_a_warning(db, settings):
    settings.CASEWORK_RECOVERY_CODE_COUNT = 3
    user, _, codes = enrolled_user()
    client = password_client(user)
    client.post(SECURITY_CODE, {"code": codes[0]})
    assert "You have 2 recovery codes left" in client.get("/").content.decode()


# --- Where the user lands -------------------------------------------------------------------------------


def test_the_page_asked_for_is_reached_after_the_second_factor(db):
    user, device, _ = enrolled_user()
    client = Client()
    assert client.get(SECURITY)["Location"] == "/sign-in/?next=/account/security/"
    response = client.post(
        "/sign-in/?next=/account/security/",
        {"email": user.email, "password": TEST_PASSWORD, "next": "/account/security/"},
    )
    assert response["Location"] == SECURITY
    response = client.get(SECURITY)
    assert response["Location"] == f"{SECURITY_CODE}?next=%2Faccount%2Fsecurity%2F"
    response = client.post(response["Location"], {"code": code_for(device)})
    assert response["Location"] == SECURITY


def test_the_security_code_page_never_sends_the_user_off_site(db):
    user, device, _ = enrolled_user()
    client = password_client(user)
    response = client.post(f"{SECURITY_CODE}?next=https://evil.example/x", {"code": code_for(device)})
    assert response["Location"] == "/"
    response = client.get(f"{SECURITY_CODE}?next=//evil.example/")
    assert response["Location"] == "/"


def test_a_verified_user_on_the_security_code_page_is_sent_on(cast, client_for):
    assert client_for(cast.finance).get(SECURITY_CODE)["Location"] == "/"


# --- The security page, and who may use these pages ----------------------------------------------------


@pytest.mark.parametrize(
    "role", ["coordinator", "clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency"]
)
def test_every_role_can_manage_their_own_sign_in_security(cast, client_for, role):
    client = client_for(cast.by_name(role))
    page = client.get(SECURITY)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sign-in security" in html and "Recovery codes left" in html
    assert client.get(RECOVERY).status_code == 200
    assert client.get(SET_UP).status_code == 200


@pytest.mark.parametrize("path", [SECURITY, RECOVERY, SET_UP, SECURITY_CODE])
def test_signed_out_visitors_are_sent_to_sign_in(client, db, path):
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/?next=")
    assert client.post(path, {"code": "123456"}).status_code == 302


@pytest.mark.parametrize("path", [SECURITY, RECOVERY, "/"])
def test_pages_past_the_second_factor_are_closed_until_it_is_passed(db, path):
    user, _, _ = enrolled_user()
    response = password_client(user).get(path)
    assert response.status_code == 302 and response["Location"].startswith(SECURITY_CODE)


def test_the_security_page_counts_recovery_codes(db, client_for):
    user, _, codes = enrolled_user()
    html = client_for(user).get(SECURITY).content.decode()
    assert re.search(rf"Recovery codes left\s*</dt>\s*<dd[^>]*>\s*{len(codes)}\s*<", html)


@pytest.mark.parametrize("path", [SET_UP, ENROLMENT_CODE])
def test_set_up_pages_need_no_inline_style_or_event_handlers(db, path):
    user = UserFactory()
    client = enrolling_client(user) if path == SET_UP else password_client(user)
    response = client.get(path)
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    html = response.content.decode()
    assert " style=" not in html and not re.search(r"\son[a-z]+=", html)


def test_the_layouts_inline_script_carries_the_nonce_the_policy_allows(db):
    """The NHS.UK template's one inline script (it marks the body js-enabled) must carry the
    request's CSP nonce, and the header must name it; otherwise the browser blocks it and the
    NHS.UK components never start."""
    response = Client().get("/sign-in/")
    match = re.search(r"<script nonce=\"([^\"]+)\">document.body.className", response.content.decode())
    assert match, "the inline script has no nonce"
    assert f"'nonce-{match.group(1)}'" in response["Content-Security-Policy"]


# --- The demo-only switch ---------------------------------------------------------------------------------


def test_with_mfa_switched_off_a_password_is_enough(db, settings):
    settings.CASEWORK_MFA_DISABLED = True
    user = UserFactory()
    assert password_client(user).get("/").status_code == 200


def test_the_system_check_refuses_mfa_switched_off_in_production(settings):
    settings.CASEWORK_MFA_DISABLED = True
    settings.CASEWORK_ENV = "production"
    [error] = mfa_not_disabled_in_production(None)
    assert error.id == "casework.E001"
    assert "casework.E001" in [m.id for m in run_checks(tags=[Tags.security])]


@pytest.mark.parametrize(("env", "disabled"), [("demo", True), ("test", True), ("production", False)])
def test_the_system_check_allows_other_combinations(settings, env, disabled):
    settings.CASEWORK_MFA_DISABLED = disabled
    settings.CASEWORK_ENV = env
    assert mfa_not_disabled_in_production(None) == []
