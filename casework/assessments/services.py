"""The only writers of assessments: start (or reassess), save a draft, add and remove sources and
scenarios, submit, return, sign off, and addenda after sign-off.

Every function checks its own permission, runs in one transaction and records its audit event
against the case (``cases.case``), so the case's access log holds everything done to it; free text
is recorded only as changed. A draft is saved whole, naming the version it started from
(optimistic locking): a second editor's save is refused with who saved in between, and nothing the
first saved is lost. Signing off fixes a SHA-256 over everything the assessment says
(``signature``), which ``signature_holds`` checks later; after it, only addenda.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from casework.accounts.queries import has_current_training, latest_training
from casework.assessments import definitions
from casework.assessments.choices import (
    ASSESSMENT_WORKFLOW,
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssessmentSetting,
    AssessmentStatus,
    Imminence,
    Level,
    PlanArea,
    ReviewDecision,
    SourceKind,
)
from casework.assessments.definitions import Definition, DefinitionError, Item
from casework.assessments.models import (
    Addendum,
    Assessment,
    InformationSource,
    Judgement,
    KeptDefinition,
    ManagementPlan,
    PlanAction,
    Review,
    RiskScenario,
)
from casework.audit.models import Action
from casework.audit.services import record
from casework.cases.services.records import stalker_type_record
from casework.core import completions
from casework.core.formatting import date_gb
from casework.core.permissions import require
from casework.core.refusals import Refused

TEXT_LIMIT = 6000


class AssessmentRefused(Refused):
    """An assessment action refused, with the reason for the person who asked."""


class EditConflict(AssessmentRefused):
    """Someone else saved the draft since this editor loaded it."""


class Incomplete(AssessmentRefused):
    """What must be answered before the assessment can be submitted or signed: (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__(problems[0][1], problems[0][0])
        self.problems = problems


# --- Definitions and training ---------------------------------------------------------------------


def definition_of(assessment: Assessment) -> Definition:
    """The definition as the assessment keeps it (never the file as it is today)."""
    cached = getattr(assessment, "_definition", None)
    if cached is None:
        cached = Definition.from_content(assessment.definition.content)
        assessment._definition = cached  # type: ignore[attr-defined]
    return cached


def _kept(definition: Definition) -> KeptDefinition:
    kept, _ = KeptDefinition.objects.get_or_create(
        content_hash=definition.content_hash,
        defaults={
            "code": definition.code,
            "version": definition.version,
            "title": definition.title,
            "content": dict(definition.content),
        },
    )
    return kept


def training_refusal(user, definition: Definition, *, on: dt.date | None = None) -> str | None:
    """Why ``user`` may not start or edit an assessment with ``definition``: which training, and
    when it lapsed. None when their training is current (or the instrument needs none)."""
    training = definition.training
    if training is None or has_current_training(user, training.code, on=on):
        return None
    latest = latest_training(user, training.code)
    if latest is None:
        return f"You have no {training.title} training recorded. Ask your clinical lead to record it before you start this assessment."
    if latest.expires_on and latest.expires_on < (on or timezone.localdate()):
        return (
            f"Your {training.title} training lapsed on {date_gb(latest.expires_on)}. Ask your clinical lead to record "
            "your refresher training before you start or edit this assessment."
        )
    return f"Your {training.title} training is not current. Ask your clinical lead to record it."


def _require_training(user, definition: Definition) -> None:
    refusal = training_refusal(user, definition)
    if refusal:
        raise AssessmentRefused(refusal)


# --- Audit ------------------------------------------------------------------------------------------


def _audit(
    *, action: Action, assessment: Assessment, by, request: HttpRequest | None, changes: dict[str, Any] | None = None
) -> None:
    record(
        action=action,
        actor=by,
        request=request,
        obj=assessment.case,
        object_label=f"{assessment.case.reference}: {assessment.audit_label}",
        changes=changes,
    )


def _changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    return sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key))


# --- Starting -----------------------------------------------------------------------------------------


def _check_setting(setting: str, establishment: str) -> None:
    if setting not in AssessmentSetting.values:
        raise AssessmentRefused("Select where the assessment takes place", "setting")
    if setting in (AssessmentSetting.CUSTODY, AssessmentSetting.MENTAL_HEALTH_FACILITY) and not establishment.strip():
        raise AssessmentRefused("Enter the name of the prison or hospital", "establishment")
    if len(establishment) > 200:
        raise AssessmentRefused("Establishment must be 200 characters or fewer", "establishment")


