"""Forms for cases, in the NHS.UK error-message style: a message per field, and nothing the user
typed is lost when a form is refused. Choices that depend on the case (victims, documents,
clinicians) are passed in as lists, so that rendering a form runs no queries."""

from __future__ import annotations

from typing import Any

from django import forms

from casework.cases.choices import (
    KIND_HINTS,
    PARTY_ROLES,
    SEVERITY_CHOICES,
    STATUS_WORKFLOW,
    ZONE_PLACES,
    Behaviour,
    CaseKind,
    CaseStatus,
    Channel,
    ClosureReason,
    DatePrecision,
    HearingKind,
    MappaCategory,
    MappaLevel,
    NoteKind,
    OfficerRole,
    OrderKind,
    Place,
    Relationship,
    Source,
    TeamRole,
)
from casework.cases.incident_table import parse_time
from casework.cases.models import (
    Case,
    CaseNote,
    CaseNoteAddendum,
    Hearing,
    Incident,
    LegalOrder,
    MappaMeeting,
    StalkingEpisode,
)
from casework.core import formatting
from casework.core.forms import NHSDateField, NHSForm, field_of
from casework.core.limits import limit
from casework.people.queries import person_for, persons_for_list

NEW_CASE = "new"
EMAIL_INVALID = "Enter an email address in the correct format, like name@example.org"


def _choice(
    label: str, choices, message: str, *, radio: bool = True, required: bool = True, **kwargs
) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect if radio else forms.Select,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def _text(label: str, max_length: int, message: str = "", *, required: bool = False, **kwargs) -> forms.CharField:
    errors = {"max_length": f"{label} must be {max_length:,} characters or fewer"}
    if message:
        errors["required"] = message
    return forms.CharField(label=label, max_length=max_length, required=required, error_messages=errors, **kwargs)


def _long_text(label: str, message: str = "", *, required: bool = False, max_length: int, **kwargs):
    return _text(label, max_length, message, required=required, widget=forms.Textarea, **kwargs)


# --- Opening a case -----------------------------------------------------------------------------


