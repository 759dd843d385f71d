from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone

from casework.api.models import Scope
from casework.api.services import DEFAULT_DAYS, MAX_DAYS
from casework.core.forms import NHSDateField, NHSForm
from casework.organisations.models import Organisation


class TokenForm(NHSForm):
    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(
        label="Organisation",
        queryset=Organisation.objects.none(),
        empty_label="Select an organisation",
        error_messages={
            "required": "Select the organisation the token is for",
            "invalid_choice": "Select an organisation from the list",
        },
    )
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use the token, for example Northshire Police case system",
        error_messages={"required": "Enter a name for the token", "max_length": "Name must be 100 characters or fewer"},
    )
    scopes = forms.MultipleChoiceField(
        label="What may it do?",
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "Select at least one thing the token may do",
            "invalid_choice": "Select what the token may do from the list",
        },
    )
    expires_on = NHSDateField(
        label="Expires on",
        future_only=True,
        help_text=f"At most {MAX_DAYS} days from today. For example, 31 3 2027",
    )

    def __init__(self, *args: Any, organisations, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"expires_on": timezone.localdate() + dt.timedelta(days=DEFAULT_DAYS)})
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = organisations
