"""The assessments pages: starting, the draft form (saving, conflicts, autosave), sources and
scenarios, submitting, review, addenda, reassessment and what changed; the case page's judgements;
and query counts that stay fixed as an assessment grows."""

from __future__ import annotations

import json

from django.urls import reverse

from casework.accounts.tests.factories import TrainingRecordFactory
from casework.assessments import services
from casework.assessments.choices import AssessmentStatus
from casework.assessments.models import Assessment
from casework.assessments.tests import factories
from casework.audit.models import AuditEvent
from casework.core.idempotency import FIELD
from casework.core.testing import assert_page_queries_flat


def _url(name, assessment, *extra):
    return reverse(f"assessments:{name}", args=[assessment.case.reference, assessment.pk, *extra])


def _token(page: str) -> str:
    import re

    return re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]


def _form_data(assessment, **overrides) -> dict:
    """What the edit page would post for ``assessment`` as it stands, with ``overrides``."""
    data = {"version": str(assessment.row_version)}
    for key, answer in assessment.answers.items():
        data[f"a_{key}"] = answer.get("value", "")
        if answer.get("relevance"):
            data[f"r_{key}"] = answer["relevance"]
        if answer.get("comment"):
            data[f"c_{key}"] = answer["comment"]
    for judgement in assessment.judgements.all():
        data[f"judgement_{judgement.outcome}"] = judgement.level
        data[f"rationale_{judgement.outcome}"] = judgement.rationale
    data.update(overrides)
    return data


def test_a_clinician_starts_an_assessment_from_the_case(world, cast, client_for):
    client = client_for(cast.clinician)
    list_url = reverse("assessments:list", args=[world.case.reference])
    assert "Start an assessment" in client.get(list_url).content.decode()
    start_url = reverse("assessments:start", args=[world.case.reference])
    page = client.get(start_url).content.decode()
    assert "Stalking risk assessment (SRP structure)" in page and "Stalker typology" in page
    response = client.post(start_url, {"instrument": "srp-structured", "setting": "community", FIELD: _token(page)})
    assessment = Assessment.objects.get(case=world.case)
    assert response.status_code == 302 and response["Location"] == _url("edit", assessment)
    edit = client.get(response["Location"]).content.decode()
    assert "Demonstration catalogue" in edit
    assert "Is the person being stalked" not in edit  # S-DASH items are not in the SRP form
    assert 'name="a_stalker_type"' in edit and 'name="judgement_violence"' in edit


def test_starting_in_custody_without_the_establishment_says_why_and_keeps_the_choice(world, cast, client_for):
    client = client_for(cast.clinician)
    url = reverse("assessments:start", args=[world.case.reference])
    page = client.get(url).content.decode()
    response = client.post(url, {"instrument": "srp-structured", "setting": "custody", FIELD: _token(page)})
    body = response.content.decode()
    assert response.status_code == 400
    assert "Enter the name of the prison or hospital" in body
    assert 'value="custody" checked' in body


