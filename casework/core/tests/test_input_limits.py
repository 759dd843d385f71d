"""Every free-text field has one documented maximum (docs/input-limits.md), which the form, the
import and the service apply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from casework.core.limits import check_text_limits, text_fields

DOC = Path(__file__).resolve().parents[3] / "docs" / "input-limits.md"
ROW = re.compile(r"^\| `(?P<field>[a-z]+\.[A-Za-z]+\.[a-z_]+)` \| (?P<max>[\d,]+) \|", re.M)
# Text columns nobody types into: made by the service (references, hashes, blind indexes, search
# documents, letters, snapshots, audit bookkeeping, what the virus scanner said, the background worker's bookkeeping, the key check,
# the kept risks' rule fingerprint) or by Django.
INTERNAL = re.compile(
    r"(\.reference|_bidx|_hash|[._]sha256|\.seal|\.token_digest|\.result_url|\.session_key|\.password|\.prefix"
    r"|\.portal_step|\.content_type|\.snapshot|\.body_html|\.scan_signature|^search\.|^worker\.|^people\.KeyCheck\.|^audit\.(AuditEvent|ChainHead|Alert)\."
    r"|^audit\.BreakGlassGrant\.object_|^cases\.KeptRisk\.)"
)


def documented() -> dict[str, int]:
    return {m["field"]: int(m["max"].replace(",", "")) for m in ROW.finditer(DOC.read_text())}


def typed_fields() -> dict[str, object]:
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("casework."):
            continue
        for field in text_fields(model):
            name = f"{model._meta.label}.{field.name}"
            if not field.choices and not INTERNAL.search(name):
                found[name] = field
    return found


def test_every_free_text_field_is_documented_with_its_maximum():
    table = documented()
    for name, field in typed_fields().items():
        if name == "audit.BreakGlassGrant.reason":
            from casework.access.forms import REASON_MAX_LENGTH

            assert table.get(name) == REASON_MAX_LENGTH
            continue
        assert field.max_length, f"{name} has no max_length"
        assert table.get(name) == field.max_length, (
            f"docs/input-limits.md says {table.get(name)} for {name}, the model {field.max_length}"
        )
    assert set(table) == set(typed_fields()), set(table) ^ set(typed_fields())


def test_the_service_refuses_text_longer_than_the_field_allows(cast):
    from casework.cases.tests.factories import IncidentFactory, make_case

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    with pytest.raises(ValidationError) as refused:
        IncidentFactory(case=case, description="x" * 10_001)
    assert refused.value.message_dict == {"description": ["Description must be 10,000 characters or fewer"]}


def test_text_at_the_maximum_is_kept(cast):
    from casework.cases.tests.factories import IncidentFactory, make_case

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    incident = IncidentFactory(case=case, description="x" * 10_000)
    check_text_limits(incident)
    incident.refresh_from_db()
    assert len(incident.description) == 10_000
