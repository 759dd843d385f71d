"""Signing in with a password: success, refusal, the same answer for unknown accounts, lockout,
address throttling, and the audit trail of it all."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core.cache import cache
from django.test import Client

from casework.accounts.tests.factories import TEST_PASSWORD, UserFactory
from casework.accounts.views.auth import FAILED_MESSAGE, LOCKED_MESSAGE, locked_out
from casework.audit.models import Action, AuditEvent
from casework.core.roles import Role

SIGN_IN = "/sign-in/"


@pytest.fixture(autouse=True)
def fresh_throttles(db):
    """The address throttle lives in the cache, which outlives a test's database transaction."""
    cache.clear()
    yield
    cache.clear()


def csrf_client(**defaults) -> Client:
    """A browser-like client: CSRF enforced, token taken from the sign-in form."""
    return Client(enforce_csrf_checks=True, **defaults)


def csrf_token_from(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_sign_in(client: Client, email: str, password: str, **extra):
    token = csrf_token_from(client.get(SIGN_IN))
    return client.post(SIGN_IN, {"email": email, "password": password, "csrfmiddlewaretoken": token}, **extra)


def normalised(response) -> bytes:
    """The body with the per-request values (CSRF token, CSP nonce) blanked."""
    body = response.content
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b'name="csrfmiddlewaretoken" value="TOKEN"', body)
    body = re.sub(rb'nonce="[^"]+"', b'nonce="NONCE"', body)
    return body


def comparable_headers(response) -> dict[str, str]:
    headers = {k.lower(): v for k, v in response.headers.items()}
    headers.pop("x-request-id", None)
    # never_cache stamps "Expires" with the current time: two answers a second apart differ there
    # whatever the account (this test failed now and then before it left the header out).
    headers.pop("expires", None)
    if "content-security-policy" in headers:
        headers["content-security-policy"] = re.sub(
            r"'nonce-[^']+'", "'nonce-NONCE'", headers["content-security-policy"]
        )
    headers["set-cookie names"] = ",".join(sorted(response.cookies.keys()))
    return headers


