"""Sessions: idle expiry, the absolute lifetime, signing out (everywhere), disabling an account,
and the sign-out confirmation page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from casework.accounts import services
from casework.accounts.models import UserSession
from casework.accounts.services import SESSION_STARTED_AT
from casework.accounts.tests.factories import TEST_PASSWORD
from casework.audit.models import Action, AuditEvent


@pytest.fixture(autouse=True)
def fresh_throttles(db):
    cache.clear()
    yield
    cache.clear()


def at(minutes: float):
    """Pretend it is ``minutes`` from now, with the clock stopped there."""
    moment = timezone.now() + dt.timedelta(minutes=minutes)
    return time_machine.travel(moment, tick=False)


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/sign-in/")


# --- Idle and absolute expiry ------------------------------------------------------------------------


def test_the_idle_limit_is_fifteen_minutes_renewed_by_every_request():
    assert django_settings.SESSION_COOKIE_AGE == 15 * 60
    assert django_settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_ends_after_fifteen_idle_minutes(cast, client_for):
    client = client_for(cast.clinician)
    assert client.get("/").status_code == 200
    with at(14):
        assert client.get("/").status_code == 200
    with at(28):  # 14 minutes after the last request: still alive
        assert client.get("/").status_code == 200
    with at(44):  # 16 minutes idle
        response = client.get("/")
    assert signed_out(response)
    assert response["Location"] == "/sign-in/?next=/"


def test_a_session_ends_at_the_absolute_limit_however_active(cast, client_for, settings):
    settings.CASEWORK_SESSION_ABSOLUTE_SECONDS = 60 * 60
    client = client_for(cast.clinician)
    for minutes in (10, 20, 30, 40, 50, 59):
        with at(minutes):
            assert client.get("/").status_code == 200, minutes
    with at(61):
        response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/?expired=1"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because your session ended" in page
    event = AuditEvent.objects.get(actor=cast.clinician, action=Action.SIGN_OUT)
    assert event.reason == "session reached its time limit"


def test_reaching_the_absolute_limit_ends_only_that_session(cast, client_for, settings):
    settings.CASEWORK_SESSION_ABSOLUTE_SECONDS = 60 * 60
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60  # so idle expiry does not end either first
    old = client_for(cast.clinician)
    with at(50):
        newer = client_for(cast.clinician)
    with at(61):
        assert old.get("/")["Location"] == "/sign-in/?expired=1"
        assert newer.get("/").status_code == 200


def test_force_login_clients_carry_a_session_start_and_are_tracked(cast, client_for):
    """conftest's signed_in_client uses Client.force_login, which sends user_logged_in: the
    session gets its start time and a UserSession row like a real sign-in."""
    client = client_for(cast.finance)
    session = client.session
    assert abs(session[SESSION_STARTED_AT] - timezone.now().timestamp()) < 60
    assert UserSession.objects.filter(user=cast.finance, session_key=session.session_key).exists()
    assert client.get("/").status_code == 200


def test_a_signed_in_session_without_a_start_time_is_ended(cast, client_for):
    client = client_for(cast.finance)
    session = client.session
    del session[SESSION_STARTED_AT]
    session.save()
    assert client.get("/")["Location"] == "/sign-in/?expired=1"


def test_the_session_cookie_is_http_only_same_site_and_ends_with_the_browser(cast):
    client = Client()
    response = client.post("/sign-in/", {"email": cast.clinician.email, "password": TEST_PASSWORD})
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]


# --- Signing out ------------------------------------------------------------------------------------------


def test_the_header_sign_out_link_goes_to_a_confirmation_page(cast, client_for):
    client = client_for(cast.coordinator)
    html = client.get("/").content.decode()
    assert 'href="/sign-out/"' in html
    page = client.get("/sign-out/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<form method="post"', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Signing out ends all your sessions on every device" in html
    # Looking at the page does not sign anyone out.
    assert client.get("/").status_code == 200


def test_signing_out_ends_every_session_of_that_user_and_no_one_elses(cast, client_for):
    laptop = client_for(cast.clinician)
    phone = client_for(cast.clinician)
    colleague = client_for(cast.other_clinician)
    assert UserSession.objects.filter(user=cast.clinician).count() == 2
    phone_key = phone.session.session_key
    assert Session.objects.filter(session_key=phone_key).exists()

    response = laptop.post("/sign-out/")
    assert response.status_code == 302 and response["Location"] == "/sign-in/"
    assert signed_out(laptop.get("/"))
    assert signed_out(phone.get("/"))
    assert colleague.get("/").status_code == 200
    assert not UserSession.objects.filter(user=cast.clinician).exists()
    assert not Session.objects.filter(session_key=phone_key).exists()
    event = AuditEvent.objects.get(actor=cast.clinician, action=Action.SIGN_OUT)
    assert event.reason == ""


def test_signing_out_needs_the_csrf_token(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.clinician)
    assert client.post("/sign-out/").status_code == 403
    assert UserSession.objects.filter(user=cast.clinician).exists()


def test_signing_out_works_before_the_second_factor(cast):
    client = Client()
    client.post("/sign-in/", {"email": cast.clinician.email, "password": TEST_PASSWORD})
    assert client.get("/sign-out/").status_code == 200
    assert client.post("/sign-out/")["Location"] == "/sign-in/"
    assert signed_out(client.get("/sign-in/security-code/"))


def test_a_signed_out_visitor_asking_to_sign_out_is_sent_to_sign_in(client, db):
    response = client.get("/sign-out/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize(
    "role",
    [
        "coordinator",
        "clinician",
        "other_clinician",
        "clinical_lead",
        "finance",
        "researcher",
        "sysadmin",
        "agency",
        "agency_other",
    ],
)
def test_every_role_can_sign_out(cast, client_for, role):
    client = client_for(cast.by_name(role))
    assert client.get("/sign-out/").status_code == 200
    assert client.post("/sign-out/").status_code == 302
    assert signed_out(client.get("/"))


def test_disabling_an_account_ends_all_its_sessions(cast, client_for):
    first = client_for(cast.agency)
    second = client_for(cast.agency)
    services.user_set_active(user=cast.agency, by=cast.sysadmin, active=False)
    assert signed_out(first.get("/"))
    assert signed_out(second.get("/"))
    # And the password no longer works.
    response = Client().post("/sign-in/", {"email": cast.agency.email, "password": TEST_PASSWORD})
    assert response.status_code == 400
