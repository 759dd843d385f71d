"""Django form fields that fit the NHS.UK design system's patterns."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


class DateWidget(forms.MultiWidget):
    """Day, month and year boxes, as the NHS date input pattern asks."""

    template_name = "django/forms/widgets/multiwidget.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            widgets={"day": forms.TextInput(), "month": forms.TextInput(), "year": forms.TextInput()},
            attrs=attrs,
        )

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            return [value.day, value.month, value.year]
        if isinstance(value, str) and value:
            try:
                parsed = dt.date.fromisoformat(value)
            except ValueError:
                return [None, None, None]
            return [parsed.day, parsed.month, parsed.year]
        return [None, None, None]


class NHSDateField(forms.Field):
    """A date typed as day, month and year, refused with the NHS pattern's messages.

    ``past_only`` refuses dates after today; ``future_only`` refuses dates before today.
    """

    widget = DateWidget
    widget_type = "nhsdate"

    def __init__(self, *, past_only: bool = False, future_only: bool = False, **kwargs: Any) -> None:
        self.past_only = past_only
        self.future_only = future_only
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if not value or not any(str(part or "").strip() for part in value):
            return None
        day, month, year = (str(part or "").strip() for part in value)
        label = self.label or "Date"
        missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if not part]
        if missing:
            raise ValidationError(f"{label} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise ValidationError(f"{label} must be a real date", code="invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{label} must be a real date", code="invalid") from None

    def validate(self, value: dt.date | None) -> None:
        if value in self.empty_values and self.required:
            raise ValidationError(f"Enter {(self.label or 'the date').lower()}", code="required")
        if value is None:
            return
        today = timezone.localdate()
        if self.past_only and value > today:
            raise ValidationError(f"{self.label or 'Date'} must be today or in the past", code="future")
        if self.future_only and value < today:
            raise ValidationError(f"{self.label or 'Date'} must be today or in the future", code="past")


class NHSForm(forms.Form):
    """Strips whitespace; exposes errors for the NHS error summary."""

    def error_summary(self) -> list[dict[str, str]]:
        return error_summary(self)


class NHSModelForm(forms.ModelForm):
    def error_summary(self) -> list[dict[str, str]]:
        return error_summary(self)


def error_summary(form: forms.BaseForm) -> list[dict[str, str]]:
    items = []
    for name, errors in form.errors.items():
        if name == "__all__":
            items.extend({"text": str(e), "href": "#main-content-form"} for e in errors)
            continue
        bound = form[name]
        href = f"#{bound.auto_id}"
        if getattr(bound.field, "widget_type", "") == "nhsdate":
            href = f"#{bound.auto_id}_day"
        items.extend({"text": str(e), "href": href} for e in errors)
    return items
