"""Demo of the agency API: a token for the demo police force (its secret fixed, so that
``make run``'s sign-in help can print it: a demo-only convenience, never in production), and a few
referrals the force's case system sent through the API (channel API), sent by the API's own route
(``casework.api.submission.submit``: the portal's forms and services). Idempotent: nothing is added
when the demo token exists. Names are made up by Faker (en_GB)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.accounts.models import User
from casework.api import services as api_services
from casework.api.models import ApiToken, Scope
from casework.api.submission import submit
from casework.demo.accounts import DEMO_AGENCY
from casework.demo.context import DemoContext, drama_phone
from casework.referrals.choices import Service

DEMO_PREFIX = "de000001"  # a token prefix is 8 hexadecimal digits (api.services.parse)
# Synthetic and public: it opens only the demo's own synthetic data (make run prints it).
DEMO_API_TOKEN = f"nsc_{DEMO_PREFIX}_DEMO-ONLY-synthetic-data-not-a-real-token"  # noqa: S105
DEMO_INTEGRATION_NAME = "Demo police case system"
API_REFERRALS = 3


def seed(context: DemoContext) -> None:
    if ApiToken.objects.filter(prefix=DEMO_PREFIX).exists():
        return
    police = User.objects.filter(email=DEMO_AGENCY[0][0]).first()
    admin = User.objects.filter(role="system_administrator", is_active=True).order_by("id").first()
    if police is None or admin is None or police.organisation is None:
        return
    made = api_services.token_create(
        by=admin,
        organisation=police.organisation,
        name=DEMO_INTEGRATION_NAME,
        scopes=[s.value for s in Scope],
        expires_on=timezone.localdate() + dt.timedelta(days=api_services.MAX_DAYS),
    )
    # The demo's token has a known secret (only its digest is stored, as for any token).
    ApiToken.objects.filter(pk=made.token.pk).update(
        prefix=DEMO_PREFIX, secret_hash=api_services.digest(DEMO_API_TOKEN)
    )
    account = made.token.user
    for index in range(API_REFERRALS):
        submit(by=account, body=_body(context, police, index))
    context.say(f"Agency API: demo token for {police.organisation.name} and {API_REFERRALS} API referrals.\n")


def _body(context: DemoContext, police: User, index: int) -> dict:
    faker = context.faker
    today = timezone.localdate()
    due = today + dt.timedelta(days=context.rng.randint(20, 50))
    return {
        "services": [Service.STALKER_ASSESSMENT.value, Service.REPORT_SENTENCING.value],
        "subject_role": "perpetrator",
        "subject_given_name": faker.first_name_male(),
        "subject_family_name": faker.last_name(),
        "subject_date_of_birth": faker.date_of_birth(minimum_age=20, maximum_age=60),
        "subject_details": "",
        "parties": [
            {
                "role": "victim",
                "name": faker.name_female(),
                "relationship_to_subject": ["Former partner", "Colleague", "Neighbour"][index % 3],
                "details": "",
            }
        ],
        "behaviour_summary": "Repeated unwanted messages, turning up at her workplace and following her home.",
        "behaviour_duration": f"{context.rng.randint(3, 18)} months",
        "stalking_significant": "yes",
        "legal_status": "convicted",
        "offences": ["pha_s4a"],
        "orders_in_force": ["restraining"],
        "assessment_setting": "community",
        "next_hearing_on": due + dt.timedelta(days=7),
        "report_due_on": due,
        "parole_hearing_on": None,
        "commissioner": police.organisation_id,
        "purchase_order": f"PO-API-{index + 1:03d}",
        "contract_reference": "",
        "referrer_name": police.full_name,
        "referrer_job_title": police.job_title or "Detective Constable",
        "referrer_email": police.email,
        "referrer_phone": drama_phone(faker.phone_number()),
    }
