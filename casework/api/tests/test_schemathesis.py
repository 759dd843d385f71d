"""Schemathesis against the served OpenAPI document, in process (the WSGI app), with a token that
holds every scope: no generated request may cause a server error, every documented answer must
match its schema and its declared media type, and an operation that answers 2xx with the token
must refuse the same request without it or with a wrong one (schemathesis' ``ignored_auth``).
Every operation the schema has is tested (nothing listed here), in two phases with the same checks:
one test per operation with generated examples, and the stateful phase following the schema's
OpenAPI links (``casework/api/schema_links.py``).

Volume (issue 18: at least 1,000 generated cases per operation across CI, whose ``.ci/run`` runs
the suite on SQLite and then on PostgreSQL): examples per operation per database are
``EXAMPLES_BY_DATABASE`` below, so the two runs give 1,000 together; ``CASEWORK_SCHEMATHESIS_EXAMPLES``
overrides (``CASEWORK_SCHEMATHESIS_SCENARIOS`` the stateful scenarios, default 25 per database).
Measured on the shared 2-core development machine (load average about 15, so CI's figures are
lower), 11 operations, examples phase only:

    ============  ============================  ======================  =======================
    database      measured: 200 per operation   per generated case      chosen default
    ============  ============================  ======================  =======================
    SQLite        349 s in the tests (516 s)    0.16 s                  200 (about 350 s)
    PostgreSQL    144 s in the tests (270 s)    0.065 s                 800: measured 256 s
                                                                        (356 s), 0.03 s a case
    ============  ============================  ======================  =======================

(seconds in the tests' calls, the whole run's wall time in brackets; the load varied between runs,
so the per-case figures are rough). Hypothesis' statistics confirm 800 passing examples per
operation on PostgreSQL. 1,000 per operation on one
database would be about 1,750 s on SQLite or 715 s on PostgreSQL; the split puts most of it on
PostgreSQL, which was the cheaper per case and is the production database (this test's
PostgreSQL-only failures went unseen while it ran only on SQLite), and keeps 200 on SQLite. The
stateful phase (25 scenarios of up to 6 calls) took 11 s on SQLite, 4 s on PostgreSQL.

The per-operation tests spread over ``make test``'s two xdist workers.

    CASEWORK_SCHEMATHESIS_EXAMPLES=1000 CASEWORK_ENV=test .venv/bin/python -m pytest -q \\
        casework/api/tests/test_schemathesis.py
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, ignored_auth, response_schema_conformance

from casework.api.authentication import TokenRateThrottle
from casework.api.tests.conftest import make_token
from casework.api.tests.fhir_world import book, release
from casework.referrals.choices import Status
from casework.referrals.tests.factories import ReferralFactory

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")
EXAMPLES_BY_DATABASE = {"sqlite": 200, "postgresql": 800}
EXAMPLES = int(
    os.environ.get("CASEWORK_SCHEMATHESIS_EXAMPLES")
    or EXAMPLES_BY_DATABASE["postgresql" if ON_POSTGRESQL else "sqlite"]
)
STATEFUL_SCENARIOS = int(os.environ.get("CASEWORK_SCHEMATHESIS_SCENARIOS") or 25)


# Loaded once, from the site itself (the schema is public and reads no database). Not through
# ``schemathesis.pytest.from_fixture``: its lazy loader reads ``node._nodeid``, which pytest 9 no
# longer has.
# (Django's WSGI handler itself: ``casework.wsgi`` adds the start-up safety checks, which read the
# database.)
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)


CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance, ignored_auth]


@schema.auth(refresh_interval=None)
class TokenAuth:
    """The current test's full-scope token on every generated request, in both phases, as explicit
    authentication: ``ignored_auth`` then also sends each 2xx request again without it and with a
    wrong one, and expects a refusal. Not cached: each test makes its own token."""

    secret = ""

    def get(self, case, context):
        return TokenAuth.secret

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@pytest.fixture(autouse=True)
def connection_kept_between_requests():
    """Keep the test's database connection open between generated requests, as Django's test client
    does. Django's handler closes "old" connections when a request starts and finishes; inside the
    test's transaction that closes the connection (autocommit is off), which SQLite's in-memory
    database ignores but PostgreSQL does not: every later request then answered 503 ("the
    connection is closed") — the PostgreSQL failures this test used to be skipped for."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def secret(cast, monkeypatch):
    # Generated traffic far beyond a real client's: the per-token rate is lifted for this test.
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api_token": "1000000/minute"})
    ReferralFactory(status=Status.AWAITING_INFORMATION, referring_organisation=cast.organisation)
    released = release(cast)  # an assessment released with an issued report, and an appointment
    book(cast, released.case)
    TokenAuth.secret = make_token(cast).secret
    return TokenAuth.secret


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
def test_the_api_answers_as_its_schema_says(case, secret):
    case.call_and_validate(checks=CHECKS)


class Workflow(schema.as_state_machine()):  # type: ignore[misc, valid-type]
    """Schemathesis' stateful phase: sequences of calls that follow the schema's OpenAPI links
    (``casework/api/schema_links.py``), e.g. ``GET /referrals/`` → ``GET /referrals/{reference}/`` →
    ``POST …/answer/`` or ``…/documents/``, with the same checks as each operation on its own."""

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None, recorder=self.recorder)


def test_linked_calls_answer_as_the_schema_says(secret):
    assert schema.statistic.transitions.total, "the schema has no OpenAPI links to follow"
    Workflow.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.generate],
        )
    )
