"""Forms of the report request pages. The instructing party and the letter of instruction are
chosen from what the case already holds (its referring organisations and involved agencies; the
letters of instruction sent with its referrals): nothing is uploaded here."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.reports.choices import SETTABLE_STATUSES, ReportType
from casework.reports.models import QUESTIONS_LIMIT

NONE = ""


def _text(label: str, max_length: int, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        error_messages={"max_length": f"{label} must be {max_length:,} characters or fewer"},
        **kwargs,
    )


class RequestForm(NHSForm):
    report_type = forms.ChoiceField(
        label="Type of report",
        choices=ReportType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the type of report", "invalid_choice": "Select a type from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        choices=[(s.value, s.label) for s in SETTABLE_STATUSES],
        widget=forms.RadioSelect,
        help_text="Issuing the report is its own step, from the report itself",
        error_messages={"required": "Select the request's status", "invalid_choice": "Select a status from the list"},
    )
    due_on = NHSDateField(
        label="Due date", help_text="When the instructing party needs the report, for example 27 3 2027"
    )
    instructing_party = forms.ChoiceField(
        label="Instructing party",
        choices=[],
        required=False,
        help_text="The organisation that instructs the clinic: one that referred the case or is involved in it",
        error_messages={"invalid_choice": "Select an organisation from the list"},
    )
    instructing_officer_name = _text("Instructing officer", 150, help_text="The person who sent the instruction")
    instructing_officer_email = forms.EmailField(
        label="Instructing officer's email address",
        max_length=254,
        required=False,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.police.uk",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    questions = _text(
        "Questions asked",
        QUESTIONS_LIMIT,
        widget=forms.Textarea,
        help_text="The questions the letter of instruction asks the clinic to answer, one to a line",
    )
    letter_of_instruction = forms.ChoiceField(
        label="Letter of instruction",
        choices=[],
        required=False,
        help_text="A letter of instruction sent with one of the case's referrals",
        error_messages={"invalid_choice": "Select a letter from the list"},
    )

    def __init__(self, *args: Any, parties=(), letters=(), adding: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parties = {str(o.pk): o for o in parties}
        self._letters = {str(d.pk): d for d in letters}
        field_of(self, "instructing_party", forms.ChoiceField).choices = [(NONE, "Not known")] + [
            (str(o.pk), o.name) for o in parties
        ]
        field_of(self, "letter_of_instruction", forms.ChoiceField).choices = [(NONE, "None")] + [
            (str(d.pk), f"{d.original_name} ({d.referral.reference}, {d.uploaded_at:%d/%m/%Y})") for d in letters
        ]
        if adding:
            del self.fields["status"]
        else:
            del self.fields["report_type"]

    def service_fields(self) -> dict[str, Any]:
        """The cleaned data as the service takes it (organisation and document objects)."""
        data = dict(self.cleaned_data)
        data["instructing_party"] = self._parties.get(data.get("instructing_party") or NONE)
        data["letter_of_instruction"] = self._letters.get(data.get("letter_of_instruction") or NONE)
        return data

    @staticmethod
    def initial_from(report) -> dict[str, Any]:
        return {
            "status": report.status,
            "due_on": report.due_on,
            "instructing_party": str(report.instructing_party_id or ""),
            "instructing_officer_name": report.instructing_officer_name,
            "instructing_officer_email": report.instructing_officer_email,
            "questions": report.questions,
            "letter_of_instruction": str(report.letter_of_instruction_id or ""),
        }
