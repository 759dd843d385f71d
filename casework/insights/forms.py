"""The dashboards' period: a first and a last month, chosen from the last three years.

Unbound (no filter in the address), the period is the last 12 months, this month included.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from casework.core.forms import NHSForm
from casework.insights.figures import Period

MONTHS_OFFERED = 36
DEFAULT_MONTHS = 12


def month_value(month: dt.date) -> str:
    return f"{month.year:04d}-{month.month:02d}"


def month_label(month: dt.date) -> str:
    return month.strftime("%B %Y")


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def default_period(today: dt.date | None = None) -> Period:
    this_month = (today or timezone.localdate()).replace(day=1)
    return Period(first=_add_months(this_month, -(DEFAULT_MONTHS - 1)), last=this_month)


class PeriodForm(NHSForm):
    from_month = forms.ChoiceField(label="From")
    to_month = forms.ChoiceField(label="To")

    def __init__(self, *args: Any, today: dt.date | None = None, **kwargs: Any) -> None:
        self.today = today or timezone.localdate()
        default = default_period(self.today)
        kwargs.setdefault("initial", {"from_month": month_value(default.first), "to_month": month_value(default.last)})
        super().__init__(*args, **kwargs)
        this_month = self.today.replace(day=1)
        months = [_add_months(this_month, -n) for n in range(MONTHS_OFFERED)]
        choices = [(month_value(m), month_label(m)) for m in months]
        for name in ("from_month", "to_month"):
            self.fields[name].choices = choices  # type: ignore[attr-defined]
            self.fields[name].error_messages["invalid_choice"] = "Choose a month from the list"
            self.fields[name].error_messages["required"] = "Choose a month"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("from_month"), cleaned.get("to_month")
        if start and end and end < start:
            self.add_error("to_month", "The last month must be the same as or after the first month")
        return cleaned

    def period(self) -> Period:
        """The chosen period; the default one when the form is unbound or has an error."""
        if not self.is_bound or not self.is_valid():
            return default_period(self.today)
        first = dt.date.fromisoformat(self.cleaned_data["from_month"] + "-01")
        last = dt.date.fromisoformat(self.cleaned_data["to_month"] + "-01")
        return Period(first=first, last=last)

    def query(self) -> str:
        """The period as URL parameters, for the export links."""
        period = self.period()
        return f"from_month={month_value(period.first)}&to_month={month_value(period.last)}"
