from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from casework.core.forms import NHSForm
from casework.search.text import Query, QueryError, parse


class SearchForm(NHSForm):
    q = forms.CharField(
        label="Name, reference or words",
        required=False,
        strip=True,
        help_text="A name, a reference (REF-2026-00042, CASE-2026-00017) or words from a description",
    )

    def clean_q(self) -> str:
        text = self.cleaned_data.get("q") or ""
        try:
            self.query: Query | None = parse(text)
        except QueryError as error:
            self.query = None
            raise ValidationError(str(error), code="invalid") from None
        return text


# Which app's break-glass page a reference goes to, by its prefix.
BREAK_GLASS_PAGES = {"CASE-": "cases:break_glass", "REF-": "referrals:break_glass", "PER-": "people:break_glass"}


class BreakGlassRouteForm(NHSForm):
    reference = forms.CharField(
        label="Reference of the record",
        max_length=40,
        strip=True,
        help_text="A case, referral or person reference, such as CASE-2026-00017",
        error_messages={"required": "Enter the reference of the record you need"},
    )

    def clean_reference(self) -> str:
        reference = (self.cleaned_data.get("reference") or "").upper().replace(" ", "")
        if (
            not any(reference.startswith(prefix) for prefix in BREAK_GLASS_PAGES)
            or not reference.replace("-", "").isalnum()
        ):
            raise ValidationError("Enter a reference that starts CASE-, REF- or PER-", code="invalid")
        return reference

    def target_url(self) -> str:
        reference = self.cleaned_data["reference"]
        name = next(name for prefix, name in BREAK_GLASS_PAGES.items() if reference.startswith(prefix))
        return reverse(name, args=[reference])