class OpenCaseForm(NHSForm):
    target = _choice("Open a new case, or add this work to an open case?", [], "Select whether to open a new case")
    kind = _choice("Kind of case", CaseKind.choices, "Select the kind of case", required=False)
    lead_clinician = _choice("Lead clinician", [], "Select a lead clinician", radio=False, required=False)

    def __init__(self, *args, open_cases=(), clinicians=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "target", forms.ChoiceField).choices = [(NEW_CASE, "Open a new case")] + [
            (
                str(c.pk),
                f"Add to {c.reference} ({c.get_kind_display().lower()}, lead clinician {c.lead_name or 'not set'})",
            )
            for c in open_cases
        ]
        field_of(self, "kind", forms.ChoiceField).choices = [
            (k.value, f"{k.label}: {KIND_HINTS[k].lower()}") for k in CaseKind
        ]
        field_of(self, "lead_clinician", forms.ChoiceField).choices = [("", "Select a clinician")] + [
            (str(u.pk), u.full_name) for u in clinicians
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("target") == NEW_CASE:
            if not cleaned.get("kind"):
                self.add_error("kind", "Select the kind of case")
            if not cleaned.get("lead_clinician"):
                self.add_error("lead_clinician", "Select a lead clinician")
        return cleaned


# --- Team and status ----------------------------------------------------------------------------


class TeamAddForm(NHSForm):
    user = _choice("Clinician", [], "Select a clinician or clinical lead", radio=False)
    role = _choice("Role on the team", TeamRole.choices, "Select the role on the team")

    def __init__(self, *args, clinicians=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "user", forms.ChoiceField).choices = [("", "Select a clinician")] + [
            (str(u.pk), u.full_name) for u in clinicians
        ]


class StatusForm(NHSForm):
    to = _choice("Change the status to", [], "Select the new status")
    closure_reason = _choice(
        "If you are closing the case, why?", ClosureReason.choices, "Select why the case is closing", required=False
    )
    note = _long_text(
        "Notes",
        max_length=limit(Case, "closure_note"),
        help_text="Why the case is on hold, or more about why it is closing",
    )

    def __init__(self, *args, current: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "to", forms.ChoiceField).choices = [
            (s, CaseStatus(s).label) for s in STATUS_WORKFLOW.next_statuses(current)
        ]

    def clean(self):
        cleaned = super().clean()
        to = cleaned.get("to")
        if to == CaseStatus.CLOSED and not cleaned.get("closure_reason"):
            self.add_error("closure_reason", "Select why the case is closing")
        if to == CaseStatus.ON_HOLD and not cleaned.get("note"):
            self.add_error("note", "Enter why the case is on hold")
        if to == CaseStatus.CLOSED and cleaned.get("closure_reason") == ClosureReason.OTHER and not cleaned.get("note"):
            self.add_error("note", "Enter the reason the case is closing")
        return cleaned


# --- Parties and episodes -----------------------------------------------------------------------


class PartyForm(NHSForm):
    role = _choice("Role in the case", PARTY_ROLES, "Select the person's role in the case")
    name_as_given = _text(
        "Name as given",
        200,
        help_text=(
            "The name as the referral or agency gave it. On the perpetrator side of a case this is the only "
            "name shown for a victim"
        ),
    )
    relationship_to_subject = _text(
        "Relationship to the subject", 200, help_text="For example, former partner, their GP, her new partner"
    )


class FindPersonForm(NHSForm):
    find = forms.CharField(
        label="Find the person",
        max_length=100,
        strip=True,
        help_text="A name, NHS number, PNC ID, prison number or person reference",
        error_messages={"required": "Enter a name, a number or a reference to find the person"},
    )

    def found(self, user, limit: int = 10) -> list:
        """The persons ``user`` may see who match, at most ``limit``."""
        text = self.cleaned_data["find"]
        if text.upper().startswith("PER-"):
            person = person_for(user, text.upper())
            return [person] if person is not None else []
        return list(persons_for_list(user, text)[:limit])


class PartyAddForm(PartyForm):
    """Pick the person from those a search found (``candidates``: the persons the user may see who
    match what they searched for), then their part in the case. Nobody types a reference."""

    person = forms.ChoiceField(
        label="Who to add",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the person to add", "invalid_choice": "Select one of the people found"},
    )
    field_order = ["person", "role", "name_as_given", "relationship_to_subject"]

    def __init__(self, *args, candidates=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "person", forms.ChoiceField).choices = [(p.reference, _candidate_label(p)) for p in candidates]


def _candidate_label(person) -> str:
    born = f", born {formatting.date_gb(person.date_of_birth)}" if person.date_of_birth else ""
    return f"{person.full_name} ({person.reference}{born})"


class EpisodeForm(NHSForm):
    prior_relationship = _choice("Prior relationship", Relationship.choices, "Select the prior relationship")
    started_on = NHSDateField(
        label="When it started",
        required=False,
        past_only=True,
        help_text="If you know only the month, enter 1 as the day. For example, 1 3 2025",
    )
    started_precision = _choice(
        "How exact is that date?",
        [(DatePrecision.DAY.value, "The exact day"), (DatePrecision.MONTH.value, "The month only")],
        "Select whether the date is exact or the month only",
    )
    behaviours = forms.MultipleChoiceField(
        label="Behaviours seen",
        choices=Behaviour.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply",
        error_messages={"invalid_choice": "Select behaviours from the list"},
    )
    motivation_in_own_words = _long_text(
        "Apparent motivation, in the stalker's own words",
        max_length=limit(StalkingEpisode, "motivation_in_own_words"),
        help_text="Quote what they have said about why, where you can",
    )


# --- Incidents ----------------------------------------------------------------------------------


class IncidentForm(NHSForm):
    # The victims offered, by id: set by the view that makes the form.
    victims_by_pk: dict[str, Any]

    occurred_on = NHSDateField(
        label="Date", past_only=True, help_text="If you know only the month, enter 1 as the day and choose month only"
    )
    precision = _choice("How exact is it?", DatePrecision.choices, "Select how exact the date is")
    occurred_time = _text("Time", 10, help_text="Only for date and time. Use the 24-hour clock, for example, 14:30")
    behaviour = _choice("Type", [("", "Select a type")] + Behaviour.choices, "Select the type of incident", radio=False)
    channel = _choice("Channel", [("", "Select a channel")] + Channel.choices, "Select the channel", radio=False)
    victim = _choice("Victim affected", [], "Select the victim affected", radio=False, required=False)
    source = _choice("Source", Source.choices, "Select who reported it")
    severity = _choice(
        "Severity", SEVERITY_CHOICES, "Select the severity, from 1 to 5", help_text="See the severity scale above"
    )
    description = _long_text(
        "Description", "Enter a description of the incident", required=True, max_length=limit(Incident, "description")
    )
    place = _choice(
        "Where it happened",
        [("", "Not recorded, or not in person")] + Place.choices,
        "Select where it happened",
        radio=False,
        required=False,
        help_text="For an incident in person: an exclusion zone is drawn around these places",
    )
    documents = forms.MultipleChoiceField(
        label="Documents",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Documents of the case's referrals that record this incident",
        error_messages={"invalid_choice": "Select documents from the list"},
    )

    def __init__(self, *args, victims=(), documents=(), victim_case: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "victim", forms.ChoiceField).choices = ([] if victim_case else [("", "Not recorded")]) + [
            (str(p.pk), p.name_as_given) for p in victims
        ]
        field_of(self, "documents", forms.ChoiceField).choices = [
            (str(d.pk), f"{d.original_name} ({d.referral.reference})") for d in documents
        ]
        if not documents:
            del self.fields["documents"]

    def clean_occurred_time(self):
        value = (self.cleaned_data.get("occurred_time") or "").strip()
        if not value:
            return None
        try:
            return parse_time(value)
        except ValueError:
            raise forms.ValidationError("Time must be a real time, like 14:30") from None

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("precision") == DatePrecision.EXACT
            and cleaned.get("occurred_time") is None
            and "occurred_time" not in self.errors
        ):
            self.add_error("occurred_time", "Enter the time, or choose date only")
        return cleaned


