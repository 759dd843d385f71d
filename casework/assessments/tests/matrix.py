"""The records the authorisation matrix (casework/core/tests) requests assessment pages about: on a
perpetrator case led by ``cast.clinician`` (``cast.other_clinician`` is on no team), a draft, a
submitted assessment, and a signed one with a reassessment in progress, all by ``cast.clinician``."""

from __future__ import annotations


def assessment_overrides(cast) -> dict[str, dict]:
    import datetime as dt

    from django.utils import timezone

    from casework.assessments import services
    from casework.assessments.tests import factories
    from casework.cases.tests.factories import make_case

    case = make_case(lead=cast.clinician, by=cast.clinical_lead)
    draft = factories.draft(case, cast.clinician)
    submitted = factories.submitted(case, cast.clinician)
    signed = factories.signed(case, cast.clinician, cast.clinical_lead)
    reassessment = services.reassessment_start(previous=signed, setting="community", by=cast.clinician)
    plan = services.plan_start(
        assessment=signed, review_on=timezone.localdate() + dt.timedelta(days=90), by=cast.clinician
    )
    action = services.action_add(
        plan=plan,
        area="supervision",
        description="Weekly probation appointments",
        agency="Probation",
        person="Pat Probation",
        due_on=timezone.localdate() + dt.timedelta(days=30),
        by=cast.clinician,
    )
    unplanned = factories.signed(case, cast.clinician, cast.clinical_lead)
    source = draft.sources.create(kind="records", description="Matrix records", added_by=cast.clinician)
    scenario = draft.scenarios.create(
        nature="Matrix", severity="low", imminence="weeks", likelihood="low", added_by=cast.clinician
    )

    def at(assessment, **more):
        return {"reference": case.reference, "pk": assessment.pk, **more}

    return {
        "assessments:list": {"reference": case.reference},
        "assessments:start": {"reference": case.reference},
        **{
            f"assessments:{name}": at(draft)
            for name in ("detail", "edit", "autosave", "source_add", "scenario_add", "submit")
        },
        "assessments:source_remove": at(draft, source_pk=source.pk),
        "assessments:scenario_remove": at(draft, scenario_pk=scenario.pk),
        "assessments:review": at(submitted),
        "assessments:addendum_add": at(signed),
        "assessments:reassess": at(signed),
        "assessments:changes": at(reassessment),
        "assessments:plan": at(unplanned),
        "assessments:fhir": at(signed),
        "assessments:action_add": at(signed),
        "assessments:action_edit": at(signed, action_pk=action.pk),
    }
