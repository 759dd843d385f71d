"""Assessments in each state, made through the services (so that they are what the pages meet):
``draft``, ``ready`` (complete, still a draft), ``submitted``, ``signed``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casework.assessments import services

TYPOLOGY = {
    "context": {"value": "The end of a four-year relationship"},
    "initial_motive": {"value": "To win her back, then to punish her"},
    "prior_relationship": {"value": "ex_intimate_partner"},
    "mental_illness": {"value": "None apparent; features of a personality disorder"},
    "stalker_type": {"value": "rejected"},
    "type_rationale": {"value": "Began at separation with a wish for reconciliation"},
}
FACTORS_FOR_REJECTED_EX_PARTNER = (
    "prior_intimate_relationship",
    "explicit_threats",
    "substance_misuse",
    "past_violence",
    "pursuit_beyond_two_weeks",
    "continuing_contact_arrangements",
    "personality_disorder",
    "criminal_history",
    "lost_work_or_study",
    "social_isolation",
    "legal_consequences",
)
LEVELS = {"violence": "moderate", "persistence": "high", "recurrence": "moderate", "psychosocial_damage": "high"}


def complete_answers(presence: str = "present") -> dict:
    answers = {**TYPOLOGY, "formulation": {"value": "He cannot accept the end of the relationship."}}
    for key in FACTORS_FOR_REJECTED_EX_PARTNER:
        answer = {"value": presence, "comment": "From the police record"}
        if presence in ("present", "partly_present"):
            answer["relevance"] = "high"
        answers[key] = answer
    return answers


def judgements(levels: dict[str, str] | None = None) -> dict:
    return {
        outcome: {"level": level, "rationale": f"Rationale for {outcome}."}
        for outcome, level in (levels or LEVELS).items()
    }


def draft(case, by, code: str = "srp-structured", setting: str = "community"):
    return services.assessment_start(case=case, code=code, setting=setting, by=by)


def ready(case, by, *, levels: dict[str, str] | None = None, assessment=None):
    """An SRP-structured draft with every answer, a source and a scenario."""
    assessment = assessment or draft(case, by)
    services.assessment_save(
        assessment=assessment,
        answers=complete_answers(),
        judgements=judgements(levels),
        expected_version=assessment.row_version,
        by=by,
    )
    if not assessment.sources.exists():
        services.source_add(
            assessment=assessment,
            kind="interview",
            description="The client",
            place="Clinic room 2",
            occurred_on=timezone.localdate() - dt.timedelta(days=3),
            minutes=90,
            by=by,
        )
    if not assessment.scenarios.exists():
        services.scenario_add(
            assessment=assessment,
            nature="Turns up at her new address and assaults her new partner",
            severity="high",
            imminence="weeks",
            likelihood="moderate",
            by=by,
        )
    assessment.refresh_from_db()
    return assessment


def submitted(case, by, **kwargs):
    assessment = ready(case, by, **kwargs)
    return services.assessment_submit(assessment=assessment, by=by)


def signed(case, by, signer, **kwargs):
    assessment = submitted(case, by, **kwargs)
    return services.assessment_sign(assessment=assessment, by=signer)


# --- The victim needs and safety assessment (victim cases) -------------------------------------------

VICTIM_NEEDS_ANSWERS = {
    "fear_now": {"value": "very_frightened", "comment": "She sleeps at her sister's two nights a week"},
    "feels_safe_at_home": {"value": "no"},
    "recent_escalation": {"value": "yes", "comment": "He came to the door twice last week"},
    "impact_mental_health": {"value": "serious", "comment": "Not sleeping; on guard all the time"},
    "self_harm_concern": {"value": "no"},
    "following": {"value": "yes"},
    "loitering": {"value": "yes"},
    "unwanted_contact": {"value": "yes", "comment": "Forty messages a day from new numbers"},
    "threats_made": {"value": "yes"},
    "property_damage": {"value": "no"},
    "third_party_approaches": {"value": "yes", "comment": "Has messaged her mother"},
    "knows_home_address": {"value": "yes"},
    "shared_children": {"value": "no"},
    "children_in_household": {"value": "no"},
    "child_contact_with_stalker": {"value": "no_children"},
    "tracking": {"value": "no"},
    "account_access": {"value": "yes", "comment": "He knew her email password"},
    "image_threats": {"value": "no"},
    "main_needs": {"value": "To feel safe at home again; a device check; help to sleep"},
}


def victim_needs_signed(case, by, signer, *, level: str = "high"):
    """A victim needs and safety assessment on ``case``, complete, submitted by ``by`` and signed by
    ``signer``, with a current danger of ``level``."""
    assessment = services.assessment_start(case=case, code="victim-needs-safety", setting="community", by=by)
    services.assessment_save(
        assessment=assessment,
        answers=VICTIM_NEEDS_ANSWERS,
        judgements={"current_danger": {"level": level, "rationale": "Escalating visits to her home and threats."}},
        expected_version=assessment.row_version,
        by=by,
    )
    assessment = services.assessment_submit(assessment=assessment, by=by)
    return services.assessment_sign(assessment=assessment, by=signer)


def planned(assessment, by, *, due_in: int = 30):
    """The plan of a signed assessment, with one action (a probation officer's weekly appointments)."""
    plan = services.plan_start(assessment=assessment, review_on=timezone.localdate() + dt.timedelta(days=90), by=by)
    services.action_add(
        plan=plan,
        area="supervision",
        description="Weekly probation appointments",
        agency="Probation",
        person="Pat Probation",
        due_on=timezone.localdate() + dt.timedelta(days=due_in),
        by=by,
    )
    return plan
