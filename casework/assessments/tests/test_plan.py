"""The risk management plan: made from a signed assessment, actions under the four headings with
the responsible agency and named person, versioned with the assessment it answers, and overdue
actions on My work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from casework.assessments import services
from casework.assessments.services import AssessmentRefused
from casework.assessments.tests import factories
from casework.core.idempotency import FIELD


def _plan(world, cast, assessment=None):
    assessment = assessment or factories.signed(world.case, cast.clinician, cast.clinical_lead)
    return services.plan_start(
        assessment=assessment, review_on=timezone.localdate() + dt.timedelta(days=90), by=cast.clinician
    )


def _action(plan, cast, **overrides):
    fields = {
        "area": "supervision",
        "description": "Weekly appointments with the probation officer",
        "agency": "Probation",
        "person": "Pat Probation",
        "due_on": timezone.localdate() + dt.timedelta(days=14),
        **overrides,
    }
    return services.action_add(plan=plan, by=cast.clinician, **fields)


def test_a_plan_needs_a_signed_assessment(world, cast):
    draft = factories.draft(world.case, cast.clinician)
    with pytest.raises(PermissionDenied):
        services.plan_start(assessment=draft, review_on=timezone.localdate() + dt.timedelta(days=30), by=cast.clinician)


def test_an_action_names_its_agency_person_and_due_date(world, cast):
    plan = _plan(world, cast)
    with pytest.raises(AssessmentRefused) as refused:
        _action(plan, cast, person="")
    assert refused.value.field == "person"
    action = _action(plan, cast)
    assert action.status == "planned"


def test_a_reassessment_plan_carries_the_open_actions_forward(world, cast):
    first = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    plan = _plan(world, cast, first)
    _action(plan, cast, description="Still open")
    done = _action(plan, cast, description="Finished")
    services.action_update(action=done, status="done", by=cast.clinician)
    second = services.reassessment_start(previous=first, setting="community", by=cast.clinician)
    factories.ready(world.case, cast.clinician, assessment=second)
    services.assessment_submit(assessment=second, by=cast.clinician)
    second = services.assessment_sign(assessment=second, by=cast.clinical_lead)
    second_plan = _plan(world, cast, second)
    assert list(second_plan.actions.values_list("description", flat=True)) == ["Still open"]
    assert plan.actions.count() == 2  # the earlier version is unchanged


def test_the_plan_page_lists_actions_by_heading_and_marks_overdue_ones(world, cast, client_for):
    plan = _plan(world, cast)
    action = _action(plan, cast)
    type(action).objects.filter(pk=action.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    client = client_for(cast.clinician)
    page = client.get(reverse("assessments:plan", args=[world.case.reference, plan.assessment.pk])).content.decode()
    assert 'data-testid="actions-supervision"' in page and "Overdue" in page
    my_work = client.get(reverse("core:my_work")).content.decode()
    assert "Risk management actions overdue" in my_work
    assert world.case.reference + ": Supervision" in my_work


def test_starting_a_plan_and_adding_an_action_through_the_pages(world, cast, client_for):
    import re

    assessment = factories.signed(world.case, cast.clinician, cast.clinical_lead)
    client = client_for(cast.clinician)
    url = reverse("assessments:plan", args=[world.case.reference, assessment.pk])
    page = client.get(url).content.decode()
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]
    past = timezone.localdate() - dt.timedelta(days=1)
    refused = client.post(
        url, {"review_on_day": past.day, "review_on_month": past.month, "review_on_year": past.year, FIELD: token}
    )
    assert refused.status_code == 400 and "Review date must be in the future" in refused.content.decode()
    later = timezone.localdate() + dt.timedelta(days=60)
    started = client.post(
        url, {"review_on_day": later.day, "review_on_month": later.month, "review_on_year": later.year, FIELD: token}
    )
    assert started.status_code == 302
    add_url = reverse("assessments:action_add", args=[world.case.reference, assessment.pk])
    page = client.get(add_url).content.decode()
    token = re.search(rf'name="{FIELD}" value="([^"]+)"', page)[1]
    due = timezone.localdate() + dt.timedelta(days=7)
    response = client.post(
        add_url,
        {
            "area": "victim_safety",
            "description": "Refer her to the independent stalking advocate",
            "agency": "Police",
            "person": "DC Smith",
            "due_on_day": due.day,
            "due_on_month": due.month,
            "due_on_year": due.year,
            "status": "planned",
            FIELD: token,
        },
    )
    assert response.status_code == 302
    assert "Refer her to the independent stalking advocate" in client.get(url).content.decode()


def test_a_coordinator_cannot_see_the_plan(world, cast, client_for):
    plan = _plan(world, cast)
    url = reverse("assessments:plan", args=[world.case.reference, plan.assessment.pk])
    assert client_for(cast.coordinator).get(url).status_code == 403
    assert client_for(cast.other_clinician).get(url).status_code == 404
