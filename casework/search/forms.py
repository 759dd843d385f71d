from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from casework.core.forms import NHSForm
from casework.search.text import Query, QueryError, parse


class SearchForm(NHSForm):
    q = forms.CharField(
        label="Name, reference or words", required=False, strip=True,
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
