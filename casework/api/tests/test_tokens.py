"""API tokens: shown once and stored hashed; expired, revoked, unknown and malformed tokens 401;
scopes decide which operations a token may use; a rate per token; the administrator's pages."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from casework.api import services
from casework.api.models import ApiToken, Scope
from casework.api.tests.conftest import api_client, make_token
from casework.audit.models import AuditEvent

REFERRALS = "/api/v1/referrals/"


def test_the_secret_is_stored_only_as_its_digest(cast, token):
    row = ApiToken.objects.get(pk=token.token.pk)
    assert token.secret.startswith(f"nsc_{row.prefix}_")
    assert row.secret_hash == hashlib.sha256(token.secret.encode()).hexdigest()
    assert token.secret not in str(ApiToken.objects.filter(pk=row.pk).values().first())
    assert row.user.organisation == cast.organisation and not row.user.has_usable_password()


def test_a_valid_token_is_accepted_and_its_use_noted(api, token):
    response = api.get(REFERRALS)
    assert response.status_code == 200
    token.token.refresh_from_db()
    assert token.token.last_used_at is not None


@pytest.mark.parametrize(
    "header",
    ["", "Bearer", "Bearer nsc_deadbeef_" + "x" * 43, "Bearer not-a-token", "Basic dXNlcjpwYXNz"],
)
def test_no_or_a_wrong_token_is_401_as_problem_details(db, header):
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    response = client.get(REFERRALS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"].startswith("Bearer")
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body) and body["status"] == 401


@pytest.mark.parametrize(
    "where",
    ["prefix", "secret"],
)
def test_a_token_with_a_nul_byte_is_401_not_a_server_error(token, where):
    # PostgreSQL refuses NUL in text: a NUL in the prefix reached the token lookup and answered 500.
    prefix, secret = token.secret[4:12], token.secret[13:]
    if where == "prefix":
        prefix = prefix[:3] + "\x00" + prefix[4:]
    else:
        secret = secret[:3] + "\x00" + secret[4:]
    response = api_client(f"nsc_{prefix}_{secret}").get(REFERRALS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"


def test_only_the_tokens_own_alphabet_is_looked_up(token):
    assert services.parse(token.secret) == token.token.prefix
    assert services.parse(token.secret.upper()) is None
    assert services.parse(token.secret + "\x00") is None
    assert services.parse(token.secret.replace("_", "_\x01", 1)) is None


def test_a_tampered_secret_is_refused(token):
    tampered = token.secret[:-1] + ("A" if token.secret[-1] != "A" else "B")
    assert api_client(tampered).get(REFERRALS).status_code == 401


def test_an_expired_token_is_401(api, token):
    ApiToken.objects.filter(pk=token.token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert api.get(REFERRALS).status_code == 401


def test_a_revoked_token_is_401_and_its_account_disabled(cast, api, token):
    services.token_revoke(by=cast.sysadmin, token=token.token)
    assert api.get(REFERRALS).status_code == 401
    token.token.user.refresh_from_db()
    assert not token.token.user.is_active


def test_a_token_without_the_scope_is_403(cast):
    client = api_client(make_token(cast, scopes=[Scope.REPORTS_READ]).secret)
    response = client.get(REFERRALS)
    assert response.status_code == 403 and response["Content-Type"] == "application/problem+json"
    assert "referrals:read" in response.json()["detail"]
    assert client.post(REFERRALS, {}, content_type="application/json").status_code == 403
    assert client.get("/api/v1/reports/").status_code == 200


def test_read_only_token_cannot_send(cast):
    client = api_client(make_token(cast, scopes=[Scope.REFERRALS_READ]).secret)
    assert client.post(REFERRALS, {}, content_type="application/json").status_code == 403


def test_calls_are_limited_per_token(cast, settings, token):
    from rest_framework.settings import api_settings

    from casework.api.authentication import TokenRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "api_token": "3/minute"}
    TokenRateThrottle.THROTTLE_RATES = rates
    try:
        client = api_client(token.secret)
        assert [client.get(REFERRALS).status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get(REFERRALS)
        assert limited.status_code == 429 and limited["Content-Type"] == "application/problem+json"
        assert "Retry-After" in limited
        # Another token has its own count.
        assert api_client(make_token(cast, name="Second system").secret).get(REFERRALS).status_code == 200
    finally:
        TokenRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_only_a_system_administrator_makes_tokens(cast):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        make_token(type("C", (), {"sysadmin": cast.clinical_lead, "organisation": cast.organisation})())


def test_the_administrator_makes_a_token_sees_it_once_and_revokes_it(cast, client_for):
    client = client_for(cast.sysadmin)
    page = client.get("/api-tokens/new/")
    assert page.status_code == 200
    expires = timezone.localdate() + dt.timedelta(days=60)
    response = client.post(
        "/api-tokens/new/",
        {
            "organisation": cast.organisation.pk,
            "name": "Northshire Police case system",
            "scopes": ["referrals:read", "referrals:write"],
            "expires_on_day": expires.day,
            "expires_on_month": expires.month,
            "expires_on_year": expires.year,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/api-tokens/"
    listing = client.get("/api-tokens/").content.decode()
    secret = re.search(r'data-testid="new-token">(nsc_[^<]+)<', listing)
    assert secret, "the new token is shown"
    assert api_client(secret[1]).get(REFERRALS).status_code == 200
    assert secret[1] not in client.get("/api-tokens/").content.decode(), "shown once only"
    token = ApiToken.objects.get()
    assert AuditEvent.objects.filter(object_type="api.apitoken", object_id=str(token.pk), action="create").exists()
    assert client.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert api_client(secret[1]).get(REFERRALS).status_code == 401


def test_a_refused_token_form_names_the_field_and_keeps_what_was_typed(cast, client_for):
    response = client_for(cast.sysadmin).post(
        "/api-tokens/new/", {"organisation": cast.organisation.pk, "name": "Kept name", "scopes": []}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Select at least one thing the token may do" in page and "Kept name" in page
