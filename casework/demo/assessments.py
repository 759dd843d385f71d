"""Demo assessments, made through the assessments services at the dates they would have happened
(``time_machine``), so that signatures hold and judgements chart over time.

Most open perpetrator cases whose lead clinician holds current SRP training get an SRP-structured
assessment: about six in ten signed off by a clinical lead who did not assess, the rest a draft or
waiting for sign-off. The stalker type follows the prior relationship recorded on the case (a
rejected ex-partner, an intimacy-seeking stranger …) with weights that bring the whole close to
the typology of Mullen, Pathé, Purcell and Stuart (1999; n = 145): rejected 36%, intimacy-seeking
34%, incompetent suitor 15%, resentful 11%, predatory 4%. Some signed assessments have been
reassessed since, with judgements that moved; signed assessments have a risk management plan, some
of whose actions are overdue. Victim cases get an S-DASH screen completed with the victim; the
first open victim case with a stalking episode also has a victim needs and safety assessment a week
later, signed off, whose answers and current danger follow what the case records (the behaviours,
where in-person incidents happened, any protective order) up to that day. It draws no random
numbers, so the rest of the demo stays as it was.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.utils import timezone

from casework.accounts.models import TrainingRecord, User
from casework.accounts.queries import has_current_training
from casework.assessments import services
from casework.assessments.models import Assessment
from casework.cases.choices import CaseKind, CaseStatus, Relationship, StalkerType, TeamRole
from casework.cases.models import Case, CaseTeamMember, Incident, LegalOrder, StalkingEpisode
from casework.core.roles import Instrument, Role

# For each prior relationship, how likely each stalker type is (weights).
TYPES_BY_RELATIONSHIP: dict[str, list[tuple[str, int]]] = {
    Relationship.EX_INTIMATE_PARTNER: [(StalkerType.REJECTED, 100)],
    Relationship.FAMILY_MEMBER: [(StalkerType.REJECTED, 50), (StalkerType.RESENTFUL, 50)],
    Relationship.FRIEND_OR_ACQUAINTANCE: [
        (StalkerType.INTIMACY_SEEKING, 40),
        (StalkerType.INCOMPETENT_SUITOR, 45),
        (StalkerType.REJECTED, 15),
    ],
    Relationship.WORKPLACE_CONTACT: [
        (StalkerType.RESENTFUL, 40),
        (StalkerType.INCOMPETENT_SUITOR, 35),
        (StalkerType.INTIMACY_SEEKING, 25),
    ],
    Relationship.PROFESSIONAL_CONTACT: [(StalkerType.INTIMACY_SEEKING, 45), (StalkerType.RESENTFUL, 55)],
    Relationship.PUBLIC_FIGURE: [(StalkerType.INTIMACY_SEEKING, 85), (StalkerType.RESENTFUL, 15)],
    Relationship.STRANGER: [
        (StalkerType.INTIMACY_SEEKING, 40),
        (StalkerType.INCOMPETENT_SUITOR, 40),
        (StalkerType.PREDATORY, 20),
    ],
    Relationship.ONLINE_ONLY: [(StalkerType.INTIMACY_SEEKING, 60), (StalkerType.INCOMPETENT_SUITOR, 40)],
}
TYPE_STORY = {
    StalkerType.REJECTED: (
        "The end of the relationship, which the other person ended",
        "Reconciliation at first; then to punish her for leaving",
    ),
    StalkerType.RESENTFUL: (
        "A grievance: a decision or a slight the person felt was unjust",
        "To frighten and distress the person they blame",
    ),
    StalkerType.INTIMACY_SEEKING: (
        "Loneliness and a belief in a special bond with the person pursued",
        "A loving relationship with someone they believe is meant for them",
    ),
    StalkerType.INCOMPETENT_SUITOR: (
        "A wish for a date or a relationship, pursued without regard to refusal",
        "A date or a short relationship",
    ),
    StalkerType.PREDATORY: (
        "Watching and following before a planned sexual attack",
        "Information and a sense of power over the person watched",
    ),
}
LEVEL_NAMES = ("low", "moderate", "high")
PLAN_ACTIONS = [
    ("supervision", "Weekly appointments with the probation officer", "Probation", "the offender manager"),
    ("monitoring", "Check the police record for new reports each month", "Police", "the officer in the case"),
    ("treatment", "Attend the clinic's stalking intervention, fortnightly", "The clinic", "the lead clinician"),
    ("victim_safety", "Refer her to the independent stalking advocacy service", "Police", "the officer in the case"),
    ("monitoring", "Review compliance with the restraining order at MAPPA", "MAPPA", "the MAPPA coordinator"),
]


def _weighted(rng, pairs: list[tuple[str, int]]) -> str:
    total = sum(weight for _, weight in pairs)
    pick = rng.uniform(0, total)
    for value, weight in pairs:
        pick -= weight
        if pick <= 0:
            return value
    return pairs[-1][0]


def _answers(definition, stalker_type: str, relationship: str, rng, faker) -> dict[str, Any]:
    context, motive = TYPE_STORY[StalkerType(stalker_type)]
    answers: dict[str, Any] = {
        "context": {"value": context},
        "initial_motive": {"value": motive},
        "prior_relationship": {"value": relationship},
        "mental_illness": {
            "value": rng.choice(
                [
                    "None apparent",
                    "Features of a personality disorder",
                    "A persistent delusional belief of being loved",
                    "Depression since the relationship ended",
                ]
            )
        },
        "stalker_type": {"value": stalker_type},
        "type_rationale": {"value": f"The pursuit began in this context and with this motive: {context.lower()}."},
        "formulation": {"value": faker.paragraph(nb_sentences=4)},
    }
    for item in definition.applicable_items(answers):
        if item.kind != "presence":
            continue
        presence = rng.choices(["present", "partly_present", "absent", "insufficient_information"], [4, 3, 4, 1])[0]
        answer = {"value": presence, "comment": faker.sentence(nb_words=10)}
        if presence in ("present", "partly_present"):
            answer["relevance"] = rng.choice(LEVEL_NAMES)
        answers[item.key] = answer
    return answers


def _judgements(rng, previous: dict[str, str] | None = None) -> dict[str, dict[str, str]]:
    judged = {}
    for outcome in ("violence", "persistence", "recurrence", "psychosocial_damage"):
        if previous:
            index = LEVEL_NAMES.index(previous[outcome]) + rng.choice([-1, 0, 0, 1])
            level = LEVEL_NAMES[max(0, min(2, index))]
        else:
            level = rng.choices(LEVEL_NAMES, [3, 5, 3])[0]
        judged[outcome] = {"level": level, "rationale": f"Judged {level} on the factors present and the formulation."}
    return judged


def _complete(assessment, *, by, rng, faker, day: dt.date, judgements) -> None:
    definition = services.definition_of(assessment)
    services.assessment_save(
        assessment=assessment,
        answers=assessment.answers,
        judgements=judgements,
        expected_version=assessment.row_version,
        by=by,
    )
    services.source_add(
        assessment=assessment,
        kind="interview",
        description="The client",
        place=rng.choice(["Clinic room 2", "HMP visits room", "Video call"]),
        occurred_on=day - dt.timedelta(days=rng.randint(3, 20)),
        minutes=rng.choice([90, 120, 150]),
        by=by,
    )
    services.source_add(
        assessment=assessment, kind="records", description="Police national computer record and the referral", by=by
    )
    if definition.has_scenarios:
        services.scenario_add(
            assessment=assessment,
            nature=faker.sentence(nb_words=14),
            severity=rng.choice(LEVEL_NAMES),
            imminence=rng.choice(["weeks", "months", "on_release"]),
            likelihood=rng.choice(LEVEL_NAMES),
            by=by,
        )


def _at(day: dt.date):
    return time_machine.travel(
        dt.datetime.combine(day, dt.time(11, 0), tzinfo=timezone.get_current_timezone()), tick=False
    )


def _signer(leads: list[User], assessor: User) -> User | None:
    return next((lead for lead in leads if lead.pk != assessor.pk), None)


def _srp_case(case: Case, assessor: User, leads: list[User], context, stats: dict[str, int]) -> None:
    rng, faker = context.rng, context.faker
    episode = StalkingEpisode.objects.filter(case=case).order_by("id").first()
    relationship = (episode.prior_relationship if episode else "") or Relationship.STRANGER
    stalker_type = _weighted(rng, TYPES_BY_RELATIONSHIP[Relationship(relationship)])
    today = timezone.localdate()
    start = max(case.opened_on + dt.timedelta(days=14), today - dt.timedelta(days=300))
    if start > today - dt.timedelta(days=7):
        start = today - dt.timedelta(days=7)
    roll = rng.random()
    signer = _signer(leads, assessor)
    setting = rng.choice(["community", "community", "custody"])
    with _at(start):
        assessment = services.assessment_start(
            case=case,
            code="srp-structured",
            setting=setting,
            establishment="HMP Leeds" if setting == "custody" else "",
            by=assessor,
        )
        definition = services.definition_of(assessment)
        assessment.answers = _answers(definition, stalker_type, relationship, rng, faker)
    if roll < 0.25 or signer is None:
        with _at(start):
            services.assessment_save(
                assessment=assessment, answers=assessment.answers, expected_version=assessment.row_version, by=assessor
            )
        stats["draft"] += 1
        return
    levels = _judgements(rng)
    with _at(start + dt.timedelta(days=2)):
        _complete(assessment, by=assessor, rng=rng, faker=faker, day=start, judgements=levels)
        assessment = services.assessment_submit(assessment=assessment, by=assessor)
    if roll < 0.4:
        stats["submitted"] += 1
        return
    signed_on = start + dt.timedelta(days=5)
    with _at(signed_on):
        assessment = services.assessment_sign(assessment=assessment, by=signer)
    stats["signed"] += 1
    stats[stalker_type] += 1
    if rng.random() < 0.3 and signed_on + dt.timedelta(days=120) < today:
        redo_on = signed_on + dt.timedelta(days=rng.randint(100, 140))
        with _at(redo_on):
            second = services.reassessment_start(previous=assessment, setting="community", by=assessor)
            new_levels = _judgements(rng, previous={k: v["level"] for k, v in levels.items()})
            _complete(second, by=assessor, rng=rng, faker=faker, day=redo_on, judgements=new_levels)
            second = services.assessment_submit(assessment=second, by=assessor)
        with _at(redo_on + dt.timedelta(days=3)):
            assessment = services.assessment_sign(assessment=second, by=signer)
        stats["reassessed"] += 1
    _plan(assessment, assessor, rng)


def _plan(assessment: Assessment, by: User, rng) -> None:
    signed_on = timezone.localtime(assessment.signed_at).date() if assessment.signed_at else timezone.localdate()
    with _at(signed_on + dt.timedelta(days=1)):
        plan = services.plan_start(assessment=assessment, review_on=signed_on + dt.timedelta(days=182), by=by)
        for area, description, agency, person in rng.sample(PLAN_ACTIONS, 3):
            services.action_add(
                plan=plan,
                area=area,
                description=description,
                agency=agency,
                person=person.capitalize(),
                due_on=signed_on + dt.timedelta(days=rng.randint(14, 120)),
                by=by,
            )


def _s_dash(case: Case, clinician: User, rng, faker) -> None:
    definition_answers = {}
    for key in (
        "very_frightened",
        "previous_harassment",
        "property_damaged",
        "frequent_visits",
        "loitering",
        "threats",
        "third_parties_harassed",
        "violence_this_episode",
        "others_recruited",
        "substance_misuse",
        "past_violence",
    ):
        answer = "yes" if rng.random() < 0.45 else "no"
        definition_answers[key] = {
            "value": answer,
            **({"comment": faker.sentence(nb_words=8)} if answer == "yes" else {}),
        }
    definition_answers["level_of_concern"] = {"value": rng.choice(["standard", "medium", "high"])}
    definition_answers["judgement_rationale"] = {"value": "From what she described at the first appointment."}
    with _at(_screen_day(case)):
        screen = services.assessment_start(case=case, code="s-dash", setting="community", by=clinician)
        services.assessment_save(
            assessment=screen, answers=definition_answers, expected_version=screen.row_version, by=clinician
        )


SCREEN_AFTER_OPENING = dt.timedelta(days=7)
SCREEN_AT_MOST_AGO = dt.timedelta(days=60)
REMOTE_CONTACT = {"phone", "text", "email", "social_media", "letters_or_gifts"}


def _screen_day(case: Case) -> dt.date:
    return max(case.opened_on + SCREEN_AFTER_OPENING, timezone.localdate() - SCREEN_AT_MOST_AGO)


def _yes_no(flag: bool, comment: str = "") -> dict[str, str]:
    return {"value": "yes" if flag else "no", **({"comment": comment} if flag and comment else {})}


def _victim_needs_answers(case: Case, episode: StalkingEpisode, day: dt.date) -> tuple[dict[str, Any], str, str]:
    """The answers, the current danger and its reasons, from what the case records up to ``day``."""
    incidents = [i for i in Incident.objects.filter(case=case).order_by("occurred_on") if i.occurred_on <= day]
    seen = {i.behaviour for i in incidents} | set(episode.behaviours or ())
    places = {i.place for i in incidents if i.place}
    recent = [i for i in incidents if i.occurred_on >= day - dt.timedelta(days=30)]
    escalating = any(i.severity >= 3 for i in recent)
    violent = bool(seen & {"violence", "sexual_violence"})
    threats = "threats" in seen
    in_person = bool(seen & {"following", "loitering", "approaching", "property_damage", "violence"})
    ordered = LegalOrder.objects.filter(case=case).exists()
    ex_partner = episode.prior_relationship == Relationship.EX_INTIMATE_PARTNER
    if violent or (threats and escalating):
        danger = "high"
    elif threats or escalating or in_person:
        danger = "moderate"
    else:
        danger = "low"
    since = f"{incidents[0].occurred_on:%B %Y}" if incidents else "the start"
    reasons = {
        "high": "Violence or threats that are getting closer and more frequent; they are very frightened and the "
        "stalker knows where to find them.",
        "moderate": "Persistent contact, with threats or in-person approaches, but no violence so far and "
        "no sign of it getting worse this month.",
        "low": "Contact at a distance only, no threats, and nothing new in the last month.",
    }[danger]
    answers: dict[str, Any] = {
        "fear_now": {
            "value": {"high": "very_frightened", "moderate": "very_frightened", "low": "somewhat_frightened"}[danger],
            "comment": f"{len(incidents)} incidents on the timeline since {since}",
        },
        "feels_safe_at_home": _yes_no("home" not in places and not violent),
        "recent_escalation": _yes_no(escalating, f"{len(recent)} incidents in the last month"),
        "fears_for_others": _yes_no("contacting_third_parties" in seen, "Their family have been contacted too"),
        "reported_to_police": {"value": "yes"},
        "safety_plan": {"value": "no", "comment": "Agreed today; see the immediate actions"},
        "impact_work_study": {"value": "serious" if "work" in places else "some"},
        "impact_home": {"value": "needs_to_move" if "home" in places else "security_changed"},
        "impact_physical_health": {"value": "some", "comment": "Poor sleep"},
        "impact_mental_health": {
            "value": "serious" if danger != "low" else "some",
            "comment": "Anxious and constantly on guard",
        },
        "self_harm_concern": {"value": "no"},
        "impact_finances": {"value": "some" if in_person else "none"},
        "impact_relationships": {"value": "some", "comment": "Goes out much less than before"},
        "following": _yes_no("following" in seen),
        "loitering": _yes_no("loitering" in seen or "approaching" in seen),
        "unwanted_contact": _yes_no(bool(seen & REMOTE_CONTACT)),
        "threats_made": _yes_no(threats),
        "property_damage": _yes_no("property_damage" in seen),
        "third_party_approaches": _yes_no("contacting_third_parties" in seen),
        "knows_home_address": _yes_no("home" in places or ex_partner, "Incidents near their home"),
        "knows_work_or_study": _yes_no("work" in places, "Incidents near their work"),
        "shared_children": {"value": "no"},
        "shared_circle": _yes_no(ex_partner or episode.prior_relationship == Relationship.WORKPLACE_CONTACT),
        "children_in_household": {"value": "no"},
        "child_contact_with_stalker": {"value": "no_children"},
        "tracking": _yes_no("monitoring" in seen, "Suspected: the stalker seems to know where they are"),
        "account_access": _yes_no("accessing_accounts" in seen),
        "location_sharing": {"value": "no"},
        "fake_profiles": _yes_no("social_media" in seen, "New accounts after each block"),
        "image_threats": {"value": "no"},
        "device_check": _yes_no(bool(seen & {"monitoring", "accessing_accounts", "social_media"})),
        "advocate": {"value": "yes"},
        "police_contact": {"value": "yes"},
        "protective_order": _yes_no(ordered),
        "health_support": {"value": "no", "comment": "Would like a referral for help with sleep and anxiety"},
        "people_to_turn_to": {"value": "yes"},
        "main_needs": {
            "value": "To feel safe at home; to know what the police are doing; help with sleep and anxiety."
        },
        "immediate_actions": {"value": "Safety plan agreed; the officer in the case told of the assessment."},
    }
    return answers, danger, reasons


def _victim_needs(case: Case, clinician: User, leads: list[User], stats: dict[str, int]) -> None:
    episode = StalkingEpisode.objects.filter(case=case).order_by("id").first()
    if episode is None:
        return
    day = min(_screen_day(case) + dt.timedelta(days=7), timezone.localdate() - dt.timedelta(days=4))
    if day < case.opened_on + SCREEN_AFTER_OPENING:
        return  # too recent a case to have been assessed yet
    answers, danger, reasons = _victim_needs_answers(case, episode, day)
    with _at(day):
        assessment = services.assessment_start(case=case, code="victim-needs-safety", setting="community", by=clinician)
        services.assessment_save(
            assessment=assessment,
            answers=answers,
            judgements={"current_danger": {"level": danger, "rationale": reasons}},
            expected_version=assessment.row_version,
            by=clinician,
        )
        assessment = services.assessment_submit(assessment=assessment, by=clinician)
    signer = next((lead for lead in leads if lead.has_perm("assessments.review", assessment)), None)
    if signer is None:
        stats["victim_needs_submitted"] += 1
        return
    with _at(day + dt.timedelta(days=2)):
        services.assessment_sign(assessment=assessment, by=signer)
    stats["victim_needs_signed"] += 1


def seed(context) -> None:
    if Assessment.objects.exists():
        context.say(f"Assessments: already there ({Assessment.objects.count()})")
        return
    leads = list(User.objects.filter(role=Role.CLINICAL_LEAD, is_active=True).order_by("id"))
    stats: dict[str, int] = dict.fromkeys(
        ["draft", "submitted", "signed", "reassessed", "victim_needs_signed", "victim_needs_submitted"]
        + list(StalkerType.values),
        0,
    )
    cases = Case.objects.filter(kind=CaseKind.PERPETRATOR, status__in=[CaseStatus.OPEN, CaseStatus.ON_HOLD]).order_by(
        "id"
    )
    for case in cases:
        lead_member = (
            CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).select_related("user").first()
        )
        if lead_member is None or not has_current_training(lead_member.user, Instrument.SRP):
            continue
        if context.rng.random() < 0.15:
            continue  # not yet assessed
        _srp_case(case, lead_member.user, leads, context, stats)
    for case in Case.objects.filter(kind=CaseKind.VICTIM, status=CaseStatus.OPEN).order_by("id"):
        member = CaseTeamMember.objects.filter(case=case, role=TeamRole.LEAD_CLINICIAN).select_related("user").first()
        if member is None:
            continue
        if not has_current_training(member.user, Instrument.S_DASH):
            TrainingRecord.objects.create(
                user=member.user,
                instrument=Instrument.S_DASH,
                trained_on=timezone.localdate() - dt.timedelta(days=500),
                expires_on=timezone.localdate() + dt.timedelta(days=600),
                provider="S-DASH training (demo)",
            )
        _s_dash(case, member.user, context.rng, context.faker)
        if not stats["victim_needs_signed"] + stats["victim_needs_submitted"]:
            _victim_needs(case, member.user, leads, stats)
    signed = max(stats["signed"], 1)
    mix = ", ".join(f"{StalkerType(t).label.lower()} {stats[t] * 100 // signed}%" for t in StalkerType.values)
    context.say(
        f"Assessments: {stats['signed']} signed ({stats['reassessed']} reassessed since), {stats['submitted']} "
        f"waiting for sign-off, {stats['draft']} drafts; types: {mix}; victim needs and safety: "
        f"{stats['victim_needs_signed']} signed, {stats['victim_needs_submitted']} waiting for sign-off"
    )
