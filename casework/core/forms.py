"""Django form fields that fit the NHS.UK design system's patterns."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from casework.core.limits import LONG_TEXT, SHORT_TEXT, too_long_message


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


# The range every typed or imported date must fall in (docs/input-limits.md). Nothing the clinic
# records happened before 1900; a date in the future is at most this many years ahead (an order's
# end, a hearing, a training expiry). Fields for events that have happened take ``past_only``.
EARLIEST_DATE = dt.date(1900, 1, 1)
YEARS_AHEAD = 100


def latest_date(today: dt.date | None = None, years: int = YEARS_AHEAD) -> dt.date:
    today = today or timezone.localdate()
    return today.replace(year=today.year + years, day=28 if (today.month, today.day) == (2, 29) else today.day)


def date_range_error(
    label: str, value: dt.date, *, past_only: bool = False, today: dt.date | None = None, years_ahead: int = YEARS_AHEAD
) -> str | None:
    """Why ``value`` is outside the range a date may take, or None. Shared by the forms and the imports."""
    today = today or timezone.localdate()
    if value < EARLIEST_DATE:
        return f"{label} must be {EARLIEST_DATE.day} January {EARLIEST_DATE.year} or later"
    if past_only and value > today:
        return f"{label} must be today or in the past"
    latest = latest_date(today, years_ahead)
    if value > latest:
        return f"{label} must be within {years_ahead} years from today"
    return None


class NHSDateField(forms.Field):
    """A date typed as day, month and year, refused with the NHS pattern's messages.

    ``past_only`` refuses dates after today; ``future_only`` refuses dates before today. Every date
    must be on or after ``EARLIEST_DATE`` and at most ``years_ahead`` years after today.
    """

    widget = DateWidget
    widget_type = "nhsdate"

    def __init__(
        self, *, past_only: bool = False, future_only: bool = False, years_ahead: int = YEARS_AHEAD, **kwargs: Any
    ) -> None:
        self.past_only = past_only
        self.future_only = future_only
        self.years_ahead = years_ahead
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
        digits = all(part.isascii() and part.isdigit() for part in (day, month, year))
        if not digits or len(year) != 4 or len(day) > 2 or len(month) > 2:
            raise ValidationError(f"{label} must be a real date", code="invalid")
        try:
            return dt.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):
            raise ValidationError(f"{label} must be a real date", code="invalid") from None

    def validate(self, value: dt.date | None) -> None:
        if value in self.empty_values and self.required:
            raise ValidationError(f"Enter {(self.label or 'the date').lower()}", code="required")
        if value is None:
            return
        today = timezone.localdate()
        label = str(self.label or "Date")
        problem = date_range_error(label, value, past_only=self.past_only, today=today, years_ahead=self.years_ahead)
        if problem:
            raise ValidationError(problem, code="out_of_range")
        if self.future_only and value < today:
            raise ValidationError(f"{label} must be today or in the future", code="past")


def cap_text_fields(form: forms.BaseForm) -> None:
    """Every text field has a maximum, refused in the NHS style: a field that names none gets the
    default for its widget (``casework.core.limits``), so no form accepts megabytes of text."""
    for field in form.fields.values():
        if not isinstance(field, forms.CharField):
            continue
        label = str(field.label or "This field")
        if field.max_length is None:
            field.max_length = LONG_TEXT if isinstance(field.widget, forms.Textarea) else SHORT_TEXT
            field.validators.append(MaxLengthValidator(field.max_length))
            field.widget.attrs.setdefault("maxlength", str(field.max_length))
        field.error_messages.setdefault("max_length", too_long_message(label, field.max_length))


_Field = TypeVar("_Field", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[_Field]) -> _Field:
    """``form.fields[name]``, which is a ``kind`` (say ``forms.ChoiceField``, to set its choices)."""
    field = form.fields[name]
    assert isinstance(field, kind), f"{name} is a {type(field).__name__}, not a {kind.__name__}"
    return field


class NHSForm(forms.Form):
    """Strips whitespace; caps every text field; exposes errors for the NHS error summary."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap_text_fields(self)

    def clean(self) -> dict[str, Any]:
        # Django's clean() returns cleaned_data, typed as possibly None (which Django reads as
        # "unchanged"); say so, so that a subclass's ``cleaned = super().clean()`` is a dict.
        cleaned = super().clean()
        return self.cleaned_data if cleaned is None else cleaned

    def error_summary(self) -> list[dict[str, str]]:
        return error_summary(self)


class NHSModelForm(forms.ModelForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap_text_fields(self)

    def clean(self) -> dict[str, Any]:
        # Django's clean() returns cleaned_data, typed as possibly None (which Django reads as
        # "unchanged"); say so, so that a subclass's ``cleaned = super().clean()`` is a dict.
        cleaned = super().clean()
        return self.cleaned_data if cleaned is None else cleaned

    def error_summary(self) -> list[dict[str, str]]:
        return error_summary(self)


def error_summary(form: forms.BaseForm) -> list[dict[str, str]]:
    items: list[dict[str, str]] = []
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
