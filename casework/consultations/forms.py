"""The consultation's forms: the request, a meeting, the advice. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.consultations.models import (
    ADVICE_LIMIT,
    ATTENDEES_LIMIT,
    MATERIAL_LIMIT,
    MINUTES_LIMIT,
    NAME_LIMIT,
    QUESTION_LIMIT,
)
from casework.core.forms import NHSDateField, NHSForm


class AgencyField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class RequestForm(NHSForm):
    agency = AgencyField(
        label="Agency asking",
        queryset=None,
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency asking",
            "invalid_choice": "Select the agency asking from the list",
        },
    )
    officer_name = forms.CharField(
        label="Officer asking",
        max_length=NAME_LIMIT,
        error_messages={"required": "Enter the name of the officer asking"},
    )
    officer_email = forms.EmailField(
        label="Officer's email address",
        required=False,
        max_length=254,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
    )
    received_on = NHSDateField(label="Date received", past_only=True)
    question = forms.CharField(
        label="Question asked",
        max_length=QUESTION_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter the question asked"},
    )
    material = forms.CharField(
        label="Material provided",
        required=False,
        max_length=MATERIAL_LIMIT,
        help_text="The documents and records the agency sent",
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, agencies=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]

    @staticmethod
    def initial_from(found) -> dict[str, Any] | None:
        if found is None:
            return None
        return {
            "agency": found.agency_id,
            "officer_name": found.officer_name,
            "officer_email": found.officer_email,
            "received_on": found.received_on,
            "question": found.question,
            "material": found.material,
        }


class MeetingForm(NHSForm):
    held_on = NHSDateField(label="Date held", past_only=True)
    attendees = forms.CharField(
        label="Attendees",
        max_length=ATTENDEES_LIMIT,
        help_text="One a line: name, role and agency",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter who attended"},
    )
    minutes = forms.CharField(
        label="Minutes",
        max_length=MINUTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "Enter the minutes of the meeting"},
    )


class AdviceForm(NHSForm):
    given_on = NHSDateField(label="Date the advice was given", past_only=True)
    summary = forms.CharField(
        label="Summary of the advice given",
        max_length=ADVICE_LIMIT,
        help_text="The advice letter itself is written and issued as a report",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter a summary of the advice given"},
    )
