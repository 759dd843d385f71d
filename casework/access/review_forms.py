from __future__ import annotations

from django import forms

from casework.accounts.models import User
from casework.accounts.queries import user_by_email
from casework.core.forms import NHSDateField, NHSForm


class AccessSearchForm(NHSForm):
    """Search the audit trail by who, which record and when."""

    email = forms.EmailField(
        label="Email address of the user",
        required=False,
        max_length=254,
        help_text="Everything this person did",
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.nhs.uk"},
    )
    reference = forms.CharField(
        label="Record reference",
        required=False,
        max_length=200,
        help_text="For example, REF-2026-00042",
        error_messages={"max_length": "Record reference must be 200 characters or fewer"},
    )
    date_from = NHSDateField(label="Date from", required=False, past_only=True, help_text="For example, 27 3 2026")
    date_to = NHSDateField(label="Date to", required=False, past_only=True, help_text="For example, 28 3 2026")

    FIELDS = ("email", "reference", "date_from", "date_to")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.actor: User | None = None

    @classmethod
    def submitted(cls, data) -> bool:
        """Whether the query string holds a search (any of the fields, typed or not)."""
        names = {"email", "reference"} | {
            f"{name}_{part}" for name in ("date_from", "date_to") for part in ("day", "month", "year")
        }
        return any(name in data for name in names)

    def clean_email(self) -> str:
        email = (self.cleaned_data.get("email") or "").strip().lower()
        if email:
            self.actor = user_by_email(email)
            if self.actor is None:
                raise forms.ValidationError("No one with this email address uses NSC Casework")
        return email

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        if not self.errors and not any(cleaned.get(name) for name in self.FIELDS):
            self.add_error("email", "Enter an email address, a record reference or dates to search for")
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", "Date to must be the same as or after date from")
        return cleaned

    def criteria(self) -> dict:
        """What was searched for, for the audit event (the user as an id, not an address)."""
        data = self.cleaned_data
        return {
            "user_id": self.actor.pk if self.actor else None,
            "reference": data.get("reference") or "",
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
        }
