"""The disclosure register's search and filters."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.forms import NHSDateField, NHSForm
from casework.reports.choices import DisclosureMethod, LegalBasis


class RegisterFilterForm(NHSForm):
    q = forms.CharField(label="Case or referral reference, or recipient", required=False, max_length=100)
    method = forms.ChoiceField(label="Method", required=False, choices=[("", "Any method"), *DisclosureMethod.choices])
    legal_basis = forms.ChoiceField(
        label="Legal basis", required=False, choices=[("", "Any legal basis"), *LegalBasis.choices]
    )
    released_from = NHSDateField(label="Released on or after", required=False, past_only=True)
    released_to = NHSDateField(label="Released on or before", required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("released_from"), cleaned.get("released_to")
        if start and end and end < start:
            self.add_error("released_to", "The end date must be the same as or after the start date")
        return cleaned

    def filters(self) -> dict[str, Any]:
        """The filters to apply: none when the form is unbound or has an error."""
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {name: data[name] for name in ("q", "method", "legal_basis", "released_from", "released_to")}
