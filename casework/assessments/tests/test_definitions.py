"""Instruments as data: the shipped definitions load and are checked against the schema; a
definition or catalogue that does not fit is refused with what is wrong and where; the content hash
follows the content; nothing licensed is shipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casework.assessments import definitions
from casework.assessments.definitions import DEFINITIONS_DIR, DEMO_CATALOGUE, Definition, DefinitionError


@pytest.fixture(autouse=True)
def _fresh_definitions():
    definitions.clear_cache()
    yield
    definitions.clear_cache()


def _copy_definitions(tmp_path: Path) -> Path:
    target = tmp_path / "definitions"
    target.mkdir()
    for path in DEFINITIONS_DIR.glob("*.json"):
        (target / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return target


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def test_every_shipped_definition_loads_and_fits_the_schema():
    loaded = {code: definition for code, definition, problem in definitions.available() if not problem}
    assert set(loaded) == {"s-dash", "stalker-typology", "srp-structured", "victim-needs-safety"}
    for definition in loaded.values():
        assert len(definition.content_hash) == 64


def test_s_dash_has_eleven_yes_no_items_with_comments_and_no_cut_off():
    s_dash = definitions.load("s-dash")
    screen = next(section for section in s_dash.sections if section.key == "screen")
    assert len(screen.items) == 11
    assert all(item.kind == "yes_no" and item.comment for item in screen.items)
    assert s_dash.tally is not None and "professional judgement decides" in s_dash.tally.note
    assert s_dash.training is not None and s_dash.training.code == "s_dash"


def test_the_typology_offers_the_five_types_and_asks_the_guiding_questions():
    typology = definitions.load("stalker-typology")
    items = typology.items
    assert [c.value for c in items["stalker_type"].choices] == [
        "rejected",
        "resentful",
        "intimacy_seeking",
        "incompetent_suitor",
        "predatory",
    ]
    assert {"context", "initial_motive", "prior_relationship", "mental_illness"} <= set(items)


def test_the_srp_structure_includes_the_typology_and_rates_catalogue_factors_per_outcome():
    srp = definitions.load("srp-structured")
    assert [j.outcome for j in srp.judgements] == ["violence", "persistence", "recurrence", "psychosocial_damage"]
    assert "stalker_type" in srp.items  # the typology, included
    factors = next(section for section in srp.sections if section.kind == "catalogue").items
    assert factors and all(item.kind == "presence" and item.rate_relevance for item in factors)
    assert {outcome for item in factors for outcome in item.outcomes} == set(j.outcome for j in srp.judgements)
    assert srp.has_scenarios and srp.has_sources
    assert srp.uses_demonstration_catalogue


def test_factors_apply_by_stalker_type_and_prior_relationship():
    srp = definitions.load("srp-structured")

    def asked(stalker_type: str, relationship: str) -> set[str]:
        answers = {"stalker_type": {"value": stalker_type}, "prior_relationship": {"value": relationship}}
        return {item.key for item in srp.applicable_items(answers)}

    rejected_ex = asked("rejected", "ex_intimate_partner")
    intimacy_stranger = asked("intimacy_seeking", "stranger")
    assert "continuing_contact_arrangements" in rejected_ex
    assert "continuing_contact_arrangements" not in intimacy_stranger
    assert "belief_in_relationship" in intimacy_stranger
    assert "belief_in_relationship" not in rejected_ex
    assert "explicit_threats" in rejected_ex and "explicit_threats" in intimacy_stranger
    # Before the type is known, type-specific factors are not asked.
    assert "preparation_for_sexual_attack" not in {item.key for item in srp.applicable_items({})}


def test_the_demonstration_catalogue_is_marked_and_cites_a_paper_for_every_factor():
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    assert data["demonstration"] is True
    assert "DEMONSTRATION" in data["title"] and "not the Stalking Risk Profile" in data["title"]
    assert all(factor.get("source") and "(" in factor["source"] for factor in data["factors"])


def test_a_definition_that_does_not_fit_the_schema_is_refused_with_where(settings, tmp_path):
    directory = _copy_definitions(tmp_path)
    _edit(directory / "s-dash.json", lambda d: d["sections"][0]["items"][2].update(kind="maybe"))
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    with pytest.raises(DefinitionError, match=r"s-dash.json does not fit its schema at sections/0/items/2/kind"):
        definitions.load("s-dash")


def test_a_definition_that_is_not_json_is_refused_with_the_line(settings, tmp_path):
    directory = _copy_definitions(tmp_path)
    (directory / "s-dash.json").write_text('{"code": "s-dash",\n  oops}', encoding="utf-8")
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    with pytest.raises(DefinitionError, match="is not valid JSON: .* at line 2"):
        definitions.load("s-dash")


def test_an_item_key_used_twice_is_refused(settings, tmp_path):
    directory = _copy_definitions(tmp_path)
    _edit(directory / "s-dash.json", lambda d: d["sections"][0]["items"][1].update(key="very_frightened"))
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    with pytest.raises(DefinitionError, match="item keys more than once: very_frightened"):
        definitions.load("s-dash")


def test_a_catalogue_that_does_not_fit_the_definition_names_what_is_wrong(settings, tmp_path):
    catalogue = tmp_path / "srp.json"
    data = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))
    data["factors"] = [f for f in data["factors"] if "psychosocial_damage" not in f["outcomes"]]
    data["factors"][0]["outcomes"] = ["lethality"]
    catalogue.write_text(json.dumps(data), encoding="utf-8")
    settings.ASSESSMENT_CATALOGUES = {"srp": str(catalogue)}
    with pytest.raises(DefinitionError) as refused:
        definitions.load("srp-structured")
    message = str(refused.value)
    assert "does not fit the instrument definition srp-structured.json" in message
    assert "factor 'prior_intimate_relationship' rates lethality, which this instrument does not judge" in message
    assert "no factor rates psychosocial_damage" in message


def test_a_missing_catalogue_says_which_setting_supplies_it(settings):
    settings.ASSESSMENT_CATALOGUES = {"srp": None}
    with pytest.raises(DefinitionError, match=r"set ASSESSMENT_CATALOGUES\['srp'\] .*CASEWORK_CATALOGUE_SRP"):
        definitions.load("srp-structured")
    # The instruments that need no catalogue still load.
    assert definitions.load("s-dash").code == "s-dash"


def test_the_content_hash_follows_the_content_and_a_kept_definition_rebuilds_unchanged(settings, tmp_path):
    original = definitions.load("s-dash")
    rebuilt = Definition.from_content(json.loads(json.dumps(dict(original.content))))
    assert rebuilt.content_hash == original.content_hash
    assert rebuilt.items == original.items

    directory = _copy_definitions(tmp_path)
    _edit(directory / "s-dash.json", lambda d: d["sections"][0]["items"][0].update(label="Is the victim very scared?"))
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    definitions.clear_cache()
    assert definitions.load("s-dash").content_hash != original.content_hash


def test_the_system_check_refuses_a_broken_catalogue_but_not_a_missing_one(settings, tmp_path):
    from casework.assessments.checks import check_definitions

    settings.ASSESSMENT_CATALOGUES = {"srp": None}
    assert check_definitions(None) == []
    broken = tmp_path / "srp.json"
    broken.write_text('{"catalogue": "srp"}', encoding="utf-8")
    settings.ASSESSMENT_CATALOGUES = {"srp": str(broken)}
    errors = check_definitions(None)
    assert [e.id for e in errors] == ["assessments.E002"]
    assert "does not fit its schema" in errors[0].msg