def events(action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


# --- The page and a good sign-in ----------------------------------------------------------------------


def test_sign_in_page_shows_the_form(client, db):
    response = client.get(SIGN_IN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to NSC Casework" in html
    assert 'name="email"' in html and 'name="password"' in html
    assert 'autocomplete="current-password"' in html
    assert response["Cache-Control"].startswith("max-age=0") or "no-cache" in response["Cache-Control"]


def test_a_correct_password_signs_in_and_goes_on_to_the_second_factor(cast):
    client = csrf_client()
    response = post_sign_in(client, cast.clinician.email, TEST_PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/"
    # Signed in, but not past the second factor yet.
    follow = client.get("/")
    assert follow.status_code == 302
    assert follow["Location"].startswith("/sign-in/")
    [event] = events(Action.SIGN_IN)
    assert event.actor_id == cast.clinician.pk
    assert event.ip_address == "127.0.0.1"


def test_the_email_address_is_not_case_sensitive(cast):
    response = post_sign_in(csrf_client(), cast.clinician.email.upper(), TEST_PASSWORD)
    assert response.status_code == 302


def test_sign_in_goes_to_the_page_asked_for_on_this_site_only(cast):
    client = csrf_client()
    token = csrf_token_from(client.get(SIGN_IN + "?next=/account/security/"))
    response = client.post(
        SIGN_IN,
        {
            "email": cast.clinician.email,
            "password": TEST_PASSWORD,
            "next": "/account/security/",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response["Location"] == "/account/security/"

    client = csrf_client()
    token = csrf_token_from(client.get(SIGN_IN))
    response = client.post(
        SIGN_IN,
        {
            "email": cast.clinician.email,
            "password": TEST_PASSWORD,
            "next": "https://evil.example/",
            "csrfmiddlewaretoken": token,
        },
    )
    assert response["Location"] == "/"


def test_an_unsafe_next_is_not_echoed_into_the_form(client, db):
    html = client.get(SIGN_IN + "?next=https://evil.example/").content.decode()
    assert "evil.example" not in html


def test_a_signed_in_user_asking_for_the_sign_in_page_is_sent_on(cast, client_for):
    response = client_for(cast.coordinator).get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_sign_in_without_a_csrf_token_is_refused(cast):
    client = csrf_client()
    response = client.post(SIGN_IN, {"email": cast.clinician.email, "password": TEST_PASSWORD})
    assert response.status_code == 403


def test_an_empty_form_is_refused_with_a_message_per_field(client, db):
    response = client.post(SIGN_IN, {"email": "", "password": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_email"' in html and "Enter your email address" in html
    assert 'href="#id_password"' in html and "Enter your password" in html


def test_a_malformed_email_is_refused_and_kept(client, db):
    response = client.post(SIGN_IN, {"email": "not-an-email", "password": "x"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Enter an email address in the correct format" in html
    assert 'value="not-an-email"' in html


# --- A wrong password and an unknown account look the same --------------------------------------------


def test_a_wrong_password_is_refused_and_keeps_the_email(cast):
    response = post_sign_in(csrf_client(), cast.clinician.email, "not the password")
    assert response.status_code == 400
    html = response.content.decode()
    assert FAILED_MESSAGE in html
    assert f'value="{cast.clinician.email}"' in html
    assert "not the password" not in html
    [event] = events(Action.SIGN_IN_FAILED)
    assert event.actor_id == cast.clinician.pk


def test_unknown_email_and_wrong_password_get_byte_identical_answers(db):
    email = "someone@nsc.example.nhs.uk"
    unknown = post_sign_in(csrf_client(), email, "a guess at the password")
    UserFactory(email=email, role=Role.CLINICIAN)
    wrong = post_sign_in(csrf_client(), email, "a guess at the password")

    assert unknown.status_code == wrong.status_code == 400
    assert comparable_headers(unknown) == comparable_headers(wrong)
    assert normalised(unknown) == normalised(wrong)
    assert FAILED_MESSAGE.encode() in unknown.content


def test_an_unknown_email_does_the_same_password_hashing_as_a_wrong_password(cast):
    """ModelBackend hashes the given password even when no account matches, so the time taken
    does not tell an attacker which addresses have accounts."""
    original = MD5PasswordHasher.encode
    with mock.patch.object(MD5PasswordHasher, "encode", autospec=True, side_effect=original) as encode:
        post_sign_in(csrf_client(), "nobody@nsc.example.nhs.uk", "a guess at the password")
        unknown_calls = encode.call_count
        encode.reset_mock()
        post_sign_in(csrf_client(), cast.clinician.email, "a guess at the password")
        wrong_calls = encode.call_count
        encode.reset_mock()
        cast.clinician.is_active = False
        cast.clinician.save(update_fields=["is_active"])
        post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD)
        inactive_calls = encode.call_count
    assert unknown_calls == wrong_calls == inactive_calls == 1


def test_an_inactive_account_is_refused_with_the_same_message(cast):
    cast.clinician.is_active = False
    cast.clinician.save(update_fields=["is_active"])
    response = post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD)
    assert response.status_code == 400
    assert FAILED_MESSAGE in response.content.decode()


def test_a_failed_sign_in_for_an_unknown_account_is_audited_without_the_address(db):
    post_sign_in(csrf_client(), "stranger@elsewhere.example", "whatever")
    [event] = events(Action.SIGN_IN_FAILED)
    assert event.actor_id is None
    assert event.object_label == "unknown account"
    assert "stranger" not in str(event.changes) and "stranger" not in event.object_label


# --- Lockout by account ---------------------------------------------------------------------------------


def fail(email: str, times: int, **extra) -> list:
    client = csrf_client()
    return [post_sign_in(client, email, f"wrong password {i}", **extra) for i in range(times)]


def test_the_account_locks_after_the_failure_limit(cast, settings):
    responses = fail(cast.clinician.email, settings.AXES_FAILURE_LIMIT)
    assert [r.status_code for r in responses[:-1]] == [400] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429
    assert LOCKED_MESSAGE in responses[-1].content.decode()

    # Even the right password is refused now, and with the same answer.
    response = post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    assert "_auth_user_id" not in csrf_client().session.keys()


def test_a_locked_account_cannot_be_reached_from_another_address_agent_or_letter_case(cast, settings):
    fail(cast.clinician.email, settings.AXES_FAILURE_LIMIT)
    client = csrf_client(HTTP_USER_AGENT="Another browser/1.0", REMOTE_ADDR="10.9.8.7")
    response = post_sign_in(client, cast.clinician.email.upper(), TEST_PASSWORD)
    assert response.status_code == 429


def test_lockout_is_audited_once_per_attempt(cast, settings):
    limit = settings.AXES_FAILURE_LIMIT
    fail(cast.clinician.email, limit)
    post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD)  # while locked

    assert len(events(Action.SIGN_IN_FAILED)) == limit  # the password was checked `limit` times
    locked = events(Action.SIGN_IN_LOCKED)
    assert [e.reason for e in locked] == ["account locked after repeated failures", "attempt while locked"]
    assert all(e.actor_id == cast.clinician.pk for e in locked)


def test_locked_answers_are_the_same_whether_or_not_the_account_exists(cast, settings):
    limit = settings.AXES_FAILURE_LIMIT
    real = cast.clinician.email
    ghost = real.replace("clinician", "ghostuser")  # same length, no account
    fail(real, limit)
    fail(ghost, limit)
    real_answer = post_sign_in(csrf_client(), real, "one more try")
    ghost_answer = post_sign_in(csrf_client(), ghost, "one more try")

    assert real_answer.status_code == ghost_answer.status_code == 429
    assert comparable_headers(real_answer) == comparable_headers(ghost_answer)
    assert normalised(real_answer).replace(real.encode(), b"EMAIL") == normalised(ghost_answer).replace(
        ghost.encode(), b"EMAIL"
    )


def test_a_good_sign_in_clears_earlier_failures(cast, settings):
    fail(cast.clinician.email, settings.AXES_FAILURE_LIMIT - 1)
    assert post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD).status_code == 302
    fail(cast.clinician.email, settings.AXES_FAILURE_LIMIT - 1)
    assert post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD).status_code == 302


def test_axes_keeps_no_password_in_its_records(cast):
    fail(cast.clinician.email, 2)
    attempt = AccessAttempt.objects.get(username=cast.clinician.email)
    assert "wrong password" not in attempt.post_data


def test_the_lockout_callable_keeps_the_view_answer_and_answers_other_requests_the_same(rf, db):
    request = rf.post(SIGN_IN, {"email": "x@example.org", "password": "p"})
    request.user = mock.Mock(is_authenticated=False)
    request.csp_nonce = "n"
    ours = mock.Mock(casework_lockout=True)
    assert locked_out(request, ours, {}) is ours
    response = locked_out(request, None, {})
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()


# --- Throttling an address ------------------------------------------------------------------------------


def test_an_address_is_throttled_after_too_many_failures_across_accounts(cast, settings):
    settings.CASEWORK_IP_FAILURE_LIMIT = 3
    for n in range(3):
        assert post_sign_in(csrf_client(), f"guess{n}@nsc.example.nhs.uk", "pw").status_code == 400
    # Now even a real user with the right password from this address is held back...
    response = post_sign_in(csrf_client(), cast.coordinator.email, TEST_PASSWORD)
    assert response.status_code == 429
    assert LOCKED_MESSAGE in response.content.decode()
    [event] = events(Action.SIGN_IN_LOCKED)
    assert event.reason == "address throttled"
    # ...but not from another address.
    other = csrf_client(REMOTE_ADDR="192.0.2.44")
    assert post_sign_in(other, cast.coordinator.email, TEST_PASSWORD).status_code == 302


def test_the_address_throttle_answer_is_the_same_as_a_locked_account(cast, settings):
    settings.CASEWORK_IP_FAILURE_LIMIT = 2
    fail("one@nsc.example.nhs.uk", 2)
    throttled = post_sign_in(csrf_client(), cast.clinician.email, TEST_PASSWORD)
    settings.CASEWORK_IP_FAILURE_LIMIT = 100
    fail(cast.clinician.email, settings.AXES_FAILURE_LIMIT, REMOTE_ADDR="198.51.100.1")
    locked = post_sign_in(csrf_client(REMOTE_ADDR="198.51.100.2"), cast.clinician.email, TEST_PASSWORD)
    assert throttled.status_code == locked.status_code == 429
    assert normalised(throttled) == normalised(locked)
