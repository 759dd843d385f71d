"""Passkeys (WebAuthn): registering one, using it instead of the security code, removing it.

The browser side is played by ``SoftwareAuthenticator``: a real P-256 key made with
``cryptography`` that answers the server's options the way an authenticator would (CBOR
attestation object, authenticator data, ECDSA signature). py_webauthn's own verification runs
unmocked against it.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os

import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from webauthn.helpers import encode_cbor

from casework.accounts import passkeys
from casework.accounts.models import Passkey
from casework.accounts.tests.test_second_factor import enrolled_user, password_client
from casework.accounts.views.mfa import MAX_CODE_FAILURES
from casework.audit.models import Action, AuditEvent
from casework.core.testing import assert_page_queries_flat
from conftest import signed_in_client

ORIGIN = "http://localhost:8000"
RP_ID = "localhost"
ADD = "/account/security/passkeys/add/"
CREATE = "/account/security/passkeys/add/create/"
REGISTER_OPTIONS = "/account/security/passkeys/register/options/"
REGISTER_VERIFY = "/account/security/passkeys/register/verify/"
SIGN_IN_OPTIONS = "/sign-in/passkey/options/"
SIGN_IN_VERIFY = "/sign-in/passkey/verify/"
SECURITY = "/account/security/"
SECURITY_CODE = "/sign-in/security-code/"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


class SoftwareAuthenticator:
    """A passkey in software: enough of an authenticator to answer WebAuthn options."""

    UP, UV, AT = 0x01, 0x04, 0x40

    def __init__(self, origin: str = ORIGIN) -> None:
        self.private_key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.origin = origin

    def _cose_public_key(self) -> bytes:
        numbers = self.private_key.public_key().public_numbers()
        return encode_cbor({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _client_data(self, kind: str, challenge: str, origin: str | None) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin or self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, *, origin: str | None = None, rp_id: str | None = None) -> dict:
        rp_hash = hashlib.sha256((rp_id or options["rp"]["id"]).encode()).digest()
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self._cose_public_key()
        auth_data = rp_hash + bytes([self.UP | self.UV | self.AT]) + self.sign_count.to_bytes(4, "big") + attested
        attestation = encode_cbor({"fmt": "none", "attStmt": {}, "authData": auth_data})
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }

    def get(
        self,
        options: dict,
        *,
        origin: str | None = None,
        sign_count: int | None = None,
        signing_key: ec.EllipticCurvePrivateKey | None = None,
    ) -> dict:
        self.sign_count = self.sign_count + 1 if sign_count is None else sign_count
        rp_hash = hashlib.sha256(options["rpId"].encode()).digest()
        auth_data = rp_hash + bytes([self.UP | self.UV]) + self.sign_count.to_bytes(4, "big")
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        key = signing_key or self.private_key
        signature = key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(auth_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }


@pytest.fixture(autouse=True)
def relying_party(settings, db):
    settings.CASEWORK_WEBAUTHN_RP_ID = RP_ID
    settings.CASEWORK_WEBAUTHN_ORIGIN = ORIGIN
    cache.clear()
    yield
    cache.clear()


def post_json(client: Client, url: str, data: dict | None = None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


def start_registration(client: Client, name: str = "Work laptop") -> dict:
    assert client.post(ADD, {"name": name})["Location"] == CREATE
    response = post_json(client, REGISTER_OPTIONS)
    assert response.status_code == 200, response.content
    return response.json()


def register(client: Client, authenticator: SoftwareAuthenticator, name: str = "Work laptop"):
    options = start_registration(client, name)
    return post_json(client, REGISTER_VERIFY, {"credential": authenticator.create(options)})


def user_with_passkey(**fields):
    user, device, codes = enrolled_user(**fields)
    authenticator = SoftwareAuthenticator()
    response = register(signed_in_client(user), authenticator)
    assert response.status_code == 200, response.content
    return user, authenticator


def sign_in_options(client: Client) -> dict:
    response = post_json(client, SIGN_IN_OPTIONS)
    assert response.status_code == 200, response.content
    return response.json()


def audit(user, action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(actor=user, action=action).order_by("sequence"))


# --- Registering -------------------------------------------------------------------------------------------


def test_a_verified_user_registers_a_passkey(cast, client_for):
    client = client_for(cast.clinician)
    page = client.get(CREATE)
    assert page["Location"] == ADD  # name it first
    assert client.get(ADD).status_code == 200
    options = start_registration(client, "Work laptop")
    page = client.get(CREATE)
    assert page.status_code == 200 and "Work laptop" in page.content.decode()

    authenticator = SoftwareAuthenticator()
    response = post_json(client, REGISTER_VERIFY, {"credential": authenticator.create(options)})
    assert response.status_code == 200
    assert response.json() == {"redirect": SECURITY}

    [passkey] = Passkey.objects.filter(user=cast.clinician)
    assert passkey.name == "Work laptop"
    assert bytes(passkey.credential_id) == authenticator.credential_id
    assert passkey.sign_count == 0
    [created] = audit(cast.clinician, Action.CREATE)
    assert created.object_type == "accounts.passkey" and created.object_id == str(passkey.pk)
    assert created.changes == {"name": {"old": None, "new": "Work laptop"}}
    assert "public_key" not in json.dumps(created.changes)

    html = client.get(SECURITY).content.decode()
    assert "Passkey added: Work laptop" in html
    assert "Work laptop" in html and "Not used yet" in html


def test_registration_options_describe_this_site_and_exclude_known_passkeys(db):
    user, authenticator = user_with_passkey()
    client = signed_in_client(user)
    options = start_registration(client, "Second key")
    assert options["rp"] == {"name": "NSC Casework", "id": RP_ID}
    assert options["user"]["name"] == user.email
    handle = unb64url(options["user"]["id"])
    assert handle == passkeys.user_handle(user)
    assert str(user.pk).encode() != handle and user.email.encode() not in handle
    assert len(unb64url(options["challenge"])) >= 32
    assert options["attestation"] == "none"
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(authenticator.credential_id)]


def test_the_registration_challenge_can_be_answered_once(cast, client_for):
    client = client_for(cast.clinician)
    options = start_registration(client)
    credential = SoftwareAuthenticator().create(options)
    assert post_json(client, REGISTER_VERIFY, {"credential": credential}).status_code == 200
    client.post(ADD, {"name": "Again"})
    replay = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert replay.status_code == 400
    assert "expired" in replay.json()["error"]
    assert Passkey.objects.filter(user=cast.clinician).count() == 1


def test_a_refused_answer_uses_up_the_challenge(cast, client_for):
    client = client_for(cast.clinician)
    options = start_registration(client)
    authenticator = SoftwareAuthenticator()
    bad = authenticator.create(options, origin="https://evil.example")
    assert post_json(client, REGISTER_VERIFY, {"credential": bad}).status_code == 400
    good = authenticator.create(options)
    assert post_json(client, REGISTER_VERIFY, {"credential": good}).status_code == 400
    assert not Passkey.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [
        {"origin": "https://evil.example"},
        {"origin": "http://localhost:8001"},
        {"rp_id": "evil.example"},
    ],
    ids=["other-site", "other-port", "other-rp-id"],
)
def test_a_passkey_made_for_another_site_is_refused(cast, client_for, tamper):
    client = client_for(cast.clinician)
    options = start_registration(client)
    response = post_json(client, REGISTER_VERIFY, {"credential": SoftwareAuthenticator().create(options, **tamper)})
    assert response.status_code == 400
    assert response.json() == {"error": "Your passkey could not be checked. Try again."}
    assert not Passkey.objects.exists()
    [failed] = audit(cast.clinician, Action.MFA_FAILED)
    assert failed.reason == "passkey registration refused"


def test_an_old_registration_challenge_is_refused(cast, client_for):
    client = client_for(cast.clinician)
    options = start_registration(client)
    credential = SoftwareAuthenticator().create(options)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        response = post_json(client, REGISTER_VERIFY, {"credential": credential})
    assert response.status_code == 400 and "expired" in response.json()["error"]


def test_the_same_authenticator_cannot_be_registered_twice(cast, client_for):
    client = client_for(cast.clinician)
    authenticator = SoftwareAuthenticator()
    assert register(client, authenticator).status_code == 200
    again = register(client, authenticator, "Same key")
    assert again.status_code == 400
    assert again.json()["error"] == "This passkey is already registered."
    other = register(client_for(cast.other_clinician), authenticator, "Stolen key")
    assert other.status_code == 400
    assert Passkey.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "message"),
    [("", "Enter a name for your passkey"), ("x" * 101, "Name must be 100 characters or fewer")],
)
def test_the_passkey_name_is_required_and_short(cast, client_for, name, message):
    client = client_for(cast.clinician)
    response = client.post(ADD, {"name": name})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_name"' in html and message in html
    if name:
        assert f'value="{name}"' in html


@pytest.mark.parametrize("body", [b"not json", b"[]", b"{}", b'{"credential": "x"}'])
def test_malformed_registration_answers_are_refused(cast, client_for, body):
    client = client_for(cast.clinician)
    start_registration(client)
    response = client.post(REGISTER_VERIFY, data=body, content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()
    assert not Passkey.objects.exists()


def test_registration_needs_a_name_first(cast, client_for):
    client = client_for(cast.clinician)
    assert post_json(client, REGISTER_OPTIONS).status_code == 400
    assert post_json(client, REGISTER_VERIFY, {"credential": {"id": "x"}}).status_code == 400


@pytest.mark.parametrize("url", [REGISTER_OPTIONS, REGISTER_VERIFY, SIGN_IN_OPTIONS, SIGN_IN_VERIFY])
def test_the_json_endpoints_take_only_posts_with_a_csrf_token(cast, url):
    client = signed_in_client(cast.clinician, Client(enforce_csrf_checks=True))
    assert client.get(url).status_code == 405
    assert post_json(client, url).status_code == 403


def test_registering_needs_the_second_factor(db):
    user, _, _ = enrolled_user()
    client = password_client(user)
    for url in (ADD, CREATE):
        assert client.get(url)["Location"].startswith(SECURITY_CODE)
    assert post_json(client, REGISTER_OPTIONS)["Location"].startswith(SECURITY_CODE)
    assert post_json(client, REGISTER_VERIFY)["Location"].startswith(SECURITY_CODE)


@pytest.mark.parametrize("url", [ADD, CREATE, REGISTER_OPTIONS, SIGN_IN_OPTIONS])
def test_signed_out_visitors_are_sent_to_sign_in(client, url):
    response = post_json(client, url) if "options" in url else client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    "role", ["coordinator", "clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency", "agency_other"]
)
def test_every_role_may_add_a_passkey(cast, client_for, role):
    client = client_for(cast.by_name(role))
    assert client.get(ADD).status_code == 200
    assert register(client, SoftwareAuthenticator()).status_code == 200


def test_passkeys_are_not_offered_where_the_site_is_not_set_up_for_them(cast, client_for, settings):
    settings.CASEWORK_WEBAUTHN_RP_ID = None
    client = client_for(cast.clinician)
    assert "Add a passkey" not in client.get(SECURITY).content.decode()
    assert client.get(ADD).status_code == 404
    assert post_json(client, REGISTER_OPTIONS).status_code == 404


# --- Using a passkey at sign-in ---------------------------------------------------------------------------


def test_a_passkey_can_be_used_instead_of_the_security_code(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    page = client.get(SECURITY_CODE).content.decode()
    assert "data-passkey-sign-in" in page and "/static/passkeys.js" in page

    options = sign_in_options(client)
    assert options["rpId"] == RP_ID
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(authenticator.credential_id)]
    response = post_json(client, SIGN_IN_VERIFY, {"credential": authenticator.get(options)})
    assert response.status_code == 200
    assert response.json() == {"redirect": "/"}

    assert client.get("/").status_code == 200
    assert client.get(SECURITY).status_code == 200
    passkey = Passkey.objects.get(user=user)
    assert passkey.sign_count == 1
    assert passkey.last_used_at is not None
    [verified] = audit(user, Action.MFA_VERIFIED)
    assert verified.reason == f"passkey {passkey.pk}"
    assert "Used for this sign-in" in client.get(SECURITY).content.decode()


def test_the_security_code_page_offers_a_passkey_only_to_users_with_one(db):
    user, _, _ = enrolled_user()
    page = password_client(user).get(SECURITY_CODE).content.decode()
    assert "data-passkey-sign-in" not in page and "passkeys.js" not in page
    response = post_json(password_client(user), SIGN_IN_OPTIONS)
    assert response.status_code == 400 and "not added a passkey" in response.json()["error"]


def test_a_passkey_sign_in_goes_to_the_page_asked_for_on_this_site_only(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    options = sign_in_options(client)
    response = post_json(
        client, f"{SIGN_IN_VERIFY}?next=/account/security/", {"credential": authenticator.get(options)}
    )
    assert response.json() == {"redirect": SECURITY}

    client = password_client(user)
    options = sign_in_options(client)
    response = post_json(
        client, f"{SIGN_IN_VERIFY}?next=https://evil.example/", {"credential": authenticator.get(options)}
    )
    assert response.json() == {"redirect": "/"}


def test_the_sign_in_challenge_can_be_answered_once(db):
    user, authenticator = user_with_passkey()
    first = password_client(user)
    options = sign_in_options(first)
    credential = authenticator.get(options)
    assert post_json(first, SIGN_IN_VERIFY, {"credential": credential}).status_code == 200

    second = password_client(user)
    sign_in_options(second)  # a fresh challenge in this session; the old answer does not match it
    response = post_json(second, SIGN_IN_VERIFY, {"credential": credential})
    assert response.status_code == 400
    assert second.get("/").status_code == 302


def test_a_signature_counter_that_does_not_go_up_is_refused(db):
    """A counter at or below the last one seen suggests a cloned authenticator."""
    user, authenticator = user_with_passkey()
    client = password_client(user)
    assert (
        post_json(
            client, SIGN_IN_VERIFY, {"credential": authenticator.get(sign_in_options(client), sign_count=5)}
        ).status_code
        == 200
    )

    client = password_client(user)
    response = post_json(
        client, SIGN_IN_VERIFY, {"credential": authenticator.get(sign_in_options(client), sign_count=5)}
    )
    assert response.status_code == 400
    assert Passkey.objects.get(user=user).sign_count == 5
    assert audit(user, Action.MFA_FAILED)[-1].reason == "passkey sign count did not increase"
    assert client.get("/").status_code == 302


def test_a_forged_signature_is_refused(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    forged = authenticator.get(sign_in_options(client), signing_key=ec.generate_private_key(ec.SECP256R1()))
    response = post_json(client, SIGN_IN_VERIFY, {"credential": forged})
    assert response.status_code == 400
    assert audit(user, Action.MFA_FAILED)[-1].reason == "passkey refused"
    assert client.get("/").status_code == 302


def test_a_passkey_from_another_site_is_refused_at_sign_in(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    response = post_json(
        client,
        SIGN_IN_VERIFY,
        {"credential": authenticator.get(sign_in_options(client), origin="https://evil.example")},
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_someone_elses_passkey_does_not_verify_this_account(db):
    user, _ = user_with_passkey()
    other, other_authenticator = user_with_passkey()
    client = password_client(user)
    options = sign_in_options(client)
    assert b64url(other_authenticator.credential_id) not in json.dumps(options)
    response = post_json(client, SIGN_IN_VERIFY, {"credential": other_authenticator.get(options)})
    assert response.status_code == 400
    assert audit(user, Action.MFA_FAILED)[-1].reason == "passkey not registered to this account"
    assert client.get("/").status_code == 302


def test_five_refused_passkeys_end_the_session(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    responses = []
    for _ in range(MAX_CODE_FAILURES):
        options = sign_in_options(client)
        responses.append(
            post_json(client, SIGN_IN_VERIFY, {"credential": authenticator.get(options, origin="https://evil.example")})
        )
    assert [r.status_code for r in responses] == [400] * MAX_CODE_FAILURES
    assert "redirect" not in responses[-2].json()
    assert responses[-1].json()["redirect"] == "/sign-in/"
    assert client.get(SECURITY_CODE)["Location"].startswith("/sign-in/")


def test_a_passkey_verified_session_ends_its_verification_when_the_passkey_is_removed(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    post_json(client, SIGN_IN_VERIFY, {"credential": authenticator.get(sign_in_options(client))})
    assert client.get("/").status_code == 200
    passkey = Passkey.objects.get(user=user)
    assert signed_in_client(user).post(f"/account/security/passkeys/{passkey.pk}/remove/").status_code == 302
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(SECURITY_CODE)
    assert passkeys.VERIFIED_KEY not in client.session


# --- Removing a passkey -------------------------------------------------------------------------------------


def test_a_user_removes_their_own_passkey(db):
    user, _ = user_with_passkey()
    passkey = Passkey.objects.get(user=user)
    client = signed_in_client(user)
    url = f"/account/security/passkeys/{passkey.pk}/remove/"
    page = client.get(url)
    assert page.status_code == 200 and "Remove the passkey ‘Work laptop’?" in page.content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == SECURITY
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
    [removed] = audit(user, Action.DELETE)
    assert removed.object_type == "accounts.passkey" and removed.object_id == str(passkey.pk)
    assert "Passkey removed: Work laptop" in client.get(SECURITY).content.decode()


@pytest.mark.parametrize(
    "role",
    ["coordinator", "other_clinician", "clinical_lead", "finance", "researcher", "sysadmin", "agency", "agency_other"],
)
def test_nobody_else_can_see_or_remove_a_passkey(cast, client_for, role):
    authenticator = SoftwareAuthenticator()
    assert register(client_for(cast.clinician), authenticator).status_code == 200
    passkey = Passkey.objects.get(user=cast.clinician)
    url = f"/account/security/passkeys/{passkey.pk}/remove/"
    client = client_for(cast.by_name(role))
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_signed_out_visitors_cannot_remove_a_passkey(client, db):
    user, _ = user_with_passkey()
    passkey = Passkey.objects.get(user=user)
    response = client.post(f"/account/security/passkeys/{passkey.pk}/remove/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")
    assert Passkey.objects.filter(pk=passkey.pk).exists()


def test_the_last_way_to_confirm_it_is_you_cannot_be_removed(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    post_json(client, SIGN_IN_VERIFY, {"credential": authenticator.get(sign_in_options(client))})
    TOTPDevice.objects.filter(user=user).delete()  # the passkey is now the only second factor
    passkey = Passkey.objects.get(user=user)
    response = client.post(f"/account/security/passkeys/{passkey.pk}/remove/")
    assert response.status_code == 403
    assert Passkey.objects.filter(pk=passkey.pk).exists()
    assert not audit(user, Action.DELETE)


def test_the_removal_page_warns_when_this_sign_in_used_the_passkey(db):
    user, authenticator = user_with_passkey()
    client = password_client(user)
    post_json(client, SIGN_IN_VERIFY, {"credential": authenticator.get(sign_in_options(client))})
    passkey = Passkey.objects.get(user=user)
    page = client.get(f"/account/security/passkeys/{passkey.pk}/remove/").content.decode()
    assert "You used this passkey to sign in" in page


# --- The list stays short ------------------------------------------------------------------------------------


def add_passkeys(user, count: int) -> None:
    Passkey.objects.bulk_create(
        Passkey(user=user, name=f"Key {n}", credential_id=os.urandom(16), public_key=b"-") for n in range(count)
    )


def test_a_user_can_have_at_most_ten_passkeys(cast, client_for):
    add_passkeys(cast.clinician, passkeys.MAX_PASSKEYS - 1)
    client = client_for(cast.clinician)
    options = start_registration(client)
    assert (
        post_json(client, REGISTER_VERIFY, {"credential": SoftwareAuthenticator().create(options)}).status_code == 200
    )

    page = client.get(ADD)
    assert page.status_code == 200
    assert passkeys.AT_LIMIT in page.content.decode() and 'name="name"' not in page.content.decode()
    assert client.post(ADD, {"name": "Eleventh"}).status_code == 200
    response = post_json(client, REGISTER_OPTIONS)
    assert response.status_code == 400
    assert response.json()["error"] in (passkeys.AT_LIMIT, "Start again: name your passkey first.")
    # Even with a name pending from before the limit was reached, no options are given.
    session = client.session
    session["casework_passkey_pending_name"] = "Sneaky"
    session.save()
    response = post_json(client, REGISTER_OPTIONS)
    assert response.status_code == 400 and response.json()["error"] == passkeys.AT_LIMIT
    assert Passkey.objects.filter(user=cast.clinician).count() == passkeys.MAX_PASSKEYS


def test_the_security_page_runs_the_same_queries_however_many_passkeys(cast, client_for):
    add_passkeys(cast.clinician, 1)
    client = client_for(cast.clinician)
    assert_page_queries_flat(client, SECURITY, grow=lambda: add_passkeys(cast.clinician, passkeys.MAX_PASSKEYS - 1))
    assert client.get(SECURITY).content.decode().count("/remove/") == passkeys.MAX_PASSKEYS