class IncidentImportForm(NHSForm):
    table = _long_text(
        "Paste the table",
        max_length=1024 * 1024,
        help_text=("Copy the rows from a spreadsheet, with the header row, and paste them here as CSV"),
    )
    file = forms.FileField(
        label="Or choose a CSV file", required=False, error_messages={"invalid": "The selected file must be a CSV file"}
    )

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            if upload.size > 1024 * 1024:
                self.add_error("file", "The selected file must be smaller than 1 MB")
                return cleaned
            try:
                cleaned["table"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", "The selected file must be a CSV file saved as UTF-8")
                return cleaned
        if not (cleaned.get("table") or "").strip() and "file" not in self.errors:
            self.add_error("table", "Paste the table, or choose a CSV file")
        return cleaned


# --- Orders, hearings, MAPPA --------------------------------------------------------------------


class OrderForm(NHSForm):
    # The parties it may protect, by id: set by the view that makes the form.
    parties_by_pk: dict[str, Any]

    kind = _choice(
        "Order or conditions",
        [("", "Select the order")] + OrderKind.choices,
        "Select the order or conditions",
        radio=False,
    )
    issued_by = _text("Issuing court or authority", 200, "Enter the court or authority that issued it", required=True)
    starts_on = NHSDateField(label="Start date")
    ends_on = NHSDateField(label="End date", required=False, help_text="Leave blank if it has no end date")
    no_contact = forms.BooleanField(label="No contact", required=False)
    exclusion_zone = forms.BooleanField(label="Exclusion zone", required=False)
    exclusion_zone_details = _long_text(
        "Where the exclusion zone is",
        max_length=limit(LegalOrder, "exclusion_zone_details"),
        help_text="Describe the area, without the victim's address",
    )
    zone_places = forms.MultipleChoiceField(
        label="Places the exclusion zone covers",
        choices=ZONE_PLACES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An incident in person at one of these places, while the order is in force, is flagged as a likely breach",
        error_messages={"invalid_choice": "Select places from the list"},
    )
    attend_treatment = forms.BooleanField(label="Attend treatment or an assessment", required=False)
    other_conditions = _long_text("Other conditions", max_length=limit(LegalOrder, "other_conditions"))
    protects = forms.MultipleChoiceField(
        label="Whom it protects",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select people from the list"},
    )

    def __init__(self, *args, parties=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "protects", forms.ChoiceField).choices = [
            (str(p.pk), f"{p.name_as_given} ({p.get_role_display().lower()})") for p in parties
        ]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "End date must be the same as or after the start date")
        if cleaned.get("exclusion_zone") and not cleaned.get("exclusion_zone_details"):
            self.add_error("exclusion_zone_details", "Describe where the exclusion zone is")
        return cleaned


class HearingForm(NHSForm):
    kind = _choice("Kind of hearing", HearingKind.choices, "Select the kind of hearing")
    hearing_on = NHSDateField(label="Date of the hearing")
    venue = _text("Court or venue", limit(Hearing, "venue"))
    notes = _long_text("Notes", max_length=limit(Hearing, "notes"))


