"""Forms of the enrolment pages: enrol, record an outcome measure, discharge, record a follow-up.
Choices (programmes, the case's orders, agencies, the programme's measures) are given by the view;
the services decide what is allowed and say why not."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.formatting import date_gb
from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.treatment.choices import DISCHARGE_STATUSES, EnrolmentStatus, LegalBasis
from casework.treatment.models import FOLLOW_UP_NOTE_LIMIT, OFFICER_NAME_LIMIT, REASON_LIMIT
from casework.treatment.programmes import STAGES

YES_NO = (("yes", "Yes"), ("no", "No"))


def _radios(label: str, choices, required_message: str, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": "Select an answer from the list"},
        **kwargs,
    )


def _select(label: str, required_message: str | None, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[],
        required=required_message is not None,
        error_messages={"required": required_message or "", "invalid_choice": "Select an answer from the list"},
        **kwargs,
    )


def order_label(order) -> str:
    dates = f"from {date_gb(order.starts_on)}" if order.starts_on else "start date not recorded"
    if order.ends_on:
        dates += f" to {date_gb(order.ends_on)}"
    return f"{order.get_kind_display()} ({dates})"


class EnrolForm(NHSForm):
    programme = _radios("Programme", [], "Select the programme")
    legal_basis = _radios("Legal basis", LegalBasis.choices, "Select the legal basis of the treatment")
    order = _select(
        "The order it rests on",
        None,
        help_text="A community order or suspended sentence, bail conditions or licence conditions recorded on the case",
    )
    supervising_agency = _select("Supervising agency", None)
    supervising_officer_name = forms.CharField(
        label="Supervising officer", max_length=OFFICER_NAME_LIMIT, required=False
    )
    supervising_officer_email = forms.CharField(
        label="Supervising officer's email address",
        max_length=254,
        required=False,
        help_text="Compliance notices are sent here",
    )
    starts_on = NHSDateField(label="Start date", help_text="For example, 15 3 2027")
    ends_on = NHSDateField(label="Planned end date", required=False)

    def __init__(self, *args: Any, programmes=(), orders=(), agencies=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "programme", forms.ChoiceField).choices = [
            (p.code, f"{p.title} ({p.planned_sessions} sessions)") for p in programmes
        ]
        field_of(self, "order", forms.ChoiceField).choices = [("", "No order (voluntary)")] + [
            (str(o.pk), order_label(o)) for o in orders
        ]
        field_of(self, "supervising_agency", forms.ChoiceField).choices = [("", "Select an agency")] + [
            (str(a.pk), a.name) for a in agencies
        ]


class OutcomeForm(NHSForm):
    measure = _radios("Outcome measure", [], "Select the outcome measure")
    stage = _radios("Stage", STAGES, "Select the stage of treatment")
    score = forms.DecimalField(
        label="Score",
        max_digits=7,
        decimal_places=2,
        error_messages={"required": "Enter the score", "invalid": "Score must be a number"},
    )
    taken_on = NHSDateField(label="Date taken", past_only=True)

    def __init__(self, *args: Any, measures=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "measure", forms.ChoiceField).choices = [
            (m.code, f"{m.title} ({m.minimum:g} to {m.maximum:g})") for m in measures
        ]


class VictimEnrolForm(NHSForm):
    """Therapy for a person who is stalked: by consent, so no order and no supervising officer."""

    programme = _radios("Programme", [], "Select the programme")
    starts_on = NHSDateField(label="Start date", help_text="For example, 15 3 2027")
    ends_on = NHSDateField(label="Planned end date", required=False)

    def __init__(self, *args: Any, programmes=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "programme", forms.ChoiceField).choices = [
            (p.code, f"{p.title} ({p.planned_sessions} sessions)") for p in programmes
        ]


class DischargeForm(NHSForm):
    status = _radios(
        "How treatment ended",
        [(s.value, s.label) for s in DISCHARGE_STATUSES],
        "Select how treatment ended",
    )
    reason = forms.CharField(
        label="Reason",
        max_length=REASON_LIMIT,
        widget=forms.Textarea,
        error_messages={"required": "Enter the reason for the discharge"},
        help_text="What happened, for the discharge summary",
    )
    discharged_on = NHSDateField(label="Date of discharge", past_only=True)

    def __init__(self, *args: Any, under_order: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not under_order:  # therapy by consent cannot be breached
            status = field_of(self, "status", forms.ChoiceField)
            status.choices = [(s.value, s.label) for s in DISCHARGE_STATUSES if s != EnrolmentStatus.BREACHED]


class FollowUpForm(NHSForm):
    done_on = NHSDateField(label="Date of the follow-up", past_only=True)
    re_referred = _radios("Re-referred to the clinic", YES_NO, "Select whether they were re-referred")
    further_stalking = _radios("Further stalking reported", YES_NO, "Select whether further stalking was reported")
    reconvicted = _radios("Reconvicted", YES_NO, "Select whether they were reconvicted")
    notes = forms.CharField(label="Notes", max_length=FOLLOW_UP_NOTE_LIMIT, widget=forms.Textarea, required=False)

    # The same three facts asked about a person who was stalked, of themselves and of their stalker.
    VICTIM_LABELS = {
        "re_referred": ("Referred to the clinic again", "Select whether they were referred again"),
        "further_stalking": ("Stalked again since therapy ended", "Select whether they were stalked again"),
        "reconvicted": (
            "The person who stalked them convicted again",
            "Select whether the person who stalked them was convicted again",
        ),
    }

    def __init__(self, *args: Any, victim: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if victim:
            for name, (label, required) in self.VICTIM_LABELS.items():
                self.fields[name].label = label
                self.fields[name].error_messages = {**self.fields[name].error_messages, "required": required}

    def answers(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "done_on": data["done_on"],
            "re_referred": data["re_referred"] == "yes",
            "further_stalking": data["further_stalking"] == "yes",
            "reconvicted": data["reconvicted"] == "yes",
            "notes": data.get("notes") or "",
        }
