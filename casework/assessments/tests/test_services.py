"""Drafting, review and sign-off of an assessment, as the services do them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from casework.accounts.tests.factories import TrainingRecordFactory
from casework.assessments import services
from casework.assessments.choices import AssessmentStatus
from casework.assessments.models import Assessment
from casework.assessments.services import AssessmentRefused, EditConflict, Incomplete
from casework.assessments.tests import factories
from casework.audit.models import AuditEvent

JUDGEMENTS = factories.judgements()


def _complete_answers() -> dict:
    return factories.complete_answers()


def _start(world, cast, **kwargs) -> Assessment:
    return services.assessment_start(
        case=world.case, code="srp-structured", setting="community", by=cast.clinician, **kwargs
    )


def _ready(world, cast) -> Assessment:
    return factories.ready(world.case, cast.clinician)


def test_a_trained_clinician_on_the_team_starts_a_draft_with_the_definition_kept(world, cast):
    assessment = _start(world, cast)
    assert assessment.status == AssessmentStatus.DRAFT
    assert assessment.definition.code == "srp-structured"
    assert len(assessment.definition.content_hash) == 64
    assert sorted(assessment.judgements.values_list("outcome", flat=True)) == [
        "persistence",
        "psychosocial_damage",
        "recurrence",
        "violence",
    ]
    assert AuditEvent.objects.filter(object_id=str(world.case.pk), action="create").exists()


def test_starting_is_refused_with_which_training_lapsed_and_when(world, cast):
    cast.clinician.training_records.all().delete()
    TrainingRecordFactory(
        user=cast.clinician,
        trained_on=dt.date(2021, 3, 1),
        expires_on=dt.date(2024, 3, 1),
    )
    with pytest.raises(AssessmentRefused, match="Stalking Risk Profile .* training lapsed on 1 March 2024"):
        _start(world, cast)


def test_starting_is_refused_to_someone_never_trained(world, cast):
    cast.clinician.training_records.all().delete()
    with pytest.raises(AssessmentRefused, match="no S-DASH stalking screening training recorded"):
        services.assessment_start(case=world.case, code="s-dash", setting="community", by=cast.clinician)


def test_a_clinician_off_the_team_and_a_coordinator_may_not_start(world, cast):
    TrainingRecordFactory(user=cast.other_clinician)
    for user in (cast.other_clinician, cast.coordinator):
        with pytest.raises(PermissionDenied):
            services.assessment_start(case=world.case, code="srp-structured", setting="community", by=user)


def test_custody_needs_the_establishment(world, cast):
    with pytest.raises(AssessmentRefused) as refused:
        services.assessment_start(case=world.case, code="srp-structured", setting="custody", by=cast.clinician)
    assert refused.value.field == "establishment"


def test_answers_are_checked_against_their_items(world, cast):
    assessment = _start(world, cast)
    with pytest.raises(AssessmentRefused) as refused:
        services.assessment_save(
            assessment=assessment,
            answers={"explicit_threats": {"value": "very"}},
            expected_version=assessment.row_version,
            by=cast.clinician,
        )
    assert refused.value.field == "explicit_threats"
    with pytest.raises(AssessmentRefused, match="not part of the instrument"):
        services.assessment_save(
            assessment=assessment,
            answers={"invented": {"value": "yes"}},
            expected_version=assessment.row_version,
            by=cast.clinician,
        )


def test_a_second_save_from_a_stale_version_is_refused_and_the_first_is_kept(world, cast):
    TrainingRecordFactory(user=cast.clinical_lead)
    assessment = _start(world, cast)
    opened_at = assessment.row_version
    services.assessment_save(
        assessment=assessment,
        answers={"formulation": {"value": "First editor's formulation"}},
        expected_version=opened_at,
        by=cast.clinician,
    )
    with pytest.raises(
        EditConflict, match="Clare Clinician saved this assessment at .* Your changes have not been saved"
    ):
        services.assessment_save(
            assessment=Assessment.objects.get(pk=assessment.pk),
            answers={"formulation": {"value": "Second editor's formulation"}},
            expected_version=opened_at,
            by=cast.clinical_lead,
        )
    assessment.refresh_from_db()
    assert assessment.answers["formulation"]["value"] == "First editor's formulation"
    assert assessment.row_version == opened_at + 1


def test_submitting_an_incomplete_assessment_lists_what_is_missing(world, cast):
    assessment = _start(world, cast)
    with pytest.raises(Incomplete) as refused:
        services.assessment_submit(assessment=assessment, by=cast.clinician)
    fields = {field for field, _ in refused.value.problems}
    assert {"stalker_type", "judgement_violence", "rationale_violence", "sources", "scenarios"} <= fields


def test_relevance_is_needed_only_for_factors_present_or_partly_present(world, cast):
    assessment = _ready(world, cast)
    answers = _complete_answers()
    answers["explicit_threats"] = {"value": "present"}
    answers["past_violence"] = {"value": "absent"}
    services.assessment_save(
        assessment=assessment, answers=answers, expected_version=assessment.row_version, by=cast.clinician
    )
    problems = dict(services.missing(assessment))
    assert "explicit_threats" in problems and "relevance" in problems["explicit_threats"]
    assert "past_violence" not in problems


def test_returned_with_comments_then_signed_off_by_a_lead_who_did_not_assess(world, cast):
    assessment = _ready(world, cast)
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    with pytest.raises(AssessmentRefused):
        services.assessment_return(assessment=assessment, comments="", by=cast.clinical_lead)
    services.assessment_return(assessment=assessment, comments="Say more about the threats.", by=cast.clinical_lead)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.RETURNED
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    services.assessment_sign(assessment=assessment, by=cast.clinical_lead)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SIGNED
    assert services.signature_holds(assessment)
    assert assessment.review_due_on is not None and assessment.review_due_on > timezone.localdate()
    world.case.refresh_from_db()
    assert world.case.stalker_type == "rejected"


def test_an_assessor_cannot_sign_off_their_own_assessment_and_another_lead_can(world, cast, second_lead):
    assessment = _ready(world, cast)
    assessment.co_assessors.add(cast.clinical_lead)
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    with pytest.raises(PermissionDenied):
        services.assessment_sign(assessment=assessment, by=cast.clinical_lead)
    signed = services.assessment_sign(assessment=assessment, by=second_lead)
    assert signed.signed_by == second_lead


def test_a_signed_assessment_is_locked_and_changed_only_by_addenda(world, cast):
    assessment = _ready(world, cast)
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    services.assessment_sign(assessment=assessment, by=cast.clinical_lead)
    assessment.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.assessment_save(
            assessment=assessment,
            answers={"formulation": {"value": "Rewritten"}},
            expected_version=assessment.row_version,
            by=cast.clinician,
        )
    with pytest.raises(PermissionDenied):
        services.source_add(assessment=assessment, kind="records", description="More records", by=cast.clinician)
    addendum = services.addendum_add(assessment=assessment, text="The client has since moved.", by=cast.clinician)
    assert addendum.author == cast.clinician
    assessment.refresh_from_db()
    assert services.signature_holds(assessment)


def test_tampering_with_a_signed_assessment_breaks_its_signature(world, cast):
    assessment = _ready(world, cast)
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    services.assessment_sign(assessment=assessment, by=cast.clinical_lead)
    assessment.judgements.filter(outcome="violence").update(level="low")
    assessment.refresh_from_db()
    assert not services.signature_holds(assessment)


def test_a_reassessment_starts_from_the_last_signed_assessment(world, cast):
    first = _ready(world, cast)
    services.assessment_submit(assessment=first, by=cast.clinician)
    services.assessment_sign(assessment=first, by=cast.clinical_lead)
    first.refresh_from_db()
    second = services.reassessment_start(previous=first, setting="community", by=cast.clinician)
    assert second.previous == first
    assert second.answers == first.answers
    assert dict(second.judgements.values_list("outcome", "level")) == dict(
        first.judgements.values_list("outcome", "level")
    )
    assert second.scenarios.count() == 1 and second.sources.count() == 0
    with pytest.raises(AssessmentRefused, match="already in progress"):
        services.reassessment_start(previous=first, setting="community", by=cast.clinician)


def test_a_changed_definition_never_changes_a_started_assessment(world, cast, settings, tmp_path):
    import json

    from casework.assessments import definitions

    assessment = _start(world, cast)
    kept_hash, kept_version = assessment.definition.content_hash, assessment.definition.version
    directory = tmp_path / "definitions"
    directory.mkdir()
    for path in definitions.DEFINITIONS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        if data["code"] == "srp-structured":
            data["version"] = "2.0"
            data["judgements"] = data["judgements"][:3]
        (directory / path.name).write_text(json.dumps(data), encoding="utf-8")
    settings.ASSESSMENT_DEFINITION_DIRS = [str(directory)]
    definitions.clear_cache()
    try:
        assessment = Assessment.objects.get(pk=assessment.pk)
        assert services.definition_of(assessment).version == kept_version
        assert len(services.definition_of(assessment).judgements) == 4
        assert assessment.definition.content_hash == kept_hash
    finally:
        definitions.clear_cache()