class MappaForm(NHSForm):
    category = _choice("MAPPA category", MappaCategory.choices, "Select the MAPPA category")
    level = _choice("MAPPA level", MappaLevel.choices, "Select the MAPPA level")
    coordinator_name = _text("MAPPA coordinator", 150)
    coordinator_email = forms.EmailField(
        label="Coordinator's email address", required=False, error_messages={"invalid": EMAIL_INVALID}
    )
    coordinator_phone = _text("Coordinator's telephone number", 30)

    def clean_category(self):
        return int(self.cleaned_data["category"])

    def clean_level(self):
        return int(self.cleaned_data["level"])


class MappaMeetingForm(NHSForm):
    meets_on = NHSDateField(label="Date of the meeting")
    notes = _long_text("Notes", max_length=limit(MappaMeeting, "notes"))


# --- Agencies -----------------------------------------------------------------------------------


class AgencyForm(NHSForm):
    organisation = _choice("Agency", [], "Select an agency from the list", radio=False, required=False)
    name = _text("Or the name of an agency that is not listed", 200)

    def __init__(self, *args, organisations=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "organisation", forms.ChoiceField).choices = [("", "Select an agency")] + [
            (str(o.pk), f"{o.name} ({o.get_kind_display()})") for o in organisations
        ]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("organisation") and not (cleaned.get("name") or "").strip() and not self.errors:
            self.add_error("organisation", "Select an agency, or enter the name of one that is not listed")
        return cleaned


class OfficerForm(NHSForm):
    role = _choice("Role", OfficerRole.choices, "Select the officer's role")
    name = _text("Name", 150, "Enter the officer's name", required=True)
    job_title = _text("Job title", 150)
    email = forms.EmailField(label="Email address", required=False, error_messages={"invalid": EMAIL_INVALID})
    phone = _text("Telephone number", 30)


# --- Case notes ---------------------------------------------------------------------------------


class NoteForm(NHSForm):
    kind = _choice("Kind of note", NoteKind.choices, "Select the kind of note")
    contact_on = NHSDateField(label="Date of the contact", past_only=True, help_text="For example, 15 3 2026")
    contact_time = _text("Time of the contact (optional)", 10, help_text="Use the 24-hour clock, for example, 14:30")
    present = _text(
        "Who was present (optional)",
        limit(CaseNote, "present"),
        help_text="Names and roles, for example, the client, Dr Amal Shah (psychiatrist), PC Dean Fox",
    )
    text = _long_text("Note", "Enter the note", required=True, max_length=limit(CaseNote, "text"))
    significant = forms.BooleanField(
        label="This is a significant event",
        required=False,
        help_text="For example, a disclosure, a threat, a breach, a change in risk or a safeguarding concern",
    )

    def clean_contact_time(self):
        value = (self.cleaned_data.get("contact_time") or "").strip()
        if not value:
            return None
        try:
            return parse_time(value)
        except ValueError:
            raise forms.ValidationError("Time of the contact must be a real time, like 14:30") from None


class AddendumForm(NHSForm):
    text = _long_text(
        "Addendum",
        "Enter the addendum",
        required=True,
        max_length=limit(CaseNoteAddendum, "text"),
        help_text="Say what is corrected or added. The note itself stays as it was written.",
    )


class NoteFilterForm(NHSForm):
    kind = _choice(
        "Kind of note",
        [("", "Any kind")] + NoteKind.choices,
        "Select a kind of note from the list",
        radio=False,
        required=False,
    )
    significant = forms.BooleanField(label="Only significant events", required=False)
    q = _text("Words in the note", 200, help_text="Searches this case's notes and their addenda")

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"kind": "", "significant": False, "text": ""}
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "significant": bool(data.get("significant")),
            "text": (data.get("q") or "").strip(),
        }


# --- The list -----------------------------------------------------------------------------------


class CaseFilterForm(NHSForm):
    status = _choice(
        "Status",
        [("", "Any status")] + CaseStatus.choices,
        "Select a status from the list",
        radio=False,
        required=False,
    )
    kind = _choice(
        "Kind of case",
        [("", "Any kind")] + CaseKind.choices,
        "Select a kind of case from the list",
        radio=False,
        required=False,
    )
    mine = forms.BooleanField(label="Only cases I am on the team of", required=False)
    risk = forms.BooleanField(label="Only escalating cases and likely breaches", required=False)

    def filters(self) -> dict:
        if not self.is_bound or not self.is_valid():
            return {"status": "", "kind": "", "mine": False, "risk": False}
        data = self.cleaned_data
        return {
            "status": data.get("status") or "",
            "kind": data.get("kind") or "",
            "mine": bool(data.get("mine")),
            "risk": bool(data.get("risk")),
        }
