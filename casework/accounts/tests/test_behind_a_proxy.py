"""Signing in behind reverse proxies: the client's own address, taken through
``TRUSTED_PROXY_COUNT`` proxies, is what the address throttle counts, what django-axes records
and what the audit trail keeps; addresses the client writes into X-Forwarded-For itself are
ignored, and with no trusted proxies the header is ignored altogether."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from casework.accounts.tests.factories import TEST_PASSWORD
from casework.accounts.tests.test_sign_in import csrf_client, events, post_sign_in
from casework.audit.models import Action
from casework.audit.services import client_ip as audit_client_ip
from casework.core.client_address import client_ip

PROXY = "10.0.0.1"  # the proxy the app server sees (REMOTE_ADDR)
INNER_PROXY = "10.0.0.2"  # with two proxies: the outer one, as the inner one saw it
ATTACKER = "203.0.113.66"
STAFF = "192.0.2.10"
OTHER_STAFF = "192.0.2.11"


def through_proxies(client_address: str, proxies: int, spoofed: str = "") -> dict[str, str]:
    """The request headers after ``proxies`` proxies, each appending the address it received
    the request from. ``spoofed`` is what the client put in X-Forwarded-For itself."""
    chain = [spoofed] if spoofed else []
    chain.append(client_address)
    if proxies == 2:
        chain.append(INNER_PROXY)
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ", ".join(chain)}


@pytest.mark.parametrize(
    ("proxies", "forwarded", "remote", "expected"),
    [
        # No trusted proxies: the header is ignored, whatever it says.
        (0, "198.51.100.7", "192.0.2.1", "192.0.2.1"),
        (0, None, "192.0.2.1", "192.0.2.1"),
        # One proxy: the right-most entry is the one it appended.
        (1, "192.0.2.10", PROXY, "192.0.2.10"),
        (1, "198.51.100.7, 192.0.2.10", PROXY, "192.0.2.10"),
        (1, "1.1.1.1,2.2.2.2 , 192.0.2.10", PROXY, "192.0.2.10"),
        # Two proxies: the second entry from the right.
        (2, "192.0.2.10, 10.0.0.2", PROXY, "192.0.2.10"),
        (2, "198.51.100.7, 192.0.2.10, 10.0.0.2", PROXY, "192.0.2.10"),
        # Fewer entries than proxies (the request skipped one): only the peer is certain.
        (2, "192.0.2.10", PROXY, PROXY),
        (1, None, PROXY, PROXY),
        (1, "", PROXY, PROXY),
        # Ports and IPv6, as some proxies write them; normalised.
        (1, "192.0.2.10:51234", PROXY, "192.0.2.10"),
        (1, "[2001:DB8::1]:443", PROXY, "2001:db8::1"),
        (1, "2001:0db8:0000:0000:0000:0000:0000:0001", PROXY, "2001:db8::1"),
        # Something that is not an address is no address.
        (1, "unknown", PROXY, None),
        (0, None, "not-an-address", None),
    ],
)
def test_the_client_address_is_taken_through_the_trusted_proxies(settings, proxies, forwarded, remote, expected):
    settings.CASEWORK_TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected
    assert audit_client_ip(request) == expected


@pytest.mark.parametrize("proxies", [1, 2])
def test_one_address_hitting_the_limit_does_not_lock_out_staff_behind_the_same_proxy(cast, settings, proxies):
    """Before: every request came from the proxy's address, so 30 failures by anyone locked
    the whole staff out."""
    settings.CASEWORK_TRUSTED_PROXY_COUNT = proxies
    settings.CASEWORK_IP_FAILURE_LIMIT = 3
    for n in range(3):
        response = post_sign_in(csrf_client(**through_proxies(ATTACKER, proxies)), f"guess{n}@nsc.example.nhs.uk", "pw")
        assert response.status_code == 400
    # The attacker's address is throttled, even with the right password for a real account...
    attacker = post_sign_in(csrf_client(**through_proxies(ATTACKER, proxies)), cast.coordinator.email, TEST_PASSWORD)
    assert attacker.status_code == 429
    # ...but staff reaching the app through the same proxy from their own addresses sign in.
    staff = post_sign_in(csrf_client(**through_proxies(STAFF, proxies)), cast.coordinator.email, TEST_PASSWORD)
    assert staff.status_code == 302
    other = post_sign_in(csrf_client(**through_proxies(OTHER_STAFF, proxies)), cast.clinician.email, TEST_PASSWORD)
    assert other.status_code == 302


@pytest.mark.parametrize("proxies", [1, 2])
def test_addresses_the_client_writes_into_the_header_do_not_escape_the_throttle(cast, settings, proxies):
    settings.CASEWORK_TRUSTED_PROXY_COUNT = proxies
    settings.CASEWORK_IP_FAILURE_LIMIT = 3
    for n in range(3):
        headers = through_proxies(ATTACKER, proxies, spoofed=f"198.51.100.{n}")
        assert post_sign_in(csrf_client(**headers), f"guess{n}@nsc.example.nhs.uk", "pw").status_code == 400
    headers = through_proxies(ATTACKER, proxies, spoofed=STAFF)
    assert post_sign_in(csrf_client(**headers), cast.coordinator.email, TEST_PASSWORD).status_code == 429


def test_with_no_trusted_proxy_the_header_is_ignored(cast, settings):
    """Otherwise anyone could choose their own address, a fresh one for every attempt."""
    settings.CASEWORK_TRUSTED_PROXY_COUNT = 0
    settings.CASEWORK_IP_FAILURE_LIMIT = 3
    for n in range(3):
        client = csrf_client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert post_sign_in(client, f"guess{n}@nsc.example.nhs.uk", "pw").status_code == 400
    client = csrf_client(REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=STAFF)
    assert post_sign_in(client, cast.coordinator.email, TEST_PASSWORD).status_code == 429
    assert {e.ip_address for e in events(Action.SIGN_IN_FAILED)} == {ATTACKER}
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


@pytest.mark.parametrize("proxies", [1, 2])
def test_the_account_still_locks_whatever_addresses_the_attempts_come_from(cast, settings, proxies):
    settings.CASEWORK_TRUSTED_PROXY_COUNT = proxies
    limit = settings.AXES_FAILURE_LIMIT
    answers = [
        post_sign_in(csrf_client(**through_proxies(f"198.51.100.{n}", proxies)), cast.clinician.email, f"wrong {n}")
        for n in range(limit)
    ]
    assert [a.status_code for a in answers] == [400] * (limit - 1) + [429]
    response = post_sign_in(csrf_client(**through_proxies(STAFF, proxies)), cast.clinician.email, TEST_PASSWORD)
    assert response.status_code == 429


@pytest.mark.parametrize("proxies", [1, 2])
def test_audit_events_and_axes_record_the_real_client_address(cast, settings, proxies, client_for):
    settings.CASEWORK_TRUSTED_PROXY_COUNT = proxies
    post_sign_in(
        csrf_client(**through_proxies(ATTACKER, proxies, spoofed="198.51.100.9")), cast.clinician.email, "wrong"
    )
    client = csrf_client(**through_proxies(STAFF, proxies, spoofed="198.51.100.9"))
    post_sign_in(client, cast.coordinator.email, TEST_PASSWORD)
    [failed] = events(Action.SIGN_IN_FAILED)
    [signed_in] = events(Action.SIGN_IN)
    assert failed.ip_address == ATTACKER
    assert signed_in.ip_address == STAFF
    assert AccessAttempt.objects.get(username=cast.clinician.email).ip_address == ATTACKER
    # A read of personal data is recorded with the reader's own address too.
    page = reverse("staff_admin:user_detail", args=[cast.clinician.pk])
    assert client_for(cast.sysadmin).get(page, **through_proxies(OTHER_STAFF, proxies)).status_code == 200
    [viewed] = events(Action.VIEW)
    assert viewed.ip_address == OTHER_STAFF
