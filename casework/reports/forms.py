"""Forms of the report request pages. The instructing party and the letter of instruction are
chosen from what the case already holds (its referring organisations and involved agencies; the
letters of instruction sent with its referrals): nothing is uploaded here."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.reports.choices import SETTABLE_STATUSES, DisclosureMethod, LegalBasis, RecipientSide, ReportType
from casework.reports.models import (
    COMMENT_LIMIT,
    CORRECTION_REASON_LIMIT,
    DISCLOSURE_NOTE_LIMIT,
    QUESTIONS_LIMIT,
)

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


class CommentForm(NHSForm):
    section_key = forms.ChoiceField(
        label="Section",
        choices=[],
        error_messages={"required": "Select the section", "invalid_choice": "Select a section from the list"},
    )
    body = forms.CharField(
        label="Comment",
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter your comment",
            "max_length": f"Comment must be {COMMENT_LIMIT:,} characters or fewer",
        },
    )

    def __init__(self, *args, sections=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "section_key", forms.ChoiceField).choices = [(s.key, s.title) for s in sections]


class ReturnForm(NHSForm):
    body = forms.CharField(
        label="What needs to change",
        max_length=COMMENT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Enter what needs to change",
            "max_length": f"What needs to change must be {COMMENT_LIMIT:,} characters or fewer",
        },
    )


class CorrectionForm(NHSForm):
    reason = forms.CharField(
        label="Why the report needs correcting",
        max_length=CORRECTION_REASON_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Printed on the corrected report and shown in the disclosure register beside both issues",
        error_messages={
            "required": "Enter why the report needs correcting",
            "max_length": f"Why the report needs correcting must be {CORRECTION_REASON_LIMIT:,} characters or fewer",
        },
    )


class _ReleaseFields(NHSForm):
    method = forms.ChoiceField(
        label="How it is sent",
        choices=[],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the report is sent", "invalid_choice": "Select a method from the list"},
    )
    legal_basis = forms.ChoiceField(
        label="Legal basis for sharing",
        choices=LegalBasis.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the legal basis for sharing the report",
            "invalid_choice": "Select a legal basis from the list",
        },
    )
    recipient_name = _text("Officer, judge or panel (optional)", 150)


class IssueForm(_ReleaseFields):
    recipient = forms.ChoiceField(
        label="Recipient",
        choices=[],
        error_messages={"required": "Select the recipient", "invalid_choice": "Select a recipient from the list"},
    )
    recipient_side = forms.ChoiceField(
        label="The recipient's part in the case",
        choices=RecipientSide.choices,
        widget=forms.RadioSelect,
        help_text="Sections marked as not for this recipient are left out. Sealed victim details are always removed.",
        error_messages={
            "required": "Select the recipient's part in the case",
            "invalid_choice": "Select from the list",
        },
    )
    field_order = ["recipient", "recipient_name", "recipient_side", "method", "legal_basis"]

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organisations = {str(o.pk): o for o in organisations}
        field_of(self, "recipient", forms.ChoiceField).choices = [(NONE, "Select a recipient")] + [
            (str(o.pk), o.name) for o in organisations
        ]
        field_of(self, "method", forms.ChoiceField).choices = [
            (value, "Portal (the recipient downloads it)" if value == DisclosureMethod.PORTAL else label)
            for value, label in DisclosureMethod.choices
        ]

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "recipient": self.organisations[data["recipient"]],
            "recipient_side": data["recipient_side"],
            "recipient_name": data.get("recipient_name") or "",
            "method": data["method"],
            "legal_basis": data["legal_basis"],
        }


class DisclosureForm(_ReleaseFields):
    note = _text("Note (optional)", DISCLOSURE_NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "method", forms.ChoiceField).choices = [
            c for c in DisclosureMethod.choices if c[0] != DisclosureMethod.PORTAL
        ]