def _check_co_assessors(case, co_assessors: Iterable, by) -> list:
    chosen = [user for user in co_assessors if user.pk != by.pk]
    for user in chosen:
        if not user.has_perm("cases.edit_clinical", case):
            raise AssessmentRefused(
                f"{user.full_name} is not on this case's team, so cannot assess with you", "co_assessors"
            )
    return chosen


def assessment_start(
    *,
    case,
    code: str,
    setting: str,
    establishment: str = "",
    co_assessors: Iterable = (),
    by,
    request: HttpRequest | None = None,
    previous: Assessment | None = None,
) -> Assessment:
    """Start a draft with the current definition of ``code`` (a reassessment carries forward the
    answers, judgements and scenarios of ``previous``, the last signed assessment). Refused when the
    instrument is not for this kind of case (``case_kinds`` in its definition)."""
    require(by, "assessments.start", case)
    try:
        definition = definitions.load(code)
    except DefinitionError as error:
        raise AssessmentRefused(str(error), "instrument") from None
    wrong_kind = definition.case_kind_refusal(case.kind)
    if wrong_kind:
        raise AssessmentRefused(wrong_kind, "instrument")
    _require_training(by, definition)
    _check_setting(setting, establishment)
    chosen = _check_co_assessors(case, co_assessors, by)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            case=case,
            definition=_kept(definition),
            setting=setting,
            establishment=establishment.strip(),
            assessor=by,
            updated_by=by,
            previous=previous,
            answers=_carried_answers(previous, definition) if previous else {},
        )
        assessment.co_assessors.set(chosen)
        Judgement.objects.bulk_create(
            Judgement(assessment=assessment, outcome=j.outcome, **_carried_judgement(previous, j.outcome))
            for j in definition.judgements
        )
        if previous is not None:
            RiskScenario.objects.bulk_create(
                RiskScenario(
                    assessment=assessment,
                    nature=s.nature,
                    severity=s.severity,
                    imminence=s.imminence,
                    frequency=s.frequency,
                    likelihood=s.likelihood,
                    added_by=by,
                )
                for s in previous.scenarios.all()
            )
        _audit(
            action=Action.CREATE,
            assessment=assessment,
            by=by,
            request=request,
            changes={
                "instrument": {"old": None, "new": f"{definition.code} {definition.version}"},
                "setting": {"old": None, "new": setting},
                "reassessment_of": {"old": None, "new": previous.pk if previous else None},
            },
        )
    return assessment


def _carried_answers(previous: Assessment, definition: Definition) -> dict[str, Any]:
    items = definition.items
    return {key: dict(answer) for key, answer in previous.answers.items() if key in items}


def _carried_judgement(previous: Assessment | None, outcome: str) -> dict[str, str]:
    if previous is None:
        return {}
    for judgement in previous.judgements.all():
        if judgement.outcome == outcome:
            return {"level": judgement.level, "rationale": judgement.rationale}
    return {}


def reassessment_start(*, previous: Assessment, setting: str, establishment: str = "", by, request=None) -> Assessment:
    require(by, "assessments.reassess", previous)
    if Assessment.objects.filter(previous=previous).exclude(status=AssessmentStatus.SIGNED).exists():
        raise AssessmentRefused("A reassessment of this assessment is already in progress: carry on with that one")
    return assessment_start(
        case=previous.case,
        code=previous.definition.code,
        setting=setting,
        establishment=establishment,
        co_assessors=previous.co_assessors.all(),
        by=by,
        request=request,
        previous=previous,
    )


# --- Saving a draft ----------------------------------------------------------------------------------


