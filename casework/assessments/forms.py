"""Forms of the assessments pages. The assessment form itself is built from the instrument's
definition: a field per item (``a_<key>``; its relevance ``r_<key>`` and comment ``c_<key>`` where
the item takes them) and per summary judgement (``judgement_<outcome>``, ``rationale_<outcome>``)."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.assessments.choices import ActionStatus, AssessmentSetting, Imminence, Level, PlanArea, SourceKind
from casework.assessments.definitions import Definition, Item
from casework.assessments.services import TEXT_LIMIT
from casework.core.forms import NHSDateField, NHSForm, cap_text_fields, field_of

_SETTING_CHOICES = AssessmentSetting.choices


def _text(label: str, max_length: int, required_message: str | None = None, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required_message is not None,
        error_messages={
            "required": required_message or "",
            "max_length": f"{label} must be {max_length:,} characters or fewer",
        },
        **kwargs,
    )


def _long_text(label: str, max_length: int = TEXT_LIMIT, required_message: str | None = None, **kwargs):
    return _text(label, max_length, required_message, widget=forms.Textarea, **kwargs)


def _radios(label: str, choices, required_message: str | None = None, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required_message is not None,
        widget=forms.RadioSelect,
        error_messages={"required": required_message or "", "invalid_choice": "Select an answer from the list"},
        **kwargs,
    )


class StartForm(NHSForm):
    instrument = _radios("Instrument", [], "Select the instrument")
    setting = _radios("Where the assessment takes place", _SETTING_CHOICES, "Select where the assessment takes place")
    establishment = _text(
        "Establishment",
        200,
        help_text="The prison or hospital, for an assessment in custody or in a mental health facility",
    )
    co_assessors = forms.MultipleChoiceField(
        label="Co-assessors",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="For example a psychiatrist and a psychologist assessing together",
        error_messages={"invalid_choice": "Select co-assessors from the case team"},
    )

    def __init__(self, *args, instruments=(), team=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "instrument", forms.ChoiceField).choices = [(d.code, d.title) for d in instruments]
        field_of(self, "co_assessors", forms.MultipleChoiceField).choices = [(str(u.pk), u.full_name) for u in team]
        if not team:
            del self.fields["co_assessors"]


class ReassessForm(NHSForm):
    setting = _radios("Where the assessment takes place", _SETTING_CHOICES, "Select where the assessment takes place")
    establishment = _text(
        "Establishment",
        200,
        help_text="The prison or hospital, for an assessment in custody or in a mental health facility",
    )


def _item_fields(item: Item) -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    hint = item.hint
    if item.kind in ("presence", "relevance", "yes_no", "choice"):
        fields[f"a_{item.key}"] = _radios(item.label, [(c.value, c.label) for c in item.answer_choices], help_text=hint)
    elif item.kind == "number":
        fields[f"a_{item.key}"] = forms.DecimalField(
            label=item.label,
            required=False,
            min_value=item.minimum,
            max_value=item.maximum,
            help_text=hint,
            error_messages={"invalid": f"{item.label} must be a number"},
        )
    else:
        fields[f"a_{item.key}"] = _long_text(item.label, help_text=hint)
    if item.rate_relevance:
        fields[f"r_{item.key}"] = _radios(
            "Relevance to this person's risk",
            Level.choices,
            help_text="Only for a factor present or partly present",
        )
    if item.comment:
        fields[f"c_{item.key}"] = _long_text("Comment" if item.kind != "presence" else "Evidence and comment")
    return fields


class AssessmentForm(NHSForm):
    """The draft, as one form. Fields are made from the definition; ``version`` carries the row
    version the editor started from (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    review_due_on = NHSDateField(
        label="Review date", required=False, help_text="Leave blank to use the instrument's review interval"
    )

    def __init__(self, *args, definition: Definition, items: list[Item], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        self.items = items
        review = self.fields.pop("review_due_on")
        for item in items:
            self.fields.update(_item_fields(item))
        for judgement in definition.judgements:
            self.fields[f"judgement_{judgement.outcome}"] = _radios(
                judgement.label,
                [(level, Level(level).label) for level in judgement.levels],
                help_text=judgement.hint or None,
            )
            self.fields[f"rationale_{judgement.outcome}"] = _long_text(f"Rationale: {judgement.label.lower()}")
        self.fields["review_due_on"] = review
        cap_text_fields(self)

    def answers(self) -> dict[str, dict[str, Any]]:
        data = self.cleaned_data
        result: dict[str, dict[str, Any]] = {}
        for item in self.items:
            value = data.get(f"a_{item.key}")
            result[item.key] = {
                "value": "" if value is None else (str(value) if item.kind == "number" else value),
                "relevance": data.get(f"r_{item.key}") or "",
                "comment": data.get(f"c_{item.key}") or "",
            }
        return result

    def judgements(self) -> dict[str, dict[str, str]]:
        data = self.cleaned_data
        return {
            j.outcome: {
                "level": data.get(f"judgement_{j.outcome}") or "",
                "rationale": data.get(f"rationale_{j.outcome}") or "",
            }
            for j in self.definition.judgements
        }

    def sections(self):
        """(section, [bound fields]) in the definition's order, for the template."""
        keys = {item.key for item in self.items}
        for section in self.definition.sections:
            if section.kind in ("scenarios", "sources"):
                continue
            bound = []
            for item in section.items:
                if item.key in keys:
                    bound.append(
                        (
                            item,
                            [
                                self[name]
                                for name in (f"a_{item.key}", f"r_{item.key}", f"c_{item.key}")
                                if name in self.fields
                            ],
                        )
                    )
            if bound:
                yield section, bound


def initial_from(assessment, definition: Definition, items: list[Item]) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": assessment.row_version, "review_due_on": assessment.review_due_on}
    for item in items:
        answer = assessment.answers.get(item.key) or {}
        initial[f"a_{item.key}"] = answer.get("value", "")
        initial[f"r_{item.key}"] = answer.get("relevance", "")
        initial[f"c_{item.key}"] = answer.get("comment", "")
    for judgement in assessment.judgements.all():
        initial[f"judgement_{judgement.outcome}"] = judgement.level
        initial[f"rationale_{judgement.outcome}"] = judgement.rationale
    return initial


class SourceForm(NHSForm):
    kind = _radios("Kind of source", SourceKind.choices, "Select the kind of source")
    description = _text(
        "Who or what",
        300,
        "Enter who was interviewed or contacted, or which records were read",
        help_text="For example 'The client', 'Police national computer record', 'DC Smith, officer in the case'",
    )
    place = _text("Where", 200, help_text="For an interview: for example a clinic room, a prison visits room, video")
    occurred_on = NHSDateField(label="Date", required=False)
    minutes = forms.IntegerField(
        label="Length in minutes",
        required=False,
        min_value=1,
        max_value=1440,
        error_messages={
            "invalid": "Length must be a whole number of minutes",
            "min_value": "Length must be between 1 and 1,440 minutes",
            "max_value": "Length must be between 1 and 1,440 minutes",
        },
    )


class ScenarioForm(NHSForm):
    nature = _long_text("What might happen", 3000, "Describe what might happen")
    severity = _radios("How serious it would be", Level.choices, "Select how serious it would be")
    imminence = _radios("How soon", Imminence.choices, "Select how soon it might happen")
    frequency = _text("How often", 300, help_text="For example 'repeatedly, whenever contact is refused'")
    likelihood = _radios("How likely", Level.choices, "Select how likely it is")


class ReviewForm(NHSForm):
    decision = _radios(
        "Your decision",
        [("signed", "Sign it off"), ("returned", "Return it with comments")],
        "Select whether to sign it off or return it",
    )
    comments = _long_text("Comments", help_text="Required when you return it: say what must change")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "returned" and not (cleaned.get("comments") or "").strip():
            self.add_error("comments", "Write what must change before it can be signed off")
        return cleaned


class AddendumForm(NHSForm):
    text = _long_text(
        "Addendum",
        required_message="Enter the addendum",
        help_text="A correction or addition, signed with your name and the time",
    )


class PlanForm(NHSForm):
    review_on = NHSDateField(label="Review date", help_text="When the plan, and the risk it answers, will be reviewed")


class ActionForm(NHSForm):
    area = _radios("Heading", PlanArea.choices, "Select the heading the action comes under")
    description = _long_text("Action", 2000, "Describe the action")
    agency = _text(
        "Responsible agency",
        200,
        "Enter the agency responsible",
        help_text="For example 'Probation', 'Police', 'The clinic'",
    )
    person = _text("Named person", 150, "Enter the named person responsible")
    due_on = NHSDateField(label="Due date")
    status = _radios("Status", ActionStatus.choices, "Select the action's status")
