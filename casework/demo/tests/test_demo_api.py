"""The demo's agency API: a token for the demo police force whose secret make run prints, and
referrals its case system sent through the API."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client

from casework.demo.api import API_REFERRALS, DEMO_API_TOKEN
from casework.demo.context import seeded_context
from casework.demo.seeds import seed_all
from casework.referrals.choices import Channel
from casework.referrals.models import Referral


def test_the_demo_has_api_referrals_and_a_working_printed_token(db):
    seed_all(seeded_context(7), only={"organisations", "accounts", "api"})
    sent = Referral.objects.filter(received_via=Channel.API)
    assert sent.count() == API_REFERRALS
    assert len({r.referring_organisation_id for r in sent}) == 1
    seed_all(seeded_context(7), only={"api"})
    assert Referral.objects.filter(received_via=Channel.API).count() == API_REFERRALS  # idempotent
    out = io.StringIO()
    call_command("demo_sign_in_help", stdout=out)
    assert f"Authorization: Bearer {DEMO_API_TOKEN}" in out.getvalue()
    listed = Client(HTTP_AUTHORIZATION=f"Bearer {DEMO_API_TOKEN}").get("/api/v1/referrals/")
    assert listed.status_code == 200
    assert {r["reference"] for r in listed.json()["results"]} >= {r.reference for r in sent}