def test_the_start_page_says_which_training_has_lapsed(world, cast, client_for):
    page = client_for(cast.clinical_lead).get(reverse("assessments:start", args=[world.case.reference]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "no Stalking Risk Profile (SRP) training recorded" in body


def test_saving_the_draft_keeps_answers_and_applies_the_type_specific_factors(world, cast, client_for):
    assessment = factories.draft(world.case, cast.clinician)
    client = client_for(cast.clinician)
    response = client.post(
        _url("edit", assessment),
        _form_data(assessment, a_stalker_type="rejected", a_prior_relationship="ex_intimate_partner"),
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.answers["stalker_type"] == {"value": "rejected"}
    page = client.get(_url("edit", assessment)).content.decode()
    assert 'name="a_continuing_contact_arrangements"' in page  # a factor for rejected ex-partners
    assert 'name="a_belief_in_relationship"' not in page  # one for intimacy seekers


def test_a_stale_save_is_refused_with_who_saved_and_keeps_what_was_typed(world, cast, client_for):
    TrainingRecordFactory(user=cast.clinical_lead)
    assessment = factories.draft(world.case, cast.clinician)
    stale = _form_data(assessment, a_formulation="The lead's formulation")
    client_for(cast.clinician).post(_url("edit", assessment), _form_data(assessment, a_formulation="First"))
    response = client_for(cast.clinical_lead).post(_url("edit", assessment), stale)
    body = response.content.decode()
    assert response.status_code == 400
    assert "Clare Clinician saved this assessment at" in body
    assert "The lead&#39;s formulation" in body
    assessment.refresh_from_db()
    assert assessment.answers["formulation"]["value"] == "First"


def test_autosave_answers_with_the_new_version_then_refuses_a_stale_one(world, cast, client_for):
    assessment = factories.draft(world.case, cast.clinician)
    client = client_for(cast.clinician)
    first = client.post(_url("autosave", assessment), _form_data(assessment, a_formulation="Draft one"))
    assert first.status_code == 200 and json.loads(first.content)["version"] == assessment.row_version + 1
    stale = client.post(_url("autosave", assessment), _form_data(assessment, a_formulation="Stale"))
    assert stale.status_code == 409 and json.loads(stale.content)["conflict"] is True
    assessment.refresh_from_db()
    assert assessment.answers["formulation"]["value"] == "Draft one"


def test_sources_and_scenarios_are_added_and_removed(world, cast, client_for):
    assessment = factories.draft(world.case, cast.clinician)
    client = client_for(cast.clinician)
    page = client.get(_url("source_add", assessment)).content.decode()
    refused = client.post(
        _url("source_add", assessment), {"kind": "interview", "description": "The client", FIELD: _token(page)}
    )
    assert (
        refused.status_code == 400
        and "For an interview, enter where, when and for how many minutes" in refused.content.decode()
    )
    page = client.get(_url("scenario_add", assessment)).content.decode()
    added = client.post(
        _url("scenario_add", assessment),
        {
            "nature": "Assault at her door",
            "severity": "high",
            "imminence": "weeks",
            "likelihood": "moderate",
            FIELD: _token(page),
        },
    )
    assert added.status_code == 302
    scenario = assessment.scenarios.get()
    assert client.post(_url("scenario_remove", assessment, scenario.pk)).status_code == 302
    assert not assessment.scenarios.exists()


def test_submitting_lists_what_is_missing_then_submits_a_complete_assessment(world, cast, client_for):
    assessment = factories.draft(world.case, cast.clinician)
    client = client_for(cast.clinician)
    page = client.get(_url("submit", assessment)).content.decode()
    assert "Before it can be submitted" in page and "Add at least one risk scenario" in page
    factories.ready(world.case, cast.clinician, assessment=assessment)
    response = client.post(_url("submit", assessment))
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED


def test_a_lead_returns_with_comments_then_signs_off_and_the_case_page_shows_the_judgements(world, cast, client_for):
    assessment = factories.submitted(world.case, cast.clinician)
    lead = client_for(cast.clinical_lead)
    refused = lead.post(_url("review", assessment), {"decision": "returned", "comments": ""})
    assert refused.status_code == 400 and "Write what must change" in refused.content.decode()
    assert (
        lead.post(_url("review", assessment), {"decision": "returned", "comments": "More on threats"}).status_code
        == 302
    )
    edit = client_for(cast.clinician).get(_url("edit", assessment)).content.decode()
    assert "More on threats" in edit
    services.assessment_submit(assessment=assessment, by=cast.clinician)
    assert lead.post(_url("review", assessment), {"decision": "signed"}).status_code == 302
    case_page = client_for(cast.clinician).get(reverse("cases:detail", args=[world.case.reference])).content.decode()
    assert "Risk of violence: moderate (signed" in case_page
    assert "Rejected" in case_page  # the stalker type the assessment decided


def test_a_clinician_may_not_review_and_a_coordinator_may_not_read(world, cast, client_for):
    assessment = factories.submitted(world.case, cast.clinician)
    assert client_for(cast.clinician).get(_url("review", assessment)).status_code == 403
    assert client_for(cast.coordinator).get(_url("detail", assessment)).status_code == 403
    assert client_for(cast.other_clinician).get(_url("detail", assessment)).status_code == 404
    assert AuditEvent.objects.filter(actor=cast.other_clinician, action="refused").exists()


def test_after_sign_off_addenda_reassessment_and_what_changed(world, cast, client_for):
    first = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    client = client_for(cast.clinician)
    detail = client.get(_url("detail", first)).content.decode()
    assert "Add an addendum" in detail and "Continue the assessment" not in detail
    page = client.get(_url("addendum_add", first)).content.decode()
    assert client.post(_url("addendum_add", first), {"text": "Moved to Leeds", FIELD: _token(page)}).status_code == 302
    assert "Moved to Leeds" in client.get(_url("detail", first)).content.decode()
    page = client.get(_url("reassess", first)).content.decode()
    response = client.post(_url("reassess", first), {"setting": "community", FIELD: _token(page)})
    second = Assessment.objects.get(previous=first)
    assert response["Location"] == _url("edit", second)
    changed = dict(second.answers)
    changed["explicit_threats"] = {"value": "absent", "comment": "No threats since the order"}
    services.assessment_save(
        assessment=second,
        answers=changed,
        judgements=factories.judgements({**factories.LEVELS, "violence": "low"}),
        expected_version=second.row_version,
        by=cast.clinician,
    )
    page = client.get(_url("changes", second)).content.decode()
    assert "Explicit threats made to the person stalked" in page
    assert "Present, relevance high" in page and "Absent" in page
    assert "Low (lower)" in page
    assert "No threats since the order" in page


def test_the_chart_of_judgements_over_time_has_a_table_beside_it(world, cast, client_for):
    first = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    second = services.reassessment_start(previous=first, setting="community", by=cast.clinician)
    factories.ready(world.case, cast.clinician, levels={**factories.LEVELS, "violence": "high"}, assessment=second)
    services.assessment_submit(assessment=second, by=cast.clinician)
    services.assessment_sign(assessment=second, by=cast.clinical_lead)
    page = client_for(cast.clinician).get(reverse("assessments:list", args=[world.case.reference])).content.decode()
    assert 'data-testid="judgement-chart"' in page and 'role="img"' in page
    assert "Risk of violence: moderate on" in page and ", high on" in page  # the description
    assert 'data-testid="judgement-table"' in page


def test_the_assessment_pages_keep_a_fixed_query_count_as_an_assessment_grows(world, cast, client_for):
    assessment = factories.ready(world.case, cast.clinician)
    client = client_for(cast.clinician)
    count = {"n": 0}

    def grow():
        count["n"] += 1
        services.source_add(
            assessment=assessment, kind="records", description=f"Records {count['n']}", by=cast.clinician
        )
        services.scenario_add(
            assessment=assessment,
            nature=f"Scenario {count['n']}",
            severity="low",
            imminence="months",
            likelihood="low",
            by=cast.clinician,
        )

    assert_page_queries_flat(client, _url("detail", assessment), grow=grow)
    assert_page_queries_flat(client, _url("edit", assessment), grow=grow)
    assert_page_queries_flat(
        client,
        reverse("assessments:list", args=[world.case.reference]),
        grow=lambda: factories.draft(world.case, cast.clinician),
    )


def test_the_case_page_keeps_a_fixed_query_count_as_assessments_are_signed(world, cast, client_for):
    client = client_for(cast.clinician)
    factories.signed(world.case, cast.clinician, cast.clinical_lead)

    def grow():
        factories.signed(world.case, cast.clinician, cast.clinical_lead)

    assert_page_queries_flat(client, reverse("cases:detail", args=[world.case.reference]), grow=grow)
