"""Asking for a research extract, and deciding on one."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.forms import NHSForm
from casework.research.models import (
    APPROVAL_REFERENCE_LIMIT,
    DECLINE_REASON_LIMIT,
    PURPOSE_LIMIT,
    ExtractKind,
)


class ExtractRequestForm(NHSForm):
    kind = forms.ChoiceField(
        label="What kind of extract do you need?",
        choices=ExtractKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the kind of extract", "invalid_choice": "Select the kind of extract"},
    )
    purpose = forms.CharField(
        label="Purpose of the research",
        widget=forms.Textarea,
        max_length=PURPOSE_LIMIT,
        help_text="What the study asks and why it needs these data. Do not name or describe anyone",
        error_messages={
            "required": "Enter the purpose of the research",
            "max_length": f"The purpose must be {PURPOSE_LIMIT} characters or fewer",
        },
    )
    approval_reference = forms.CharField(
        label="Ethics or approval reference",
        max_length=APPROVAL_REFERENCE_LIMIT,
        help_text="As written on the approval: for example a research ethics committee or IRAS number, "
        "or the Caldicott or information governance approval number",
        error_messages={
            "required": "Enter the ethics or approval reference",
            "max_length": f"The approval reference must be {APPROVAL_REFERENCE_LIMIT} characters or fewer",
        },
    )


class DecisionForm(NHSForm):
    decision = forms.ChoiceField(
        label="Your decision",
        choices=[("approve", "Approve"), ("decline", "Decline")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select approve or decline", "invalid_choice": "Select approve or decline"},
    )
    checked = forms.BooleanField(
        label="I have seen the approval this reference names, and it covers this purpose",
        required=False,
    )
    reason = forms.CharField(
        label="Why are you declining it?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=DECLINE_REASON_LIMIT,
        required=False,
        help_text="Only if you decline. The researcher sees this",
        error_messages={"max_length": f"The reason must be {DECLINE_REASON_LIMIT} characters or fewer"},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("decision") == "approve" and not cleaned.get("checked"):
            self.add_error("checked", "Confirm you have seen the approval before approving")
        if cleaned.get("decision") == "decline" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Enter why the request is declined")
        return cleaned
