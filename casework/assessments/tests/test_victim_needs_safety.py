"""The victim needs and safety assessment: its definition loads and fits the schema; a clinician on
a victim case's team starts, fills and has it signed, and the current danger and the review date
show; instruments are offered only on the kinds of case they are for (this one on victim cases, the
risk assessments of the person who stalks never on them), and the service refuses the rest."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from casework.assessments import definitions, services
from casework.assessments.definitions import DEFINITIONS_DIR, INSTRUMENTS_DIR
from casework.assessments.services import AssessmentRefused
from casework.assessments.tests import factories
from casework.cases.choices import CaseKind
from casework.cases.tests.factories import make_case, ready_referral
from casework.core.idempotency import FIELD
from casework.referrals.choices import SubjectRole

CODE = "victim-needs-safety"


@pytest.fixture(autouse=True)
def _fresh_definitions():
    definitions.clear_cache()
    yield
    definitions.clear_cache()


@pytest.fixture
def victim_case(cast):
    """A victim case (the person stalked is its subject) with ``cast.clinician`` as lead clinician."""
    referral = ready_referral(
        lead_clinician=cast.clinician, coordinator=cast.coordinator, subject_role=SubjectRole.VICTIM
    )
    return make_case(lead=cast.clinician, by=cast.clinical_lead, kind=CaseKind.VICTIM, referral=referral)


def _token(page: str) -> str:
    import re

    return re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]


# --- The definition ---------------------------------------------------------------------------------


def test_the_victim_needs_and_safety_definition_loads_as_a_needs_assessment_for_victim_cases():
    definition = definitions.load(CODE)
    assert definition.kind == "needs_assessment"
    assert definition.case_kinds == {CaseKind.VICTIM}
    assert definition.training is None  # any clinician on the victim's team may complete it
    assert definition.review_months == 3
    assert [(j.outcome, j.levels, j.rationale_required) for j in definition.judgements] == [
        ("current_danger", ("low", "moderate", "high"), True)
    ]
    assert "clinic's own structure" in definition.source and "reproduces no published tool" in definition.source


def test_it_asks_about_safety_impact_behaviours_access_children_technology_and_support():
    definition = definitions.load(CODE)
    assert [section.key for section in definition.sections] == [
        "fear_and_safety",
        "impact",
        "behaviours",
        "access",
        "children",
        "technology",
        "support",
        "summary",
    ]
    items = definition.items
    assert {
        "following",
        "loitering",
        "unwanted_contact",
        "threats_made",
        "property_damage",
        "third_party_approaches",
    } <= set(items)
    assert {"knows_home_address", "shared_children", "shared_circle", "lives_or_works_nearby"} <= set(items)
    assert {"children_in_household", "child_contact_with_stalker", "safeguarding_referral"} <= set(items)
    assert {"tracking", "account_access", "location_sharing", "fake_profiles", "image_threats"} <= set(items)
    assert {"impact_work_study", "impact_home", "impact_physical_health", "impact_mental_health"} <= set(items)
    assert {"impact_finances", "impact_relationships"} <= set(items)
    assert {item.kind for item in items.values()} == {"yes_no", "choice", "text"}


def test_the_schema_offers_exactly_the_kinds_of_case():
    schema = json.loads((INSTRUMENTS_DIR / "schema.json").read_text(encoding="utf-8"))
    assert schema["properties"]["case_kinds"]["items"]["enum"] == list(CaseKind.values)
    assert "needs_assessment" in schema["properties"]["kind"]["enum"]


def test_every_shipped_definition_says_which_kinds_of_case_it_is_for():
    for path in DEFINITIONS_DIR.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8")).get("case_kinds"), path.name
    for code in ("srp-structured", "stalker-typology"):
        assert not definitions.load(code).offered_on(CaseKind.VICTIM)
        assert definitions.load(code).offered_on(CaseKind.PERPETRATOR)
    assert definitions.load("s-dash").offered_on(CaseKind.VICTIM)  # a screen completed with the victim
    assert not definitions.load(CODE).offered_on(CaseKind.PERPETRATOR)
    assert not definitions.load(CODE).offered_on(CaseKind.CONSULTATION)


def test_a_case_kind_outside_the_vocabulary_is_refused_by_the_schema(settings, tmp_path):
    directory = tmp_path / "definitions"
    directory.mkdir()
    data = json.loads((DEFINITIONS_DIR / f"{CODE}.json").read_text(encoding="utf-8"))
    data["case_kinds"] = ["victims"]
    (directory / f"{CODE}.json").write_text(json.dumps(data), encoding="utf-8")
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    with pytest.raises(definitions.DefinitionError, match="case_kinds/0"):
        definitions.load(CODE)


def test_the_list_for_a_kind_of_case_leaves_out_instruments_for_other_kinds_even_when_broken(settings, tmp_path):
    directory = tmp_path / "definitions"
    directory.mkdir()
    for path in DEFINITIONS_DIR.glob("*.json"):
        (directory / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    settings.ASSESSMENT_CATALOGUES = {}  # the SRP catalogue is missing: srp-structured cannot load
    on_victim = {code for code, _, _ in definitions.available(CaseKind.VICTIM)}
    on_perpetrator = {code: problem for code, _, problem in definitions.available(CaseKind.PERPETRATOR)}
    assert on_victim == {"s-dash", CODE}
    assert set(on_perpetrator) == {"s-dash", "stalker-typology", "srp-structured"}
    assert definitions.is_missing_catalogue(on_perpetrator["srp-structured"])


# --- On a victim case ---------------------------------------------------------------------------------


def test_a_clinician_on_a_victim_case_starts_fills_and_has_it_signed_with_the_current_danger(
    victim_case, cast, client_for
):
    assessment = factories.victim_needs_signed(victim_case, cast.clinician, cast.clinical_lead, level="high")
    assert assessment.is_signed and services.signature_holds(assessment)
    assert assessment.definition.code == CODE
    assert [(j.outcome, j.level) for j in assessment.judgements.all()] == [("current_danger", "high")]
    assert assessment.review_due_on == services._months_after(timezone.localdate(), 3)
    page = client_for(cast.clinician).get(reverse("assessments:detail", args=[victim_case.reference, assessment.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Current danger" in body and "<strong>High</strong>" in body
    assert "Escalating visits to her home and threats." in body
    assert f"{assessment.review_due_on:%-d %B %Y}" in body


def test_it_cannot_be_submitted_without_the_current_danger_and_its_reasons(victim_case, cast):
    from casework.assessments.services import Incomplete

    assessment = services.assessment_start(case=victim_case, code=CODE, setting="community", by=cast.clinician)
    services.assessment_save(
        assessment=assessment,
        answers=factories.VICTIM_NEEDS_ANSWERS,
        expected_version=assessment.row_version,
        by=cast.clinician,
    )
    with pytest.raises(Incomplete) as incomplete:
        services.assessment_submit(assessment=assessment, by=cast.clinician)
    assert {field for field, _ in incomplete.value.problems} == {"judgement_current_danger", "rationale_current_danger"}


def test_the_start_page_of_a_victim_case_offers_it_and_not_the_risk_assessments_of_the_stalker(
    victim_case, cast, client_for
):
    client = client_for(cast.clinician)
    url = reverse("assessments:start", args=[victim_case.reference])
    page = client.get(url).content.decode()
    assert "Victim needs and safety assessment" in page
    assert "Stalking risk assessment (SRP structure)" not in page and "Stalker typology" not in page
    assert 'value="srp-structured"' not in page
    response = client.post(url, {"instrument": CODE, "setting": "community", FIELD: _token(page)})
    assert response.status_code == 302
    assert victim_case.assessments.get().definition.code == CODE


def test_the_service_refuses_the_srp_on_a_victim_case_and_says_why(victim_case, cast):
    for code in ("srp-structured", "stalker-typology"):
        with pytest.raises(AssessmentRefused, match="not used on a victim case") as refused:
            services.assessment_start(case=victim_case, code=code, setting="community", by=cast.clinician)
        assert refused.value.field == "instrument"
    assert not victim_case.assessments.exists()


# --- On a perpetrator case ----------------------------------------------------------------------------


def test_a_perpetrator_case_is_not_offered_it_and_the_service_refuses_it(world, cast, client_for):
    page = client_for(cast.clinician).get(reverse("assessments:start", args=[world.case.reference])).content.decode()
    assert "Stalking risk assessment (SRP structure)" in page
    assert "Victim needs and safety assessment" not in page and CODE not in page
    with pytest.raises(
        AssessmentRefused,
        match="Victim needs and safety assessment is not used on a perpetrator case: it is for victim cases only",
    ) as refused:
        services.assessment_start(case=world.case, code=CODE, setting="community", by=cast.clinician)
    assert refused.value.field == "instrument"
    assert not world.case.assessments.exists()


def test_posting_it_on_a_perpetrator_case_is_refused_on_the_form(world, cast, client_for):
    client = client_for(cast.clinician)
    url = reverse("assessments:start", args=[world.case.reference])
    page = client.get(url).content.decode()
    response = client.post(url, {"instrument": CODE, "setting": "community", FIELD: _token(page)})
    assert response.status_code == 400
    assert not world.case.assessments.exists()