def clean_answers(
    definition: Definition, raw: Mapping[str, Mapping[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The answers ``raw`` gives, each checked against its item: (answers, problems). Unknown
    keys are refused; blank answers are dropped (a draft may be partly answered)."""
    items = definition.items
    answers: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, given in raw.items():
        item = items.get(key)
        if item is None:
            problems.append((key, "This question is not part of the instrument"))
            continue
        answer, problem = _clean_answer(item, given)
        if problem:
            problems.append((key, problem))
        elif answer:
            answers[key] = answer
    return answers, problems


def _clean_answer(item: Item, given: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    value = given.get("value")
    value = value.strip() if isinstance(value, str) else value
    answer: dict[str, Any] = {}
    if value not in (None, ""):
        if item.kind in ("presence", "relevance", "yes_no", "choice"):
            if value not in {c.value for c in item.answer_choices}:
                return {}, f"Select an answer for '{item.label}'"
        elif item.kind == "number":
            try:
                number = float(value)
            except (TypeError, ValueError):
                return {}, f"'{item.label}' must be a number"
            if (item.minimum is not None and number < item.minimum) or (
                item.maximum is not None and number > item.maximum
            ):
                return {}, f"'{item.label}' must be between {item.minimum:g} and {item.maximum:g}"
            value = int(number) if number.is_integer() else number
        elif len(str(value)) > TEXT_LIMIT:
            return {}, f"'{item.label}' must be {TEXT_LIMIT:,} characters or fewer"
        answer["value"] = value
    relevance = (given.get("relevance") or "").strip()
    if relevance:
        if not item.rate_relevance or relevance not in definitions.LEVELS:
            return {}, f"Select the relevance of '{item.label}'"
        if answer.get("value") in ("present", "partly_present"):
            answer["relevance"] = relevance
    comment = (given.get("comment") or "").strip()
    if comment:
        if not item.comment:
            return {}, f"'{item.label}' takes no comment"
        if len(comment) > TEXT_LIMIT:
            return {}, f"The comment on '{item.label}' must be {TEXT_LIMIT:,} characters or fewer"
        answer["comment"] = comment
    return answer, None


def _clean_judgements(definition: Definition, raw: Mapping[str, Mapping[str, str]]) -> dict[str, dict[str, str]]:
    known = {j.outcome: j for j in definition.judgements}
    cleaned: dict[str, dict[str, str]] = {}
    for outcome, given in raw.items():
        judgement = known.get(outcome)
        if judgement is None:
            raise AssessmentRefused("This outcome is not judged by the instrument", f"judgement_{outcome}")
        level = (given.get("level") or "").strip()
        if level and level not in judgement.levels:
            raise AssessmentRefused(f"Select low, moderate or high for '{judgement.label}'", f"judgement_{outcome}")
        rationale = (given.get("rationale") or "").strip()
        if len(rationale) > TEXT_LIMIT:
            raise AssessmentRefused(
                f"The rationale for '{judgement.label}' must be {TEXT_LIMIT:,} characters or fewer",
                f"rationale_{outcome}",
            )
        cleaned[outcome] = {"level": level, "rationale": rationale}
    return cleaned


def assessment_save(
    *,
    assessment: Assessment,
    answers: Mapping[str, Mapping[str, Any]],
    judgements: Mapping[str, Mapping[str, str]] | None = None,
    review_due_on: dt.date | None = None,
    expected_version: int,
    by,
    request: HttpRequest | None = None,
) -> Assessment:
    """Save the draft whole (also what autosave calls). Refused with ``EditConflict`` when the
    draft has been saved by someone else since ``expected_version`` was read."""
    require(by, "assessments.edit", assessment)
    definition = definition_of(assessment)
    _require_training(by, definition)
    cleaned, problems = clean_answers(definition, answers)
    if problems:
        raise AssessmentRefused(problems[0][1], problems[0][0])
    cleaned_judgements = _clean_judgements(definition, judgements or {})
    if review_due_on is not None and review_due_on <= timezone.localdate():
        raise AssessmentRefused("Review date must be in the future", "review_due_on")
    with transaction.atomic():
        before = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if before.row_version != expected_version:
            raise EditConflict(_conflict_message(before))
        if not before.is_editable:
            raise AssessmentRefused("This assessment can no longer be edited: it has been submitted or signed off")
        changed = _changed_keys(before.answers, cleaned)
        Assessment.objects.filter(pk=assessment.pk).update(
            answers=cleaned,
            review_due_on=review_due_on,
            row_version=F("row_version") + 1,
            updated_by=by,
            updated_at=timezone.now(),
        )
        changed_outcomes = []
        for judgement in before.judgements.all():
            given = cleaned_judgements.get(judgement.outcome)
            if given and (given["level"], given["rationale"]) != (judgement.level, judgement.rationale):
                judgement.level, judgement.rationale = given["level"], given["rationale"]
                judgement.save(update_fields=["level", "rationale"])
                changed_outcomes.append(judgement.outcome)
        assessment.refresh_from_db()
        if changed or changed_outcomes or before.review_due_on != review_due_on:
            _audit(
                action=Action.UPDATE,
                assessment=assessment,
                by=by,
                request=request,
                changes={
                    "answers": {"old": None, "new": f"changed: {', '.join(changed)}" if changed else "unchanged"},
                    **({"judgements": {"old": None, "new": ", ".join(changed_outcomes)}} if changed_outcomes else {}),
                    **(
                        {"review_due_on": {"old": str(before.review_due_on or ""), "new": str(review_due_on or "")}}
                        if before.review_due_on != review_due_on
                        else {}
                    ),
                },
            )
    return assessment


def _conflict_message(current: Assessment) -> str:
    when = timezone.localtime(current.updated_at).strftime("%H:%M")
    return (
        f"{current.updated_by.full_name} saved this assessment at {when}, after you opened it. Your changes have not "
        "been saved, so that theirs are not lost: copy anything you need, then reload the page to see their version."
    )


# --- Sources and scenarios ----------------------------------------------------------------------------


def _require_trained_for(assessment: Assessment, by) -> None:
    _require_training(by, definition_of(assessment))


def source_add(
    *,
    assessment: Assessment,
    kind: str,
    description: str,
    place: str = "",
    occurred_on: dt.date | None = None,
    minutes: int | None = None,
    by,
    request: HttpRequest | None = None,
) -> InformationSource:
    require(by, "assessments.edit", assessment)
    _require_trained_for(assessment, by)
    if kind not in SourceKind.values:
        raise AssessmentRefused("Select the kind of source", "kind")
    if not description.strip():
        raise AssessmentRefused("Enter who was interviewed or contacted, or which records were read", "description")
    if occurred_on and occurred_on > timezone.localdate():
        raise AssessmentRefused("Date must be today or in the past", "occurred_on")
    if kind == SourceKind.INTERVIEW and not (place.strip() and occurred_on and minutes):
        field = "place" if not place.strip() else "occurred_on" if not occurred_on else "minutes"
        raise AssessmentRefused("For an interview, enter where, when and for how many minutes", field)
    if minutes is not None and not 1 <= minutes <= 1440:
        raise AssessmentRefused("Length must be between 1 and 1,440 minutes", "minutes")
    with transaction.atomic():
        source = InformationSource.objects.create(
            assessment=assessment,
            kind=kind,
            description=description.strip()[:300],
            place=place.strip()[:200],
            occurred_on=occurred_on,
            minutes=minutes,
            added_by=by,
        )
        _audit(
            action=Action.CREATE,
            assessment=assessment,
            by=by,
            request=request,
            changes={"source": {"old": None, "new": f"{kind} {source.pk}"}},
        )
    return source


def _remove(row, noun: str, label: str, by, request: HttpRequest | None) -> None:
    """Delete a source or scenario of a draft, with its audit event (the caller asked the permission)."""
    with transaction.atomic():
        _audit(
            action=Action.DELETE,
            assessment=row.assessment,
            by=by,
            request=request,
            changes={noun: {"old": label, "new": None}},
        )
        row.delete()


def source_remove(*, source: InformationSource, by, request: HttpRequest | None = None) -> None:
    require(by, "assessments.edit", source.assessment)
    _require_trained_for(source.assessment, by)
    _remove(source, "source", f"{source.kind} {source.pk}", by, request)


def scenario_add(
    *,
    assessment: Assessment,
    nature: str,
    severity: str,
    imminence: str,
    likelihood: str,
    frequency: str = "",
    by,
    request: HttpRequest | None = None,
) -> RiskScenario:
    require(by, "assessments.edit", assessment)
    _require_trained_for(assessment, by)
    if not definition_of(assessment).has_scenarios:
        raise AssessmentRefused("This instrument has no risk scenarios")
    if not nature.strip():
        raise AssessmentRefused("Describe what might happen", "nature")
    if len(nature) > 3000:
        raise AssessmentRefused("What might happen must be 3,000 characters or fewer", "nature")
    for field, value, choices, message in (
        ("severity", severity, Level.values, "Select how serious it would be"),
        ("imminence", imminence, Imminence.values, "Select how soon it might happen"),
        ("likelihood", likelihood, Level.values, "Select how likely it is"),
    ):
        if value not in choices:
            raise AssessmentRefused(message, field)
    with transaction.atomic():
        scenario = RiskScenario.objects.create(
            assessment=assessment,
            nature=nature.strip(),
            severity=severity,
            imminence=imminence,
            likelihood=likelihood,
            frequency=frequency.strip()[:300],
            added_by=by,
        )
        _audit(
            action=Action.CREATE,
            assessment=assessment,
            by=by,
            request=request,
            changes={
                "scenario": {
                    "old": None,
                    "new": f"scenario {scenario.pk}: {severity} severity, {likelihood} likelihood",
                }
            },
        )
    return scenario


def scenario_remove(*, scenario: RiskScenario, by, request: HttpRequest | None = None) -> None:
    require(by, "assessments.edit", scenario.assessment)
    _require_trained_for(scenario.assessment, by)
    _remove(scenario, "scenario", f"scenario {scenario.pk}", by, request)


# --- Submitting, reviewing, signing off -------------------------------------------------------------


def missing(assessment: Assessment) -> list[tuple[str, str]]:
    """What must still be answered before the assessment can be submitted or signed off."""
    definition = definition_of(assessment)
    problems: list[tuple[str, str]] = []
    answers = assessment.answers
    for item in definition.applicable_items(answers):
        answer = answers.get(item.key) or {}
        if item.required and answer.get("value") in (None, ""):
            problems.append((item.key, f"Answer '{item.label}'"))
        if item.kind == "presence" and answer.get("value") in (None, ""):
            problems.append((item.key, f"Rate the presence of '{item.label}'"))
        if item.rate_relevance and answer.get("value") in ("present", "partly_present") and not answer.get("relevance"):
            problems.append((item.key, f"Rate the relevance of '{item.label}'"))
    for judgement in assessment.judgements.all():
        spec = next((j for j in definition.judgements if j.outcome == judgement.outcome), None)
        if spec is None:
            continue
        if not judgement.level:
            problems.append((f"judgement_{judgement.outcome}", f"Select a judgement of '{spec.label}'"))
        if spec.rationale_required and not judgement.rationale.strip():
            problems.append((f"rationale_{judgement.outcome}", f"Write the rationale for '{spec.label}'"))
    if definition.has_sources and not assessment.sources.exists():
        problems.append(("sources", "Add at least one source of information"))
    if definition.has_scenarios and not assessment.scenarios.exists():
        problems.append(("scenarios", "Add at least one risk scenario"))
    return problems


def _move(assessment: Assessment, target: str, by, request, changes: dict[str, Any] | None = None) -> None:
    ASSESSMENT_WORKFLOW.check(assessment.status, target)
    old = assessment.status
    assessment.status = target
    _audit(
        action=Action.TRANSITION,
        assessment=assessment,
        by=by,
        request=request,
        changes={"status": {"old": old, "new": target}, **(changes or {})},
    )


def _locked(assessment: Assessment) -> Assessment:
    """The assessment as it is now, locked for the rest of the transaction (the permission is
    asked of what the database holds, not of what the caller last read)."""
    return Assessment.objects.select_for_update().select_related("case", "definition").get(pk=assessment.pk)


def assessment_submit(*, assessment: Assessment, by, request: HttpRequest | None = None) -> Assessment:
    with transaction.atomic():
        assessment = _locked(assessment)
        require(by, "assessments.edit", assessment)
        problems = missing(assessment)
        if problems:
            raise Incomplete(problems)
        _move(assessment, AssessmentStatus.SUBMITTED, by, request)
        assessment.submitted_at = timezone.now()
        assessment.row_version += 1
        assessment.save(update_fields=["status", "submitted_at", "row_version", "updated_at"])
    return assessment


def assessment_return(*, assessment: Assessment, comments: str, by, request: HttpRequest | None = None) -> Assessment:
    if not comments.strip():
        raise AssessmentRefused("Write what must change before you can sign it off", "comments")
    if len(comments) > TEXT_LIMIT:
        raise AssessmentRefused(f"Comments must be {TEXT_LIMIT:,} characters or fewer", "comments")
    with transaction.atomic():
        assessment = _locked(assessment)
        require(by, "assessments.review", assessment)
        _move(assessment, AssessmentStatus.RETURNED, by, request, {"comments": {"old": None, "new": "written"}})
        assessment.row_version += 1
        assessment.save(update_fields=["status", "row_version", "updated_at"])
        Review.objects.create(
            assessment=assessment, decision=ReviewDecision.RETURNED, comments=comments.strip(), reviewer=by
        )
    return assessment


def assessment_sign(
    *, assessment: Assessment, comments: str = "", by, request: HttpRequest | None = None
) -> Assessment:
    """Sign off: lock the assessment, fix its signature, set the review date (the instrument's
    interval unless one was chosen) and, where the instrument decides it, the case's stalker type."""
    if len(comments) > TEXT_LIMIT:
        raise AssessmentRefused(f"Comments must be {TEXT_LIMIT:,} characters or fewer", "comments")
    with transaction.atomic():
        assessment = _locked(assessment)
        require(by, "assessments.review", assessment)
        problems = missing(assessment)
        if problems:
            raise Incomplete(problems)
        definition = definition_of(assessment)
        _move(assessment, AssessmentStatus.SIGNED, by, request)
        now = timezone.now()
        assessment.signed_at, assessment.signed_by = now, by
        if assessment.review_due_on is None and definition.review_months:
            assessment.review_due_on = _months_after(timezone.localdate(), definition.review_months)
        assessment.signed_hash = signature(assessment)
        assessment.row_version += 1
        assessment.save(
            update_fields=[
                "status",
                "signed_at",
                "signed_by",
                "review_due_on",
                "signed_hash",
                "row_version",
                "updated_at",
            ]
        )
        Review.objects.create(
            assessment=assessment, decision=ReviewDecision.SIGNED, comments=comments.strip(), reviewer=by
        )
        stalker_type = definition.context_of(assessment.answers)["stalker_type"]
        if definition.stalker_type_item and stalker_type and stalker_type != assessment.case.stalker_type:
            stalker_type_record(case=assessment.case, stalker_type=stalker_type, by=by, request=request)
        completions.announce(completions.ASSESSMENT_SIGNED, assessment, by=by, request=request)
    return assessment


def _months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def signature(assessment: Assessment) -> str:
    """SHA-256 over everything a signed assessment says, in a canonical form."""
    content = {
        "case": assessment.case.reference,
        "definition": assessment.definition.content_hash,
        "setting": assessment.setting,
        "establishment": assessment.establishment,
        "assessor": assessment.assessor_id,
        "co_assessors": sorted(user.pk for user in assessment.co_assessors.all()),
        "previous": assessment.previous_id,
        "answers": assessment.answers,
        "judgements": sorted((j.outcome, j.level, j.rationale) for j in assessment.judgements.all()),
        "sources": sorted(
            (s.kind, s.description, s.place, str(s.occurred_on or ""), s.minutes or 0) for s in assessment.sources.all()
        ),
        "scenarios": sorted(
            (s.nature, s.severity, s.imminence, s.frequency, s.likelihood) for s in assessment.scenarios.all()
        ),
        "review_due_on": str(assessment.review_due_on or ""),
        "signed_by": assessment.signed_by_id,
        "signed_at": assessment.signed_at.isoformat() if assessment.signed_at else "",
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def signature_holds(assessment: Assessment) -> bool:
    """Whether a signed assessment still says exactly what was signed."""
    return assessment.is_signed and signature(assessment) == assessment.signed_hash


# --- After sign-off -------------------------------------------------------------------------------------


def addendum_add(*, assessment: Assessment, text: str, by, request: HttpRequest | None = None) -> Addendum:
    require(by, "assessments.add_addendum", assessment)
    if not text.strip():
        raise AssessmentRefused("Enter the addendum", "text")
    if len(text) > TEXT_LIMIT:
        raise AssessmentRefused(f"Addendum must be {TEXT_LIMIT:,} characters or fewer", "text")
    with transaction.atomic():
        addendum = Addendum.objects.create(assessment=assessment, text=text.strip(), author=by)
        _audit(
            action=Action.CREATE,
            assessment=assessment,
            by=by,
            request=request,
            changes={"addendum": {"old": None, "new": f"addendum {addendum.pk}"}},
        )
    return addendum


# --- The risk management plan ----------------------------------------------------------------------


def plan_start(*, assessment: Assessment, review_on: dt.date, by, request: HttpRequest | None = None) -> ManagementPlan:
    """Start the plan that answers a signed assessment. A reassessment's plan carries forward the
    actions still open in the plan of the assessment before it."""
    require(by, "assessments.plan", assessment)
    if review_on <= timezone.localdate():
        raise AssessmentRefused("Review date must be in the future", "review_on")
    with transaction.atomic():
        if ManagementPlan.objects.filter(assessment=assessment).exists():
            raise AssessmentRefused("This assessment already has a plan")
        plan = ManagementPlan.objects.create(assessment=assessment, review_on=review_on, created_by=by)
        earlier = (
            ManagementPlan.objects.filter(assessment=assessment.previous_id).first() if assessment.previous_id else None
        )
        carried = 0
        if earlier is not None:
            open_actions = list(earlier.actions.filter(status__in=OPEN_ACTION_STATUSES))
            PlanAction.objects.bulk_create(
                PlanAction(
                    plan=plan,
                    area=a.area,
                    description=a.description,
                    agency=a.agency,
                    person=a.person,
                    due_on=a.due_on,
                    status=a.status,
                    updated_by=by,
                )
                for a in open_actions
            )
            carried = len(open_actions)
        _audit(
            action=Action.CREATE,
            assessment=assessment,
            by=by,
            request=request,
            changes={"plan": {"old": None, "new": f"plan {plan.pk}, review {review_on}, {carried} actions carried"}},
        )
    return plan


def _check_action(fields: dict[str, Any]) -> None:
    if fields.get("area") not in PlanArea.values:
        raise AssessmentRefused("Select the heading the action comes under", "area")
    for name, message, limit in (
        ("description", "Describe the action", 2000),
        ("agency", "Enter the agency responsible", 200),
        ("person", "Enter the named person responsible", 150),
    ):
        value = (fields.get(name) or "").strip()
        if not value:
            raise AssessmentRefused(message, name)
        if len(value) > limit:
            raise AssessmentRefused(
                f"{message.split(' ', 1)[1].capitalize()} must be {limit:,} characters or fewer", name
            )
    if fields.get("due_on") is None:
        raise AssessmentRefused("Enter the due date", "due_on")
    if fields.get("status", ActionStatus.PLANNED) not in ActionStatus.values:
        raise AssessmentRefused("Select the action's status", "status")


def action_add(*, plan: ManagementPlan, by, request: HttpRequest | None = None, **fields: Any) -> PlanAction:
    require(by, "assessments.plan", plan.assessment)
    _check_action(fields)
    with transaction.atomic():
        action = PlanAction.objects.create(
            plan=plan,
            area=fields["area"],
            description=fields["description"].strip(),
            agency=fields["agency"].strip(),
            person=fields["person"].strip(),
            due_on=fields["due_on"],
            status=fields.get("status") or ActionStatus.PLANNED,
            updated_by=by,
        )
        _audit(
            action=Action.CREATE,
            assessment=plan.assessment,
            by=by,
            request=request,
            changes={"plan action": {"old": None, "new": f"action {action.pk}: {action.area}, due {action.due_on}"}},
        )
    return action


def action_update(*, action: PlanAction, by, request: HttpRequest | None = None, **fields: Any) -> PlanAction:
    require(by, "assessments.plan", action.plan.assessment)
    merged = {name: fields.get(name, getattr(action, name)) for name in PlanAction.AUDITED_FIELDS}
    _check_action(merged)
    with transaction.atomic():
        before = {name: getattr(action, name) for name in PlanAction.AUDITED_FIELDS}
        for name, value in merged.items():
            setattr(action, name, value.strip() if isinstance(value, str) else value)
        action.updated_by = by
        action.save()
        structured = ("area", "due_on", "status")
        changed = {
            f"action {action.pk} {name}": (
                {"old": str(before[name]), "new": str(getattr(action, name))}
                if name in structured
                else {"old": None, "new": "changed"}  # free text: that it changed, never its words
            )
            for name in PlanAction.AUDITED_FIELDS
            if before[name] != getattr(action, name)
        }
        if changed:
            _audit(action=Action.UPDATE, assessment=action.plan.assessment, by=by, request=request, changes=changed)
    return action
