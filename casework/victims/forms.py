"""The victim pathway's forms: the safety plan and a message. They parse; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from casework.core.forms import NHSDateField, NHSForm
from casework.treatment.diary_forms import parse_clock
from casework.victims.choices import MESSAGE_CHANNELS, WEEKDAYS, Channel
from casework.victims.models import MESSAGE_LIMIT, NAME_LIMIT, NOTES_LIMIT

YES_NO = [("yes", "Yes"), ("no", "No")]
BOOLEAN_FIELDS = (
    "may_name_clinic",
    "diary_advice_given",
    "evidence_advice_given",
    "tracking_checked",
    "accounts_checked",
    "location_sharing_checked",
    "marac_referred",
)


def _yes_no(label: str, hint: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text=hint,
        error_messages={"required": f"Select yes or no: {label.lower()}", "invalid_choice": "Select yes or no"},
    )


class ClockField(forms.CharField):
    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(
            label=label,
            max_length=5,
            help_text="Use the 24-hour clock, for example, 09:00",
            error_messages={"required": f"Enter {label.lower()}"},
            **kwargs,
        )

    def clean(self, value: Any) -> dt.time | None:
        text = (super().clean(value) or "").strip()
        if not text:
            return None
        try:
            return parse_clock(text)
        except ValueError:
            raise forms.ValidationError(f"{self.label} must be a real time, like 09:00") from None


class SafetyPlanForm(NHSForm):
    channels = forms.MultipleChoiceField(
        label="Ways the clinic may contact them",
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one way the clinic may contact them"},
    )
    preferred_channel = forms.ChoiceField(
        label="Preferred way",
        choices=[("", "No preference"), *Channel.choices],
        required=False,
    )
    contact_days = forms.MultipleChoiceField(
        label="Days contact is safe",
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the days when contact is safe"},
    )
    contact_from = ClockField("Safe from")
    contact_until = ClockField("Safe until")
    may_name_clinic = _yes_no(
        "May letters and messages name the clinic?",
        "If someone else may read their post, email or texts, say no: messages then come from a neutral sender "
        "and must not say what the clinic does",
    )
    contact_notes = forms.CharField(
        label="Notes on contact", required=False, max_length=NOTES_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    diary_advice_given = _yes_no("Incident diary advice given?")
    evidence_advice_given = _yes_no("Evidence-keeping advice given?")
    tracking_checked = _yes_no("Phone and car checked for tracking apps and devices?")
    accounts_checked = _yes_no("Shared accounts and passwords reviewed?")
    location_sharing_checked = _yes_no("Location sharing checked and switched off?")
    police_officer = forms.CharField(
        label="Police officer in the case",
        required=False,
        max_length=NAME_LIMIT,
        help_text="Name, rank and force, for example, DC Sam Jones, Northshire Police",
    )
    advocate = forms.CharField(
        label="Independent stalking advocate", required=False, max_length=NAME_LIMIT, help_text="Name and service"
    )
    marac_referred = _yes_no("Referred to MARAC?")
    marac_on = NHSDateField(label="Date of the MARAC referral", required=False, past_only=True)
    agreed_on = NHSDateField(label="Date agreed", past_only=True)
    review_on = NHSDateField(label="Review date")
    notes = forms.CharField(
        label="Other parts of the plan",
        required=False,
        max_length=NOTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in BOOLEAN_FIELDS:
            data[name] = data.get(name) == "yes"
        return data

    @staticmethod
    def initial_from(plan) -> dict[str, Any]:
        """The form filled from an agreed version (the next version starts from it)."""
        if plan is None:
            return {"contact_from": "09:00", "contact_until": "17:00", "contact_days": ["0", "1", "2", "3", "4"]}
        initial: dict[str, Any] = {
            name: getattr(plan, name)
            for name in ("channels", "preferred_channel", "contact_notes", "police_officer", "advocate", "notes")
        }
        initial.update(
            contact_days=[str(day) for day in plan.contact_days],
            contact_from=f"{plan.contact_from:%H:%M}",
            contact_until=f"{plan.contact_until:%H:%M}",
            marac_on=plan.marac_on,
            review_on=plan.review_on,
        )
        for name in BOOLEAN_FIELDS:
            initial[name] = "yes" if getattr(plan, name) else "no"
        return initial


class MessageForm(NHSForm):
    channel = forms.ChoiceField(
        label="Send it by",
        choices=[(c.value, c.label) for c in MESSAGE_CHANNELS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how to send the message",
            "invalid_choice": "Select how to send the message",
        },
    )
    text = forms.CharField(
        label="Message",
        max_length=MESSAGE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="A text message can be at most 459 characters",
        error_messages={"required": "Enter the message"},
    )
