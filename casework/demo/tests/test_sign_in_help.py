"""``manage.py demo_sign_in_help`` (run by ``make run``): how to sign in as each demo account, with
a working enrolment code for each account that has no second factor when MFA is on."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from casework.accounts import mfa
from casework.accounts.tests.factories import UserFactory
from casework.accounts.tests.test_enrolment import enter
from casework.accounts.tests.test_second_factor import SET_UP, password_client
from casework.demo.accounts import DEMO_STAFF


def test_the_demo_help_prints_a_working_code_for_each_account_without_a_second_factor(db, settings):
    settings.CASEWORK_MFA_DISABLED = False
    (email, name, role, *_) = DEMO_STAFF[0]
    demo_user = UserFactory(email=email, full_name=name, role=role)
    enrolled_email = DEMO_STAFF[1][0]
    enrolled = UserFactory(email=enrolled_email, role=DEMO_STAFF[1][2])
    TOTPDevice.objects.create(user=enrolled, name=mfa.TOTP_NAME, confirmed=True)
    out = io.StringIO()
    call_command("demo_sign_in_help", stdout=out)
    text = out.getvalue()
    assert "Second-factor sign-in is ON" in text
    code = re.search(rf"{re.escape(email)}\s+.*enrolment code (\S+)", text).group(1)
    assert not re.search(rf"{re.escape(enrolled_email)}\s+.*enrolment code", text)
    assert enter(password_client(demo_user), code)["Location"] == SET_UP

    settings.CASEWORK_MFA_DISABLED = True
    out = io.StringIO()
    call_command("demo_sign_in_help", stdout=out)
    assert "enrolment code" not in out.getvalue()

    settings.CASEWORK_ENV = "production"
    with pytest.raises(CommandError, match="for the demo only"):
        call_command("demo_sign_in_help", stdout=io.StringIO())
